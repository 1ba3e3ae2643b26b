"""Build a news stream of N articles from the real texts in ../shared/data, with its ground truth.

    .venv/bin/python bench/generate_corpus.py 10000 /tmp/corpus10k [--seed 0] [--days D] [--chains P] [--own-vocabulary]

Each story starts with an original article published by an originating outlet:

* a real article: an L2R original (BBC news and 20 other domains) or a
  WikiRef220 document, headed by a UCI title; or
* a composed article: 8 to 16 MSRP news sentences, for the volume a million
  articles needs, with two or three sentences naming the story's own people
  and places (made-up names, unique to the story). Real stories are told
  around their names; without them, unrelated composed stories would differ
  only in which of the same 5,801 MSRP sentences they drew, and the
  benchmark would measure that artefact instead of story finding.
  Even so, at thousands of articles a day unrelated composed stories of the
  same day still share MSRP sentences, names, numbers and all. With
  ``--own-vocabulary`` each story also gets its own vocabulary: every
  capitalised word inside a sentence and every number in its MSRP sentences
  (and in its rewrites and own takes) is replaced by a made-up word or number
  of that story's alone, the same one wherever that story uses it. Two
  unrelated stories that drew the same sentence then share only its common
  lower-case words, as two real stories told in the same news language do.
  Off by default: the corpus every earlier figure was measured on.

Other outlets then carry the story within two days, each with its habit:

* **wire copiers** paste the original (whole, or its first paragraphs):
  planted verbatim reuse. With ``--chains P``, a copier that comes after
  another copy of the story pastes that copy instead, with probability P
  (a copy of a copy, published after it, with its own credit line); 0 by default, the corpus every
  other figure was measured on;
* **rewriters** publish a paraphrase: the real GPT-3.5 or Llama-3 rewrite
  for an L2R news original, else the original with each sentence swapped
  for its MSRP paraphrase where one exists: planted paraphrase;
* **originators** also write their own take on some stories: the story's
  headline, its names and a different set of sentences (same story, not
  derived).

Written as a raw folder a user would have: one JSON Lines feed per outlet per
day, and some originals as plain-text files under their outlet's folder
(``<outlet>/<id>.txt``).
``truth.parquet`` beside it has, for each article (by feed id): ``story``,
``origin_id`` (the article it derives from, or null), ``root_id`` (the
original at the start of its chain of derivation, or null), ``body_source``
(the real text its story's original was made from, ``news:I`` or ``other:I``,
or ``composed:S``: the real pools are small, so at ten thousand articles
several stories start from the same real text, and an earlier one of them is
as good an origin as the planted one), ``reuse``
(original / verbatim / paraphrase / own_take), ``method`` (how it was made:
whole copy, first paragraphs, LLM rewrite, MSRP sentence swap, own take) and
``outlet``.
Same seed, same corpus.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import shared_data  # noqa: E402

N_ORIGINATORS, N_COPIERS, N_REWRITERS = 10, 20, 20
START = pd.Timestamp("2024-01-01", tz="UTC")


def load_pools() -> dict:
    d = shared_data()
    l2r = d / "l2r-llm-rewrites"
    news = json.loads((l2r / "NewsArticle" / "human.json").read_text())
    rewrites = [json.loads((l2r / "NewsArticle" / f"{m}.json").read_text()) for m in ("GPT-3-Turbo", "Llama-3-70B")]
    other = []
    for domain in sorted(p.name for p in l2r.iterdir() if p.is_dir() and p.name != "NewsArticle"):
        other += json.loads((l2r / domain / "human.json").read_text())
    wiki = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((d / "wikiref220" / "files").iterdir())]
    msrp = pd.read_csv(d / "msrp" / "msr_paraphrase_data.txt", sep="\t", quoting=csv.QUOTE_NONE, encoding="utf-8-sig")
    pairs = pd.read_csv(d / "msrp" / "msr_paraphrase_train.txt", sep="\t", quoting=csv.QUOTE_NONE, encoding="utf-8-sig")
    text_of = dict(zip(msrp["Sentence ID"], msrp["String"].astype(str)))
    para = {}
    for r in pairs[pairs["Quality"] == 1].itertuples():
        a, b = text_of.get(r[2]), text_of.get(r[3])
        if a and b:
            para[a], para[b] = b, a
    titles = pd.read_parquet(d / "uci-news-aggregator" / "newsCorpora.parquet", columns=["TITLE"])["TITLE"].tolist()
    return {"news": news, "rewrites": rewrites, "other": other + wiki, "sentences": list(text_of.values()),
            "paraphrase_of": para, "titles": titles}


_SYLLABLES = ["ka", "lo", "mir", "ta", "ven", "sor", "dri", "el", "an", "bru", "qui", "zet", "mo", "ra", "nys",
              "tal", "gor", "ise", "pha", "dun", "vel", "cor", "ith", "ul"]
_NAME_SENTENCES = ["{person} spoke to reporters in {place}.", "Officials in {place} confirmed the account.",
                   "{person} of {group} declined to comment further.", "The {group} statement was issued in {place}.",
                   "{person} said more details would follow."]


def story_names(rng: random.Random) -> dict:
    """Made-up names for one story: a person, a place and a group."""
    word = lambda k: "".join(rng.choice(_SYLLABLES) for _ in range(k)).capitalize()
    return {"person": f"{word(2)} {word(3)}", "place": word(3), "group": f"{word(2)} {rng.choice(['Group', 'Council', 'Union'])}"}


def with_names(sentences: list[str], names: dict, rng: random.Random) -> str:
    """``sentences`` with two or three sentences naming the story's people and places inserted."""
    out = list(sentences)
    for template in rng.sample(_NAME_SENTENCES, rng.randint(2, 3)):
        out.insert(rng.randint(0, len(out)), template.format(**names))
    return " ".join(out)


