"""The public interface: every table newsdag writes, its columns, types and meaning.

One definition serves three readers: the Parquet writer casts to these Arrow
types (so an empty table still has its schema), the Dagster IO manager shows
the descriptions and column lineage in the UI, and the data dictionary
(docs/data-dictionary.md) is generated from it (``python -m newsdag.data_dictionary``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    # Upstream columns this one is computed from, as {"table": ["column", ...]}.
    lineage: dict[str, list[str]] = field(default_factory=dict)
    nullable: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: list[Column]

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name, type_, description, lineage=None, nullable=False) -> Column:
    return Column(name, type_, description, lineage or {}, nullable)


S, I64, I32, F64 = pa.string(), pa.int64(), pa.int32(), pa.float64()

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "raw_files",
            "One row per file found under the raw root: the inventory that articles.raw_path and raw_sha256, and rejected_inputs.raw_path, point back to.",
            [
                _c("raw_path", S, "Path of the file relative to the raw root, with '/' separators."),
                _c("source", S, "Outlet: the first folder under the raw root, sanitised; 'unknown' for files at the root. Feed records may name their own source, and web pages take theirs from their URL's host (see articles.source)."),
                _c("format", S, "Input format from the file name: text, jsonl, json, csv, parquet, html (.html, .htm, .xhtml and their .gz), warc (.warc, .warc.gz), or unsupported."),
                _c("size_bytes", I64, "File size in bytes."),
                _c("sha256", S, "SHA-256 of the file's bytes, hex; null when the file could not be read. Kept from the previous scan, without reading the file, when its size and modification time are unchanged and it was modified at least two seconds before that scan began.", nullable=True),
                _c("modified", UTC_TIMESTAMP, "File modification time, UTC."),
                _c("first_seen", UTC_TIMESTAMP, "When newsdag first saw this path, UTC: kept from the previous scan, else the modification time. Undated articles and the file's rejections fall on this day.", {"raw_files": ["modified"]}),
                _c("days", pa.list_(S), "The daily partitions (YYYY-MM-DD) this file's articles and rejections fall on: its articles' publication days, and its first-seen day when it has undated articles or rejections.", {"raw_files": ["first_seen"]}),
            ],
        ),
        Table(
            "articles",
            "One row per parsed article: plain-text files, feed records and web pages (HTML files and WARC records), normalised.",
            [
                _c("article_id", S, "Stable id: 16 hex digits of SHA-256 over source, the record's external id (else its raw path) and the normalised text.", {"raw_files": ["source", "raw_path"]}),
                _c("external_id", S, "The feed record's own id, when it has one.", nullable=True),
                _c("source", S, "Outlet: the feed record's source, else the folder under the raw root, else 'unknown'. A web page's outlet is the one the host → outlet mapping names for its URL's host, else its folder, else (for WARC records, pages at the root or in a folder named as a host) the URL's host without 'www.'.", {"raw_files": ["source"], "articles": ["url"]}),
                _c("published", UTC_TIMESTAMP, "Publication time, UTC: the text file's 'date' line, the record's published field, or a web page's own metadata (else its WARC-Date); null when absent. See published_from.", nullable=True),
                _c("published_from", S, "Where published came from: date_line (a text file's first line), record (a feed record's field), page_time (a web page's stated time: JSON-LD datePublished, article:published_time and kin, <time>), page_date (a web page's date without a time, found by trafilatura: midnight UTC of that day), warc_date (the WARC record's fetch time, for a page that states none); null when published is null.", nullable=True),
                _c("published_precision", S, "How precise published is: day when the source gave only a date (a date line or record field without a time, or page_date), so published is midnight UTC of that day and the time of day is unknown; time otherwise. Story clustering places a day-only article at noon of its day. Null when published is null.", {"articles": ["published"]}, nullable=True),
                _c("day", S, "The article's daily partition, YYYY-MM-DD: its publication day (UTC), else the day its file was first seen.", {"articles": ["published"], "raw_files": ["first_seen"]}),
                _c("title", S, "The feed's title, else the first sentence of the lead."),
                _c("lead", S, "The first paragraph of the normalised text."),
                _c("body", S, "The normalised text after the lead (may be empty)."),
                _c("text", S, "Normalised full text: lead and body paragraphs joined by a blank line. All offsets in later tables index into it."),
                _c("n_words", I64, "Number of word tokens in text.", {"articles": ["text"]}),
                _c("language", S, "ISO 639-1 code of the text's language (en, de, zh, ...), detected by py3langid on its first 1,000 characters; 'und' when those hold fewer than 20 letters.", {"articles": ["text"]}),
                _c("url", S, "The record's URL, when given; a saved web page's canonical URL; a WARC record's WARC-Target-URI.", nullable=True),
                _c("author", S, "A web page's author(s) from its metadata, when stated; null for other inputs.", nullable=True),
                _c("raw_path", S, "The file this article came from, relative to the raw root.", {"raw_files": ["raw_path"]}),
                _c("raw_line", I64, "1-based record number within a feed file (line for JSON Lines, row for CSV/Parquet, fetched record for WARC); null for text and HTML files.", nullable=True),
                _c("raw_offset", I64, "For a WARC record: the byte offset of the record in its file (of its gzip member in a .warc.gz), where a WARC reader finds it again; null otherwise.", nullable=True),
                _c("raw_sha256", S, "SHA-256 of that file's bytes.", {"raw_files": ["sha256"]}),
                _c("duplicate_of", S, "article_id of the earliest article of the same day (by published, then article_id) with the same normalised text; null for that earliest one and for unique texts.", {"articles": ["text", "published", "article_id"]}, nullable=True),
            ],
        ),
        Table(
            "sentences",
            "One row per sentence of each article's normalised text.",
            [
                _c("article_id", S, "The article.", {"articles": ["article_id"]}),
                _c("sent_idx", I32, "0-based position of the sentence in its article."),
                _c("day", S, "The article's daily partition (see articles.day).", {"articles": ["day"]}),
                _c("char_start", I64, "Start offset into articles.text (inclusive).", {"articles": ["text"]}),
                _c("char_end", I64, "End offset into articles.text (exclusive).", {"articles": ["text"]}),
                _c("text", S, "The sentence: articles.text[char_start:char_end].", {"articles": ["text"]}),
            ],
        ),
        Table(
            "rejected_inputs",
            "Quarantine: every file or record that could not be parsed, with the reason. Nothing is dropped silently.",
            [
                _c("raw_path", S, "The file, relative to the raw root.", {"raw_files": ["raw_path"]}),
                _c("line", I64, "1-based record number within a feed file (line for JSON Lines, row for CSV/Parquet, fetched record for WARC); null when the whole file is rejected.", nullable=True),
                _c("offset", I64, "For a WARC record: its byte offset in the file (of its gzip member in a .warc.gz); for damage, where the unreadable stretch starts; null otherwise.", nullable=True),
                _c("day", S, "The daily partition: the first-seen day of the file (see raw_files.first_seen).", {"raw_files": ["first_seen"]}),
                _c("reason", S, "Short machine-readable reason, e.g. binary, undecodable, empty, too_large, unsupported_format, bad_json, bad_record, missing_text, bad_date, date_out_of_range, outside_partitions, duplicate_record, outside_raw_root, unreadable; for web pages bad_gzip, bad_html, no_article_body; for WARC records warc_http_status (not 200), warc_not_html, warc_revisit, warc_truncated, unsupported_encoding, bad_warc (an unreadable stretch of the file), changed_while_reading."),
                _c("detail", S, "Human-readable detail: the error message or the offending value (truncated)."),
            ],
        ),
        Table(
            "tfidf_vocabulary",
            "The fitted TF-IDF vocabulary: with the vectoriser settings (in the Parquet footer) it rebuilds the vectoriser, nothing pickled.",
            [
                _c("term_id", I32, "Column of the term in the feature matrix, 0..V-1 in term order."),
                _c("term", S, "The term: a lower-cased word or word bigram.", {"articles": ["title", "text"]}),
                _c("df", I64, "Number of articles containing the term.", {"articles": ["text"]}),
                _c("idf", F64, "Smoothed inverse document frequency, ln((1+n)/(1+df))+1.", {"articles": ["text"]}),
            ],
        ),
        Table(
            "tfidf_features",
            "Sparse TF-IDF matrix, one row per non-zero; each article's weights are L2-normalised. newsdag.features.load_tfidf returns a scipy CSR.",
            [
                _c("article_id", S, "The article (matrix row).", {"articles": ["article_id"]}),
                _c("term_id", I32, "The term (matrix column), see tfidf_vocabulary.", {"tfidf_vocabulary": ["term_id"]}),
                _c("weight", pa.float32(), "Sublinear tf times idf, L2-normalised per article.", {"articles": ["title", "text"], "tfidf_vocabulary": ["idf"]}),
            ],
        ),
        Table(
            "story_clusters",
            "Every article's story: exactly one per article (a singleton is a story).",
            [
                _c("article_id", S, "The article.", {"articles": ["article_id"]}),
                _c("story_id", S, "The story: the article_id of its earliest member (earliest published, undated last, then article_id), so it stays put while that member does.", {"articles": ["article_id", "published"], "tfidf_features": ["weight"]}),
                _c("similarity", pa.float32(), "Cosine between the article's TF-IDF vector and its story's centroid, in [0, 1].", {"tfidf_features": ["weight"]}),
            ],
        ),
        Table(
            "stories",
            "One row per story: size, outlets, time span, headline and top terms.",
            [
                _c("story_id", S, "The story (see story_clusters).", {"story_clusters": ["story_id"]}),
                _c("n_articles", I64, "Number of articles in the story.", {"story_clusters": ["article_id"]}),
                _c("n_sources", I64, "Number of distinct outlets.", {"articles": ["source"]}),
                _c("sources", pa.list_(S), "The outlets, sorted.", {"articles": ["source"]}),
                _c("first_published", UTC_TIMESTAMP, "Earliest publication time among its dated articles; null if none is dated.", {"articles": ["published"]}, nullable=True),
                _c("last_published", UTC_TIMESTAMP, "Latest publication time among its dated articles; null if none is dated.", {"articles": ["published"]}, nullable=True),
                _c("headline", S, "Title of the representative article.", {"articles": ["title"]}),
                _c("top_terms", pa.list_(S), "The five heaviest terms of the story's TF-IDF centroid.", {"tfidf_features": ["weight"], "tfidf_vocabulary": ["term"]}),
                _c("representative_article_id", S, "The member closest to the centroid (ties: earliest).", {"story_clusters": ["similarity"]}),
            ],
        ),
        Table(
            "story_threads",
            "One row per thread: the stories of one developing event across days, and the same event in other languages (newsdag.threads). A story is one news cycle in one language; a thread links stories whose TF-IDF centroids are alike.",
            [
                _c("thread_id", S, "The thread: the story_id of its earliest story.", {"story_clusters": ["story_id"], "articles": ["published"]}),
                _c("story_ids", pa.list_(S), "Its stories, earliest first (join on stories.story_id).", {"story_clusters": ["story_id"]}),
                _c("n_stories", I64, "Number of stories in the thread.", {"story_clusters": ["story_id"]}),
                _c("n_articles", I64, "Number of articles in its stories.", {"story_clusters": ["article_id"]}),
                _c("languages", pa.list_(S), "The languages its stories are told in, sorted (und only when no story has a detected language).", {"articles": ["language"]}),
                _c("first_published", UTC_TIMESTAMP, "Earliest publication time of its dated articles; null if none is dated.", {"articles": ["published"]}, nullable=True),
                _c("last_published", UTC_TIMESTAMP, "Latest publication time of its dated articles; null if none is dated.", {"articles": ["published"]}, nullable=True),
                _c("first_day", S, "first_published's day (YYYY-MM-DD, UTC); null if undated.", {"articles": ["published"]}, nullable=True),
                _c("last_day", S, "last_published's day (YYYY-MM-DD, UTC); null if undated.", {"articles": ["published"]}, nullable=True),
                _c("n_cross_lingual_links", I64, "Links between two of its stories in different languages (centroid cosine >= cross_lingual_similarity).", {"tfidf_features": ["weight"], "articles": ["language"]}),
            ],
        ),
        Table(
            "article_overlap",
            "One row per candidate article pair (same story, or near neighbours across stories; never all pairs): verbatim and paraphrase reuse, and who took from whom.",
            [
                _c("article_a", S, "The pair's first article: of the two, the one earlier in the articles table (by day, then article_id). Which one is the origin is origin_article_id.", {"articles": ["article_id"]}),
                _c("article_b", S, "The pair's second article.", {"articles": ["article_id"]}),
                _c("story_id", S, "article_a's story.", {"story_clusters": ["story_id"]}),
                _c("cosine", pa.float32(), "Cosine of the two TF-IDF vectors.", {"tfidf_features": ["weight"]}),
                _c("containment_a_in_b", F64, "Share of article_a's distinct word 3-gram shingles (lower-cased) that also occur in article_b.", {"articles": ["text"]}),
                _c("containment_b_in_a", F64, "Share of article_b's distinct word 3-gram shingles that also occur in article_a.", {"articles": ["text"]}),
                _c("jaccard", F64, "Shared shingles over all distinct shingles of the two (symmetric).", {"articles": ["text"]}),
                _c("aligned_sentence_share_a", F64, "Share of article_a's sentences whose most similar sentence of article_b reaches cosine 0.45 (stemmed-word TF-IDF).", {"sentences": ["text"]}),
                _c("aligned_sentence_share_b", F64, "Share of article_b's sentences aligned to a sentence of article_a.", {"sentences": ["text"]}),
                _c("longest_passage_words", I64, "Words in the longest shared passage (0 if none).", {"articles": ["text"]}),
                _c("n_passages", I64, "Number of maximal shared passages of at least 8 words (see reused_passages).", {"articles": ["text"]}),
                _c("origin_article_id", S, "The likely source: the earlier publication; on a tie or a missing date, the article less contained in the other.", {"articles": ["published", "text"]}),
                _c("derivation", S, "How much the other (derived) article takes from the origin, METER-style, from its reuse score sqrt(containment x aligned share): wholly (>= 0.25), partially (>= 0.1) or non.", {"articles": ["text"], "sentences": ["text"]}),
                _c("reuse_kind", S, "verbatim (shingle containment of the derived article >= 0.6), paraphrase (< 0.25), mixed (between), or none when not derived.", {"articles": ["text"]}),
            ],
        ),
        Table(
            "reused_passages",
            "Every maximal shared span of at least 8 words between the two articles of a pair, with offsets a person can check (passim-style).",
            [
                _c("article_id", S, "The derived article (not the pair's origin).", {"article_overlap": ["origin_article_id"]}),
                _c("source_article_id", S, "The origin article.", {"article_overlap": ["origin_article_id"]}),
                _c("char_start", I64, "Start of the passage in articles.text of article_id.", {"articles": ["text"]}),
                _c("char_end", I64, "End (exclusive) of the passage in article_id's text.", {"articles": ["text"]}),
                _c("source_char_start", I64, "Start of the matching passage in the source article's text.", {"articles": ["text"]}),
                _c("source_char_end", I64, "End (exclusive) in the source article's text.", {"articles": ["text"]}),
                _c("n_words", I64, "Words in the passage.", {"articles": ["text"]}),
                _c("text", S, "The passage as it reads in article_id: text[char_start:char_end]. Matching ignores case and punctuation.", {"articles": ["text"]}),
            ],
        ),
        Table(
            "sentence_alignments",
            "The paraphrase view: each sentence of a derived article aligned to its most similar sentence of the origin, when above the threshold.",
            [
                _c("article_id", S, "The derived article.", {"article_overlap": ["origin_article_id"]}),
                _c("sent_idx", I32, "Its sentence (see sentences).", {"sentences": ["sent_idx"]}),
                _c("source_article_id", S, "The origin article.", {"article_overlap": ["origin_article_id"]}),
                _c("source_sent_idx", I32, "The origin's most similar sentence.", {"sentences": ["sent_idx"]}),
                _c("similarity", pa.float32(), "Cosine of the two sentences' stemmed TF-IDF vectors.", {"sentences": ["text"]}),
            ],
        ),
        Table(
            "article_origins",
            "One row per article: original or derived, the article it takes most from, and the earliest source along chains of derivation (a rewrite of a rewrite points to the first article).",
            [
                _c("article_id", S, "The article.", {"articles": ["article_id"]}),
                _c("status", S, "derived when it takes from another article (a pair of article_overlap labelled wholly or partially derived with it as the derived side, or an exact copy: duplicate_of); original otherwise.", {"article_overlap": ["derivation", "origin_article_id"], "articles": ["duplicate_of"]}),
                _c("source_article_id", S, "The article it takes most from: the highest reuse score among its derived pairs (ties: the earlier source, then the smaller id); for an exact copy, duplicate_of. Null for an original.", {"article_overlap": ["origin_article_id", "containment_a_in_b", "containment_b_in_a", "aligned_sentence_share_a", "aligned_sentence_share_b"], "articles": ["duplicate_of", "published"]}, nullable=True),
                _c("origin_article_id", S, "The earliest source: source_article_id followed until an article that derives from none (a cycle among articles of the same time stops before it repeats). The article itself for an original.", {"article_overlap": ["origin_article_id"]}),
                _c("n_hops", I64, "Sources followed from the article to its origin: 1 for a direct copy or rewrite, 2 for a rewrite of a rewrite, 0 for an original."),
                _c("derivation", S, "The article against its source: wholly or partially (see article_overlap.derivation). Null for an original.", {"article_overlap": ["derivation"]}, nullable=True),
                _c("reuse_kind", S, "The article against its source: verbatim, mixed or paraphrase (see article_overlap.reuse_kind). Null for an original.", {"article_overlap": ["reuse_kind"]}, nullable=True),
                _c("reuse_score", F64, "sqrt(containment x aligned share) of the article in its source; 1 for an exact copy. Null for an original.", {"article_overlap": ["containment_a_in_b", "containment_b_in_a", "aligned_sentence_share_a", "aligned_sentence_share_b"]}, nullable=True),
                _c("evidence", S, "Where the derivation from the source was seen: article_overlap (the row evidence_article_a, evidence_article_b) or duplicate_of. Null for an original.", nullable=True),
                _c("evidence_article_a", S, "article_a of the article_overlap row that is the evidence; null for duplicate_of and for an original.", {"article_overlap": ["article_a"]}, nullable=True),
                _c("evidence_article_b", S, "article_b of that row.", {"article_overlap": ["article_b"]}, nullable=True),
            ],
        ),
        Table(
            "source_overlap",
            "Outlet by outlet: how often and how much outlet b's articles take from outlet a's.",
            [
                _c("source_a", S, "Outlet of the origin articles.", {"articles": ["source"], "article_overlap": ["origin_article_id"]}),
                _c("source_b", S, "Outlet of the derived articles (may equal source_a).", {"articles": ["source"], "article_overlap": ["origin_article_id"]}),
                _c("n_shared_stories", I64, "Stories in which both outlets published.", {"story_clusters": ["story_id"]}),
                _c("n_pairs", I64, "Candidate article pairs with the origin in a and the other article in b.", {"article_overlap": ["article_a", "article_b"]}),
                _c("n_derived", I64, "Of those, pairs where b's article is wholly or partially derived from a's.", {"article_overlap": ["derivation"]}),
                _c("mean_containment", F64, "Mean shingle containment of b's article in a's, over the pairs.", {"article_overlap": ["containment_a_in_b", "containment_b_in_a"]}),
                _c("mean_aligned_share", F64, "Mean aligned-sentence share of b's article, over the pairs.", {"article_overlap": ["aligned_sentence_share_a", "aligned_sentence_share_b"]}),
            ],
        ),
        Table(
            "source_stats",
            "One row per outlet: how much it publishes first, and how much of its text is its own.",
            [
                _c("source", S, "The outlet.", {"articles": ["source"]}),
                _c("n_articles", I64, "Its articles.", {"articles": ["article_id"]}),
                _c("n_stories", I64, "Stories it published in.", {"story_clusters": ["story_id"]}),
                _c("first_to_report_share", F64, "Of its dated stories that several outlets covered, the share in which it published first (ties count for each outlet tied); null when it has none.", {"articles": ["published"], "story_clusters": ["story_id"]}, nullable=True),
                _c("derived_share", F64, "Share of its articles wholly or partially derived from an earlier article of another outlet.", {"article_overlap": ["derivation", "origin_article_id"]}),
                _c("originality", F64, "1 minus the word-weighted reuse score (sqrt of containment x aligned share) of its articles from other outlets' earlier articles, in [0, 1].", {"article_overlap": ["containment_a_in_b", "containment_b_in_a", "aligned_sentence_share_a", "aligned_sentence_share_b"], "articles": ["n_words"]}),
            ],
        ),
    ]
}


def data_dictionary_markdown(names: list[str] | None = None) -> str:
    """The data dictionary (docs/data-dictionary.md): a section and a markdown
    table per newsdag table."""
    out = []
    for name in names or list(TABLES):
        t = TABLES[name]
        out.append(f"## `{name}`\n\n{t.description}\n\n| column | type | description |\n|---|---|---|")
        for c in t.columns:
            null = ", nullable" if c.nullable else ""
            out.append(f"| `{c.name}` | {c.type}{null} | {c.description} |")
        out.append("")
    return "\n".join(out)

