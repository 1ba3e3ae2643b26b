"""Render the tables of bench/RESULTS.md from the recorded results in bench/results/*.json.

    .venv/bin/python bench/report.py > /tmp/tables.md

Every figure in RESULTS.md's tables comes from a results file written by the
benchmark or evaluation that measured it; this script only formats them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def load(name: str) -> dict | None:
    p = RESULTS / f"{name}.json"
    return json.loads(p.read_text()) if p.exists() else None


def table_head(*columns: str) -> list[str]:
    """A Markdown table's header and separator lines for ``columns``."""
    return ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]


def header(r: dict) -> str:
    return f"Command: `{r['command']}` · commit `{r['commit']}` · {r['machine']} · {r['seconds_total']:.0f} s, peak RSS {r['peak_rss_mib']} MiB"


def uci_time_weight() -> list[str]:
    r = load("story_settings_sweep_uci")
    if not r:
        return []
    res = r["result"]
    names = list(res["mean_bcubed_f1"]["tune"])
    out = ["### UCI News Aggregator: the time weight", "", header(r), "",
           "Mean B-cubed F1 over weeks; the shipped default is half-life 8 h within a 1-day window.", "",
           "| settings | " + " | ".join(f"{s} ({sum(w['split'] == s for w in res['weeks'])} weeks)" for s in ("tune", "check")) + " |",
           "|---|---|---|"]
    for name in names:
        bold = "**" if name == "half-life 8 h" else ""
        out.append(f"| {name} | " + " | ".join(f"{bold}{res['mean_bcubed_f1'][s][name]:.3f}{bold}" for s in ("tune", "check")) + " |")
    return out