_ENTITY = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+\b|\b\d+\b")


def own_vocabulary(text: str, story: int, seed: int) -> str:
    """``text`` with its capitalised words (not a sentence's first) and its
    numbers replaced by story ``story``'s own made-up words and numbers.

    The replacement of a word depends only on (seed, story, word), so an MSRP
    sentence and its paraphrase, or an original and its copies, get the same
    names. Input and output: one string.
    """
    def replace(match: re.Match) -> str:
        word = match.group(0)
        rng = random.Random(f"{seed}:{story}:{word}")
        if word.isdigit():
            return str(rng.randrange(10 ** (len(word) - 1) if len(word) > 1 else 0, 10 ** len(word)))
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    return _ENTITY.sub(replace, text)


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def generate(n: int, out: Path, seed: int = 0, days: int | None = None, chains: float = 0.0,
             vocabulary: bool = False) -> pd.DataFrame:
    """Write a corpus of ``n`` articles to ``out`` (``raw/`` and ``truth.parquet``)
    and return its truth table. ``vocabulary``: give each composed story its
    own names and numbers (``--own-vocabulary``)."""
    rng = random.Random(seed)
    pools = load_pools()
    originators = [f"origin{i:02d}" for i in range(N_ORIGINATORS)]
    copiers = [f"wire{i:02d}" for i in range(N_COPIERS)]
    rewriters = [f"rewrite{i:02d}" for i in range(N_REWRITERS)]
    n_days = days or max(7, n // 1500)  # by default about 1,500 articles a day
    records: list[dict] = []
    truth: list[dict] = []
    story = 0
    while len(records) < n:
        story += 1
        day = START + pd.Timedelta(days=rng.randrange(n_days), hours=rng.randrange(6, 18))
        title = rng.choice(pools["titles"])
        kind = rng.random()
        news_idx = None
        names = None
        if kind < 0.1:
            news_idx = rng.randrange(len(pools["news"]))
            body = pools["news"][news_idx]
            body_source = f"news:{news_idx}"
        elif kind < 0.3:
            body = rng.choice(pools["other"])
            body_source = f"other:{pools['other'].index(body)}"
        else:
            body_source = f"composed:{story}"
            names = story_names(rng)
            body = with_names(rng.sample(pools["sentences"], rng.randint(8, 16)), names, rng)
        # The story's texts pass through rename(); the sentence swap below looks
        # MSRP paraphrases up by the text as drawn, before renaming.
        rename = (lambda text, story=story: own_vocabulary(text, story, seed)) if vocabulary and names else str
        msrp_body, body = body, rename(body)
        origin_id = f"s{story}-0"
        src = rng.choice(originators)
        records.append({"id": origin_id, "source": src, "published": day, "title": title, "text": body})
        truth.append({"id": origin_id, "story": story, "origin_id": None, "root_id": None, "reuse": "original",
                      "outlet": src, "method": "original", "body_source": body_source})
        copies: list[tuple[str, pd.Timestamp, str]] = []  # this story's verbatim copies: (id, time, text)
        # Followers: 0 to 12, more for some stories (wire stories travel far).
        n_follow = min(rng.choice([0, 0, 1, 2, 3, 4, 6, 8, 12]), n - len(records))
        for k in range(1, n_follow + 1):
            when = day + pd.Timedelta(minutes=rng.randrange(10, 2 * 24 * 60))
            r = rng.random()
            fid = f"s{story}-{k}"
            if r < 0.45:
                outlet = rng.choice(copiers)
                paras = paragraphs(body)
                keep = paras if rng.random() < 0.6 or len(paras) < 2 else paras[: rng.randint(1, len(paras) - 1)]
                text, reuse, origin = "\n\n".join(keep), "verbatim", origin_id
                method = "whole copy" if keep is paras else "first paragraphs"
                # Only drawn when asked for, so that chains=0 gives the corpus it always gave.
                if chains > 0 and copies and rng.random() < chains:
                    origin, copied_when, copied = rng.choice(copies)
                    # Its own credit line, so it is not an exact duplicate (which the pipeline folds into the first copy).
                    text = f"{copied}\n\nDistributed by {outlet}."
                    when = max(when, copied_when + pd.Timedelta(minutes=rng.randrange(10, 12 * 60)))
                    method = "copy of a copy"
                copies.append((fid, when, text))
            elif r < 0.85:
                outlet = rng.choice(rewriters)
                if news_idx is not None:
                    text = rng.choice(pools["rewrites"])[news_idx]
                    method = "LLM rewrite"
                else:
                    sents = re.split(r"(?<=[.!?])\s+", msrp_body)
                    text = rename(" ".join(pools["paraphrase_of"].get(s, s) for s in sents))
                    method = "MSRP sentence swap"
                reuse, origin = "paraphrase", origin_id
            else:
                outlet = rng.choice(originators)
                sentences = rng.sample(pools["sentences"], rng.randint(6, 12))
                text = rename(with_names(sentences, names, rng) if names else " ".join(sentences))
                text = f"{title}. {text}"
                reuse, origin, method = "own_take", None, "own take"
            records.append({"id": fid, "source": outlet, "published": when, "title": title, "text": text})
            truth.append({"id": fid, "story": story, "origin_id": origin, "root_id": origin_id if origin else None,
                          "reuse": reuse, "outlet": outlet, "method": method, "body_source": body_source})
    write_raw(records, truth, out)
    t = pd.DataFrame(truth)
    t.to_parquet(out / "truth.parquet", index=False)
    return t


def write_raw(records: list[dict], truth: list[dict], out: Path) -> None:
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    feeds: dict[tuple[str, str], list[str]] = {}
    for i, (r, t) in enumerate(zip(records, truth)):
        # Every 20th original as a plain-text file (its date line has no time
        # of day, which only moves an original earlier: the truth holds).
        if i % 20 == 19 and t["reuse"] == "original":
            (raw / r["source"]).mkdir(exist_ok=True)
            (raw / r["source"] / f"{r['id']}.txt").write_text(
                f"date {r['published'].date()} {r['text']}", encoding="utf-8")
            continue
        key = (r["source"], str(r["published"].date()))
        feeds.setdefault(key, []).append(json.dumps({**r, "published": r["published"].isoformat()}, ensure_ascii=False))
    for (source, day), lines in sorted(feeds.items()):
        (raw / "feeds" / day).mkdir(parents=True, exist_ok=True)
        (raw / "feeds" / day / f"{source}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--days", type=int, help="days the stories start on (default: N / 1500, at least 7)")
    parser.add_argument("--chains", type=float, default=0.0,
                        help="chance that a wire copy pastes an earlier copy instead of the original (default 0)")
    parser.add_argument("--own-vocabulary", action="store_true",
                        help="give each composed story its own names and numbers, so unrelated stories share only common words")
    args = parser.parse_args()
    truth = generate(args.n, args.out, args.seed, args.days, args.chains, args.own_vocabulary)
    print(f"{len(truth)} articles, {truth['story'].nunique()} stories -> {args.out}")
    print(truth["reuse"].value_counts().to_string())


if __name__ == "__main__":
    main()
