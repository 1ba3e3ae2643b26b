"""Article-body extraction from saved web pages, through the real asset graph.

    .venv/bin/python bench/eval_extraction.py

Data: ../shared/data/article-extraction-benchmark (95 real news pages with
hand-checked bodies, and other extractors' outputs on the same pages). Two
raw folders a user could have are written and materialised, every asset, as
`newsdag materialize` runs them:

* ``pages``: the 95 pages as ``.html.gz`` files at the raw root;
* ``warc``: the same pages as HTTP 200 responses in one ``.warc.gz`` (written
  with warcio), with a request record before each.

Each page's ``articles.text`` (nothing, when the page was rejected) is scored
with the benchmark's metric (newsdag.evaluate.extraction_scores) on all
pages and on the two fixed halves the settings were tuned and checked on
(newsdag.webpages). The other extractors' stored outputs are scored the same
way in the same run. Also reported: where each page's publication time came
from, how many canonical URLs match the benchmark's, and pages per second:
of the parse_articles step (one Dagster run per block of days: the pages
span five years), and of the library alone in one pass.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Timer, materialize_graph, run_recorded, shared_data  # noqa: E402
from newsdag.evaluate import extraction_scores  # noqa: E402
from tests.web import http_response, write_warc  # noqa: E402

OTHER_TOOLS = ["AutoExtract", "Diffbot", "trafilatura", "newspaper", "news_please", "readability"]


def load_benchmark(root: Path) -> tuple[dict[str, dict], dict[str, bytes]]:
    """The ground truth ({id: {"articleBody", "url"}}) and each page's HTML bytes."""
    truth = json.loads((root / "ground-truth.json").read_text())
    pages = {k: gzip.decompress((root / "html" / f"{k}.html.gz").read_bytes()) for k in sorted(truth)}
    return truth, pages


def halves(ids: list[str]) -> tuple[list[str], list[str]]:
    """The fixed split: pages whose id hashes even were tuned on, the rest checked on."""
    tune = [k for k in ids if int(hashlib.sha256(k.encode()).hexdigest(), 16) % 2 == 0]
    return tune, [k for k in ids if k not in set(tune)]


def score(extracted: dict[str, str], truth: dict[str, dict], ids: list[str]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in extraction_scores([extracted.get(i, "") for i in ids],
                                                          [truth[i]["articleBody"] for i in ids]).items()}


def same_url(a: str | None, b: str) -> bool:
    def norm(u: str) -> str:
        return u.strip().split("://", 1)[-1].removeprefix("www.").rstrip("/")
    return bool(a) and norm(a) == norm(b)


def write_pages(raw: Path, pages: dict[str, bytes]) -> None:
    raw.mkdir(parents=True)
    for k, html in pages.items():
        (raw / f"{k}.html.gz").write_bytes(gzip.compress(html, mtime=0))


def write_crawl(raw: Path, pages: dict[str, bytes], truth: dict[str, dict]) -> None:
    records = []
    for k, html in pages.items():
        records.append({"type": "request", "url": truth[k]["url"], "body": b"GET / HTTP/1.1\r\n\r\n"})
        records.append(http_response(truth[k]["url"], html))
    write_warc(raw / "crawl.warc.gz", records)


def benchmark_ids(articles: pd.DataFrame, kind: str, ids: list[str]) -> pd.Series:
    """The benchmark id of each article of a ``pages`` or ``warc`` folder (see
    write_pages, write_crawl), aligned to ``articles``."""
    if kind == "pages":
        return articles["raw_path"].str.removesuffix(".html.gz")
    # Pages were written in id order, one fetched record each (requests are not counted).
    return articles["raw_line"].map(lambda n: ids[int(n) - 1])