def stories() -> list[str]:
    out = []
    w = load("stories_uci-weeks")
    if w:
        out += ["### UCI News Aggregator, week by week", "", header(w), "",
                "| week | split | articles | stories | ours, defaults (P / R / F1) | ours, 0-day window, no time weight F1 | ours, 1-day window, no time weight F1 | connected components (best threshold) | Louvain top-10 | average linkage top-20 | our seconds (defaults) |",
                "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in w["result"]["weeks"]:
            o, o0, o1, b = r["ours_defaults"], r["ours_window0_flat"], r["ours_window1_flat"], r["baselines_window0"]
            out.append(f"| {r['week']} | {r['split']} | {r['n_articles']:,} | {r['n_stories']:,} | "
                       f"{o['bcubed_precision']:.3f} / {o['bcubed_recall']:.3f} / **{o['bcubed_f1']:.3f}** | {o0['bcubed_f1']:.3f} | {o1['bcubed_f1']:.3f} | "
                       f"{b['connected_components_best_threshold']['bcubed_f1']:.3f} | {b['louvain_top10']['bcubed_f1']:.3f} | "
                       f"{b['average_linkage_top20']['bcubed_f1']:.3f} | {o['seconds_end_to_end']} |")
        out += ["", "Mean B-cubed F1 over weeks:", "", "| split | weeks | ours, defaults | ours 0-day, no time weight | ours 1-day, no time weight | connected components | Louvain | average linkage |", "|---|---|---|---|---|---|---|---|"]
        for split, m in w["result"]["mean_over_weeks"].items():
            out.append(f"| {split} | {m['n_weeks']} | **{m['ours_defaults_bcubed_f1']:.3f}** | {m['ours_window0_flat_bcubed_f1']:.3f} | {m['ours_window1_flat_bcubed_f1']:.3f} | "
                       f"{m['connected_components_best_threshold_bcubed_f1']:.3f} | {m['louvain_top10_bcubed_f1']:.3f} | {m['average_linkage_top20_bcubed_f1']:.3f} |")
        out.append("")
    a = load("stories_uci-all")
    if a:
        out += ["### UCI News Aggregator, the whole set in one run", "", header(a), "",
                "| settings | articles | B-cubed P / R / F1 | pairwise F1 | NMI | ARI | stories found / gold | seconds end to end | seconds by step | peak RSS so far (MiB) |", "|---|---|---|---|---|---|---|---|---|---|"]
        for k, v in a["result"].items():
            if k.startswith("ours_"):
                out.append(f"| {k.removeprefix('ours_')} | {v['n_items']:,} | {v['bcubed_precision']:.3f} / {v['bcubed_recall']:.3f} / **{v['bcubed_f1']:.3f}** | "
                           f"{v['pairwise_f1']:.3f} | {v['nmi']:.3f} | {v['ari']:.3f} | {v['n_clusters']:,} / {v['n_classes']:,} | {v['seconds_end_to_end']} | "
                           f"{', '.join(f'{s} {t}' for s, t in v['seconds_by_step'].items())} | {v['peak_rss_mib_so_far']} |")
        out.append("")
    wr = load("stories_wikiref")
    if wr:
        r = wr["result"]
        o = r["ours_default"]
        out += ["### WikiRef220", "", header(wr), "",
                "| method | B-cubed P / R / F1 | NMI | ARI | clusters / labels |", "|---|---|---|---|---|",
                f"| ours (defaults) | {o['bcubed_precision']:.3f} / {o['bcubed_recall']:.3f} / **{o['bcubed_f1']:.3f}** | {o['nmi']:.3f} | {o['ari']:.3f} | {o['n_clusters']} / {o['n_classes']} |"]
        if "ours_threads" in r:
            t = r["ours_threads"]
            out.append(f"| ours, story_threads | {t['bcubed_precision']:.3f} / {t['bcubed_recall']:.3f} / {t['bcubed_f1']:.3f} | "
                       f"{t['nmi']:.3f} | {t['ari']:.3f} | {t['n_clusters']} / {t['n_classes']} |")
        for k, v in r.items():
            if k.startswith("ours_full_text_"):
                threads = f", threads F1 {v['threads_bcubed_f1']:.3f}" if "threads_bcubed_f1" in v else ""
                out.append(f"| ours, {setting_label(k.removeprefix('ours_'))} | {v['bcubed_precision']:.3f} / "
                           f"{v['bcubed_recall']:.3f} / {v['bcubed_f1']:.3f}{threads} | | | |")
        for b, v in r["baselines"].items():
            out.append(f"| {b.replace('_', ' ')} | F1 {v['bcubed_f1']:.3f} | | | |")
        out += ["", f"On the five main topics only (the 185 documents outside the noise topics), our B-cubed F1 is {r['ours_default_main_topics_only']['bcubed_f1']:.3f}.", ""]
    return out


def overlap() -> list[str]:
    r = load("overlap_all")
    if not r:
        return []
    l2r, cl, ms = r["result"]["l2r"], r["result"]["clough"], r["result"]["msrp"]
    out = ["### L2R: BBC originals and their LLM rewrites", "", header(r), "",
           "| rewrites | pair compared | origin_article_id is the original | labelled derived (wholly + partially) | wholly | reuse_kind | strongest source is the original | baseline: 3-gram containment finds the original |",
           "|---|---|---|---|---|---|---|---|"]
    for m in ["gpt35", "llama3"]:
        v = l2r[m]
        out.append(f"| {m} | {v['pair_found']}/200 | **{v['origin_is_original']}/200** | **{v['labelled_derived']}/200** | {v['labelled_wholly']}/200 | "
                   f"{', '.join(f'{k} {n}' for k, n in sorted(v['reuse_kind'].items()))} | {v['strongest_source_is_original']}/200 | {v['baseline_trigram_containment_finds_original']}/200 |")
    if "article_origins" in l2r:
        o = l2r["article_origins"]
        traced = sum(l2r[m]["article_origins_traced_to_original"] for m in ["gpt35", "llama3"])
        out += ["", f"`article_origins`: **{traced}/400** rewrites have their original as origin "
                    f"(gpt35 {l2r['gpt35']['article_origins_traced_to_original']}/200, llama3 {l2r['llama3']['article_origins_traced_to_original']}/200); "
                    f"{o['rewrites_missed']} rewrites are taken for originals; **{o['wrong_origin']}** of {o['n_articles']} articles "
                    f"({o['wrong_origin_share']:.1%}) have another article as a wrong origin; {o['originals_marked_derived']} BBC original is marked derived."]
    out += ["", f"Unrelated pairs compared (two different originals, or a rewrite and another original): {l2r['unrelated_pairs_compared']}; labelled derived: {l2r['unrelated_pairs_labelled_derived']}. End to end: {l2r['seconds_end_to_end']} s for 600 articles.", "",
            "### Clough & Stevenson: graded text reuse", "",
            "| measure | ours | baseline: word 3-gram containment |", "|---|---|---|",
            f"| Spearman with the level (cut > light > heavy > non) | **{cl['spearman_ours_reuse']:.3f}** | {cl['spearman_baseline_trigram_containment']:.3f} |",
            f"| accuracy, derived vs non (95 answers) | **{cl['accuracy_derived_vs_non_ours']:.3f}** | {cl['accuracy_derived_vs_non_baseline_best_threshold']:.3f} (threshold {cl['baseline_best_threshold']} chosen on these labels) |",
            f"| heavy (paraphrased) answers found derived | {cl['heavy_detected_ours']}/{cl['heavy_answers']} | {cl['heavy_detected_baseline_best_threshold']}/{cl['heavy_answers']} |",
            f"| non answers wrongly called derived | {cl['non_falsely_derived_ours']}/38 | {cl['non_falsely_derived_baseline']}/38 |",
            f"| METER-style three classes, macro F1 (cut, light = wholly; heavy = partially; non) | {cl['meter_style_macro_f1']:.3f} (wholly {cl['meter_style_f1_by_class']['wholly']:.3f}, partially {cl['meter_style_f1_by_class']['partially']:.3f}, non {cl['meter_style_f1_by_class']['non']:.3f}) | |",
            "", "Mean scores by level:", "", "| level | reuse score | containment | aligned share |", "|---|---|---|---|"]
    for level in ["cut", "light", "heavy", "non"]:
        v = cl["mean_by_level"][level]
        out.append(f"| {level} | {v['ours_reuse']:.3f} | {v['ours_containment']:.3f} | {v['ours_aligned_share']:.3f} |")
    out += ["", f"Pairs compared: {cl['pairs_found']}/95, origin = the Wikipedia source: {cl['origin_is_source']}/95.", "",
            "### MSRP: sentence paraphrase", "",
            "| similarity | ROC-AUC (4,076 train pairs) |", "|---|---|",
            f"| ours: stemmed-word TF-IDF cosine (the `sentence_alignments` similarity) | **{ms['roc_auc_sentence_alignment_similarity']:.4f}** |",
            f"| plain word TF-IDF cosine | {ms['roc_auc_baseline_tfidf_unigrams']:.4f} |",
            f"| the article vectoriser's settings (uni+bigrams, stop words removed) | {ms['roc_auc_baseline_article_tfidf_settings']:.4f} |",
            "", f"Best-F1 threshold on MSRP: {ms['best_f1_threshold']} (F1 {ms['best_f1']:.3f}); the alignment threshold is 0.45.", ""]
    return out


def bench() -> list[str]:
    out = []
    methods = ["whole copy", "first paragraphs", "MSRP sentence swap", "LLM rewrite"]
    for p in sorted(RESULTS.glob("bench_*.json")):
        r = json.loads(p.read_text())
        if any(v.get("articles_per_day") for v in r["runs"]):
            continue  # rendered by density()
        out += [f"Command: `{r['command']}` · commit `{r['commit']}` · {r['machine']}", ""]
        if r["runs"]:
            out += table_head("articles", "backend", "raw MB", "end to end s", "articles/s", "raw MB/s",
                              "parse / tfidf / clustering / overlap s", "peak RSS MiB (Python driver / with JVM and workers)",
                              "story B-cubed F1", "copies traced", "rewrites traced")
        for v in r["runs"]:
            s = v["seconds_by_stage"]
            rss = f"{v['peak_rss_mib']}" + (f" / {v['peak_rss_with_children_mib']}" if "peak_rss_with_children_mib" in v else "")
            out.append(f"| {v['n_articles']:,} | {v.get('compute', 'local')} | {v['raw_mb']} | {v['seconds_end_to_end']} | "
                       f"{v['articles_per_second']} | {v['raw_mb_per_second']} | "
                       f"{s['parse']} / {s['tfidf']} / {s['clustering']} / {s['overlap']} | {rss} | {v['story_bcubed_f1']:.3f} | "
                       f"{v['traced_to_origin_and_derived']['verbatim']:.3f} | {v['traced_to_origin_and_derived']['paraphrase']:.3f} |")
        if r["hand_written"]:
            out += ["", "Hand-written pipeline (TfidfVectorizer, all-pairs cosine_similarity, AgglomerativeClustering average linkage, best threshold on the truth):", "",
                    "| articles | seconds (TF-IDF + similarities + clustering) | story B-cubed F1 | peak RSS MiB |", "|---|---|---|---|"]
            for v in r["hand_written"]:
                if "failed" in v:
                    out.append(f"| {v['n_articles']:,} | failed: {v['failed'][-120:]} | | |")
                else:
                    out.append(f"| {v['n_articles']:,} | {v['seconds_clustering']} | {v['story_bcubed_f1']:.3f} | {v['peak_rss_mib']} |")
        if r.get("minhash") or r.get("textdedup"):
            ours = {v["n_articles"]: v for v in r["runs"] if v.get("compute", "local") == "local"}
            out += ["", "Finding each planted copy or rewrite paired with its original: newsdag (overlap stage, a pair labelled "
                    "wholly or partially derived), datasketch MinHash LSH (a candidate pair) and text-dedup's MinHash (the same "
                    "near-duplicate cluster); word 5-shingles, 128 permutations, Jaccard 0.5 for both; same corpus:", "",
                    "| articles | tool | seconds | " + " | ".join(methods) + " | pairs output |",
                    "|---|---|---|" + "---|" * len(methods) + "---|"]
            for tool, key in (("MinHash LSH", "minhash"), ("text-dedup", "textdedup")):
                for v in r.get(key) or []:
                    if "failed" in v:
                        out.append(f"| {v['n_articles']:,} | {tool} | failed: {v['failed'][-120:]} |")
                        continue
                    o = ours.pop(v["n_articles"], None)
                    if o and "pair_found_derived" in o:
                        out.append(f"| {v['n_articles']:,} | newsdag | {o['seconds_by_stage']['overlap']} | "
                                   + " | ".join(f"{o['pair_found_derived'].get(m, 0):.3f}" for m in methods) + f" | {o['n_pairs']:,} |")
                    pairs = f"{v['n_pairs']:,}" if "n_pairs" in v else f"{v['n_clustered']:,} articles in a cluster"
                    out.append(f"| {v['n_articles']:,} | {tool} | {v['seconds']} | "
                               + " | ".join(f"{v['pair_found'].get(m, 0):.3f}" for m in methods) + f" | {pairs} |")
        out.append("")
    return out


def growth(files=("bench_10000_20000", "bench_100000", "bench_300000", "bench_1000000")) -> list[str]:
    """Growth exponents k (time ∝ N^k) between consecutive sizes of the local
    runs in ``files``, and from 100k to the largest (the issue's span)."""
    import math

    runs = {}
    for name in files:
        r = load(name)
        for v in (r or {}).get("runs", []):
            if v.get("compute", "local") == "local":
                runs[v["n_articles"]] = (v, r["commit"])
    sizes = sorted(runs)
    if len(sizes) < 2:
        return []
    out = ["| from → to | commits | end to end | parse | tfidf | clustering | overlap | peak RSS |", "|---|---|---|---|---|---|---|---|"]
    spans = list(zip(sizes, sizes[1:]))
    if 100_000 in runs and sizes[-1] > 100_000 and (100_000, sizes[-1]) not in spans:
        spans.append((100_000, sizes[-1]))
    for a, b in spans:
        (va, ca), (vb, cb) = runs[a], runs[b]
        k = lambda x, y: f"{math.log(y / x) / math.log(b / a):.2f}" if x and y else "n/a"
        stages = " | ".join(k(va["seconds_by_stage"][s], vb["seconds_by_stage"][s]) for s in ["parse", "tfidf", "clustering", "overlap"])
        out.append(f"| {a:,} → {b:,} | `{ca}`, `{cb}` | {k(va['seconds_end_to_end'], vb['seconds_end_to_end'])} | {stages} | "
                   f"{k(va['peak_rss_mib'], vb['peak_rss_mib'])} |")
    return out + [""]


STEPS_OF_STAGE = {"parse": ["raw_files", "parse_articles", "sentences"], "tfidf": ["tfidf"],
                  "clustering": ["story_clusters", "stories"], "overlap": ["overlap", "outlet_tables"]}


def memory(files=("tuning/bench_100000_d721d24_before_memory_work", "tuning/bench_300000_d721d24_before_memory_work",
                  "bench_10000_20000", "bench_100000", "bench_300000", "bench_1000000")) -> list[str]:
    """Peak memory of the process while each stage's steps ran (MiB), per local run in ``files``."""
    out = ["| articles | commit | parse | tfidf | clustering | overlap | whole run |", "|---|---|---|---|---|---|---|"]
    for name in files:
        r = load(name)
        for v in (r or {}).get("runs", []):
            by_step = v.get("peak_rss_with_children_mib_by_step")
            if v.get("compute", "local") != "local" or not by_step:
                continue
            peaks = " | ".join(f"{max(by_step.get(s, 0) for s in steps):,}" for steps in STEPS_OF_STAGE.values())
            out.append(f"| {v['n_articles']:,} | `{r['commit']}` | {peaks} | {v['peak_rss_with_children_mib']:,} |")
    return out + [""]


def story_sweep() -> list[str]:
    out = []
    # The UCI sweep has its own table (uci_time_weight).
    for p in sorted(RESULTS.glob("story_settings_sweep_[0-9]*.json")):
        r = json.loads(p.read_text())
        out += [header(r), "", f"{r['result']['n_articles']:,} generated articles (seed {r['result']['seed']}):", "",
                "| settings (changed from the defaults) | B-cubed precision | recall | F1 |", "|---|---|---|---|"]
        for v in r["result"]["runs"]:
            changed = ", ".join(f"{k} {x}" for k, x in v["overrides"].items()) or "defaults"
            out.append(f"| {changed} | {v['bcubed_precision']:.3f} | {v['bcubed_recall']:.3f} | {v['bcubed_f1']:.3f} |")
        out.append("")
    return out


# (articles, file with the local run, file with the Spark run): the Spark side
# was rerun after Spark-only changes, and the 1M local run is the one of the
# scale benchmark.
SPARK_PAIRS = [(10_000, "bench_10000_local_spark", "bench_10000_local_spark"),
               (100_000, "bench_100000_local_spark", "bench_100000_spark"),
               (1_000_000, "bench_1000000", "bench_1000000_spark")]


def spark() -> list[str]:
    """Local against Spark at each size run on both: time per stage and what a Spark core does against a local one."""
    out = []
    cores = 2  # the runs use NEWSDAG_SPARK_MASTER=local[2]; the local backend's heavy stages run on one core
    for n, local_file, spark_file in SPARK_PAIRS:
        files = {"local": load(local_file), "spark": load(spark_file)}
        runs = {c: next((v for v in (r or {}).get("runs", []) if v["n_articles"] == n and v.get("compute", "local") == c), None)
                for c, r in files.items()}
        if None in runs.values():
            continue
        for c in ("local", "spark") if local_file != spark_file else ("local",):
            r = files[c]
            out.append(f"{'Both' if local_file == spark_file else c.capitalize()}: `{r['command']}` · commit `{r['commit']}` · {r['machine']}  ")
        out += ["", "| articles | stage | local s (1 core) | Spark local[2] s | Spark / local time | work per Spark core against one local core |",
                "|---|---|---|---|---|---|"]
        lo, sp = runs["local"], runs["spark"]
        for stage in ["tfidf", "clustering", "overlap"]:
            tl, ts = lo["seconds_by_stage"][stage], sp["seconds_by_stage"][stage]
            out.append(f"| {n:,} | {stage} | {tl} | {ts} | {ts / tl:.2f} | {tl / (cores * ts):.2f} |")
        tl, ts = lo["seconds_end_to_end"], sp["seconds_end_to_end"]
        out.append(f"| {n:,} | end to end | {tl} | {ts} | {ts / tl:.2f} | |")
        ml, ms = lo.get("peak_rss_with_children_mib"), sp.get("peak_rss_with_children_mib")
        if ml and ms:  # runs before the tree's memory was measured have none
            out.append(f"| {n:,} | peak memory, MiB (Spark: with the JVM and its Python workers) | {ml:,} | {ms:,} | {ms / ml:.2f} | |")
        out.append("")
    return out


def incremental() -> list[str]:
    out = []
    for p in sorted(RESULTS.glob("incremental_*.json")):
        r = json.loads(p.read_text())
        v = r["result"]
        out += [header(r), "",
                "| | seconds | parse (raw_files + articles + sentences) | tfidf | story_clusters | overlap | stories + outlet tables | checks |",
                "|---|---|---|---|---|---|---|---|"]
        for label, key in (("build every day but the new one", "build_all_but_last_day"),
                           ("add the new day (incremental)", "add_last_day"), ("full rebuild", "full_rebuild")):
            st = v[key]["steps"]
            parse = st.get("raw_files", 0) + st.get("parse_articles", 0) + st.get("sentences", 0)
            people = st.get("stories", 0) + st.get("outlet_tables", 0)
            checks = sum(t for k, t in st.items()) - parse - st.get("tfidf", 0) - st.get("story_clusters", 0) - st.get("overlap", 0) - people
            out.append(f"| {label} | {v[key]['seconds']} | {parse:.1f} | {st.get('tfidf', 0)} | {st.get('story_clusters', 0)} | "
                       f"{st.get('overlap', 0)} | {people:.1f} | {checks:.1f} |")
        out += ["", f"{v['n_articles']:,} articles whose stories start over {v['days']} days; the new day "
                f"({v['new_days'][0]}, with its follow-ups to {v['new_days'][1]}) brings {v['articles_arriving']:,} articles. "
                f"Adding it costs **{v['incremental_share_of_rebuild']:.0%}** of a full rebuild. Story ids kept: "
                f"{v['story_ids_kept']:.2%} of all earlier articles, {v['story_ids_kept_before_trailing_window']:.0%} of those "
                f"older than the trailing window. Incremental stories against rebuilt ones: B-cubed F1 "
                f"{v['bcubed_f1_incremental_vs_rebuild']:.3f}. Against the planted truth: {v['bcubed_f1_vs_truth']['incremental']:.3f} "
                f"incremental, {v['bcubed_f1_vs_truth']['rebuild']:.3f} rebuilt.", ""]
    return out


def density() -> list[str]:
    """The runs at several densities (run_bench.py --per-day): a table each, and the growth exponents."""
    out = []
    for p in sorted(RESULTS.glob("bench_*perday*.json")):
        r = json.loads(p.read_text())
        out += [f"Command: `{r['command']}` · commit `{r['commit']}` · {r['machine']}", ""]
        if r["runs"]:
            out += table_head("articles", "articles a day", "days", "end to end s", "parse / tfidf / clustering / overlap s",
                              "peak RSS MiB", "stories: B-cubed P / R / F1", "threads: B-cubed F1", "copies traced",
                              "rewrites traced")
        for v in r["runs"]:
            s, (sp, sr, sf) = v["seconds_by_stage"], v["story_bcubed_precision_recall_f1"]
            out.append(f"| {v['n_articles']:,} | {v['n_articles'] / v['days']:,.0f} | {v['days']} | {v['seconds_end_to_end']} | "
                       f"{s['parse']} / {s['tfidf']} / {s['clustering']} / {s['overlap']} | {v['peak_rss_with_children_mib']} | "
                       f"{sp:.3f} / {sr:.3f} / **{sf:.3f}** | {v['thread_bcubed_precision_recall_f1'][2]:.3f} | "
                       f"{v['traced_to_origin_and_derived']['verbatim']:.3f} | {v['traced_to_origin_and_derived']['paraphrase']:.3f} |")
        if r.get("hand_written"):
            ours = {(v["n_articles"], v["articles_per_day"]): v for v in r["runs"] if v.get("compute", "local") == "local"}
            out += ["", "Against the hand-written pipeline (TfidfVectorizer, all-pairs cosine_similarity, AgglomerativeClustering "
                        "average linkage, best threshold on the truth) on the same texts:", "",
                    *table_head("articles", "articles a day", "hand-written: seconds", "hand-written: story B-cubed F1",
                                "hand-written: peak RSS MiB", "newsdag tfidf + clustering s", "newsdag story B-cubed F1")]
            for v in r["hand_written"]:
                o = ours.get((v["n_articles"], v.get("articles_per_day")))
                mine = (f"{o['seconds_by_stage']['tfidf'] + o['seconds_by_stage']['clustering']:.1f} | {o['story_bcubed_f1']:.3f}"
                        if o else " | ")
                hand = (f"failed: {v['failed'][-120:]} | | " if "failed" in v
                        else f"{v['seconds_clustering']} | {v['story_bcubed_f1']:.3f} | {v['peak_rss_mib']}")
                out.append(f"| {v['n_articles']:,} | {v.get('articles_per_day') or ''} | {hand} | {mine} |")
        for key, g in r.get("growth_against_articles_per_day", {}).items():
            out += ["", f"Growth exponent against articles a day ({key}): "
                        + ", ".join(f"{stage} {x:+.2f}" for stage, x in g.items()) + "."]
        out.append("")
    return out


def setting_label(variant: str) -> str:
    """``full_text_resolution_0.03`` -> ```full_text_resolution: 0.03```."""
    name, value = variant.rsplit("_", 1)
    return f"`{name}: {value}`"


def semeval() -> list[str]:
    r = load("stories_semeval")
    if not r:
        return []
    res = r["result"]
    out = ["### SemEval-2022 Task 8: same-story pairs of full articles", "", header(r), "",
           (f"{res['n_pairs_with_both_articles']:,} pairs with a clear judgement over {res['n_articles']:,} articles. "
            "Settings were chosen on the tuning two thirds; the check third was only scored."), "",
           ("| pairs | part | same-story pairs | different-story pairs | stories: same joined | stories: different kept apart "
            "| stories: balanced accuracy | threads: same joined | threads: different kept apart | threads: balanced accuracy "
            "| cosine ≥ 0.2: balanced accuracy |"),
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for group in ("en", "other monolingual", "cross-lingual"):
        for part in ("tune", "check"):
            o, t, c = (res[f"{k}_{part}"][group] for k in ("ours_default", "ours_threads", "baseline_cosine_0.2"))
            out.append(f"| {group} | {part} | {o['n_same']} | {o['n_different']} | {o['same_joined']:.3f} | "
                       f"{o['different_kept_apart']:.3f} | **{o['balanced_accuracy']:.3f}** | {t['same_joined']:.3f} | "
                       f"{t['different_kept_apart']:.3f} | {t['balanced_accuracy']:.3f} | {c['balanced_accuracy']:.3f} |")
    labels = {"stem": "`tfidf: {stem: true}`", "resolution_0.02": "`story_clusters: {resolution: 0.02}`"}
    variants = [(k, labels.get(k) or setting_label(k)) for k in
                [k.removeprefix("ours_").removesuffix("_tune") for k in res if k.endswith("_tune")]
                if k in labels or k.startswith("full_text_")]
    if variants:
        out += ["", "Stories with other settings, balanced accuracy against the defaults:", "",
                "| pairs | part | defaults | " + " | ".join(label for _, label in variants) + " |",
                "|---|---|---|" + "---|" * len(variants)]
        for group in ("en", "other monolingual"):
            for part in ("tune", "check"):
                out.append(f"| {group} | {part} | {res[f'ours_default_{part}'][group]['balanced_accuracy']:.3f} | "
                           + " | ".join(f"{res[f'ours_{k}_{part}'][group]['balanced_accuracy']:.3f}" for k, _ in variants)
                           + " |")
    for part in ("tune", "check"):
        ours, cos = res[f"ours_default_{part}"], res[f"baseline_cosine_0.2_{part}"]
        langs = sorted(k for k in ours if k.startswith("lang "))
        out += ["", f"Stories, balanced accuracy per language (monolingual pairs, {part} part):", "",
                "| | " + " | ".join(k[5:] for k in langs) + " |", "|---|" + "---|" * len(langs),
                "| ours | " + " | ".join(f"{ours[k]:.3f}" for k in langs) + " |",
                "| cosine ≥ 0.2 | " + " | ".join(f"{cos.get(k, float('nan')):.3f}" for k in langs) + " |"]
    if "language_detected_right" in res:
        out += ["", f"`articles.language` agrees with the pairs' language labels for {res['language_detected_right']:.1%} "
                    "of the parsed articles."]
    if "headline_language" in res:
        h = res["headline_language"]
        out += ["", (f"Headlines alone ({h['n_titles']:,} UCI titles from English outlets): the share py3langid calls "
                     "English, and the share `articles.language` leaves `und`, by letter count:"), "",
                "| letters | titles | py3langid: English | articles.language: und |", "|---|---|---|---|"]
        for k, v in h.items():
            if k.startswith("letters "):
                out.append(f"| {k[8:]} | {v['n']:,} | {v['py3langid_english']:.3f} | {v['newsdag_und']:.3f} |")
    return out

if __name__ == "__main__":
    section = sys.argv[1] if len(sys.argv) > 1 else "all"
    parts = {"stories": stories, "overlap": overlap, "bench": bench, "incremental": incremental, "spark": spark,
             "story_sweep": story_sweep, "growth": growth, "memory": memory, "semeval": semeval, "density": density, "uci_time_weight": uci_time_weight}
    for name, fn in parts.items():
        if section in ("all", name):
            print("\n".join(fn()))