def evaluate_folder(kind: str, raw: Path, warehouse: Path, truth: dict, ids: list[str]) -> dict:
    with Timer() as t:
        times = materialize_graph(raw, warehouse)
    articles = pd.read_parquet(warehouse / "articles")
    rejected = pd.read_parquet(warehouse / "rejected_inputs")
    page_of = benchmark_ids(articles, kind, ids)
    extracted = dict(zip(page_of, articles["text"]))
    urls = dict(zip(page_of, articles["url"]))
    recovered = articles.assign(page=page_of.to_numpy()).set_index("page")
    pages = []
    for k in ids:
        row = recovered.loc[k] if k in recovered.index else None
        pages.append({
            "id": k, "benchmark_url": truth[k]["url"],
            "url": None if row is None else row["url"],
            "url_matches": same_url(None if row is None else row["url"], truth[k]["url"]),
            "published": None if row is None or pd.isna(row["published"]) else row["published"].isoformat(),
            "published_from": None if row is None else row["published_from"],
            "source": None if row is None else row["source"],
            "f1": round(extraction_scores([extracted.get(k, "")], [truth[k]["articleBody"]])["f1"], 4),
        })
    tune, check = halves(ids)
    parse_seconds = times.get("parse_articles", 0.0)
    return {
        "scores_all": score(extracted, truth, ids),
        "scores_tune_half": score(extracted, truth, tune),
        "scores_check_half": score(extracted, truth, check),
        "n_pages": len(ids),
        "n_articles": int(len(articles)),
        "rejected": rejected["reason"].value_counts().to_dict(),
        "published_from": articles["published_from"].fillna("none").value_counts().to_dict(),
        "canonical_url_matches": int(sum(same_url(urls.get(k), truth[k]["url"]) for k in ids)),
        "urls_present": int(articles["url"].notna().sum()),
        "sources": int(articles["source"].nunique()),
        "parse_articles_seconds": parse_seconds,
        "raw_files_seconds": times.get("raw_files", 0.0),
        "pages_per_second_parse": round(len(ids) / parse_seconds, 1) if parse_seconds else None,
        "graph_seconds": round(t.seconds, 1),
        "pages": pages,
    }


def parse_rate(raw: Path) -> dict:
    """Pages per second of the library alone on one folder, in one pass: the
    day index (metadata only) and parsing (bodies), without Dagster's runs."""
    from newsdag.ingest import file_days, parse_raw_files, scan_raw_files

    files = scan_raw_files(raw)
    with Timer() as index:
        files["days"] = file_days(raw, files)
    with Timer() as parse:
        articles, _ = parse_raw_files(raw, files)
    n = len(files)
    return {"pages": n, "articles": int(len(articles)), "index_pages_per_second": round(n / index.seconds, 1),
            "parse_pages_per_second": round(n / parse.seconds, 1)}


def main() -> dict:
    root = shared_data() / "article-extraction-benchmark"
    truth, pages = load_benchmark(root)
    ids = sorted(truth)
    tune, check = halves(ids)
    result = {"split": {"tune": len(tune), "check": len(check)}, "others": {}}
    for tool in OTHER_TOOLS:
        out = json.loads((root / "output" / f"{tool}.json").read_text())
        texts = {k: (v or {}).get("articleBody") or "" for k, v in out.items()}
        result["others"][tool] = {"all": score(texts, truth, ids), "tune_half": score(texts, truth, tune),
                                  "check_half": score(texts, truth, check)}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_pages(tmp / "pages", pages)
        result["library_pages_per_second"] = parse_rate(tmp / "pages")
        result["newsdag_pages"] = evaluate_folder("pages", tmp / "pages", tmp / "wh_pages", truth, ids)
        write_crawl(tmp / "warc", pages, truth)
        result["newsdag_warc"] = evaluate_folder("warc", tmp / "warc", tmp / "wh_warc", truth, ids)
    for name in ("newsdag_pages", "newsdag_warc"):
        r = result[name]
        print(f"{name}: F1 {r['scores_all']['f1']:.3f} (P {r['scores_all']['precision']:.3f}, "
              f"R {r['scores_all']['recall']:.3f}); tune half {r['scores_tune_half']['f1']:.3f}, "
              f"check half {r['scores_check_half']['f1']:.3f}; {r['n_articles']} articles; "
              f"{r['pages_per_second_parse']} pages/s; published from {r['published_from']}; "
              f"URLs matching {r['canonical_url_matches']}/{r['n_pages']}")
    print(f"library, one pass: {result['library_pages_per_second']}")
    for tool, r in result["others"].items():
        print(f"{tool}: F1 {r['all']['f1']:.3f}")
    return result


if __name__ == "__main__":
    path = run_recorded("bench/eval_extraction.py", "extraction", main)
    print(f"saved {path}")
