"""The public interface: every table newsdag writes, its columns, types and meaning.

One definition serves three readers: the Parquet writer casts to these Arrow
types (so an empty table still has its schema), the Dagster IO manager shows
the descriptions and column lineage in the UI, and the README's data
dictionary is generated from it (``python -m newsdag.schemas``).
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
            "One row per file found under the raw root: the input side of lineage.",
            [
                _c("raw_path", S, "Path of the file relative to the raw root, with '/' separators."),
                _c("source", S, "Outlet: the first folder under the raw root, sanitised; 'unknown' for files at the root. Feed records may name their own source."),
                _c("format", S, "Input format from the file name: text, jsonl, json, csv, parquet, or unsupported."),
                _c("size_bytes", I64, "File size in bytes."),
                _c("sha256", S, "SHA-256 of the file's bytes, hex; null when the file could not be read.", nullable=True),
                _c("modified", UTC_TIMESTAMP, "File modification time, UTC."),
            ],
        ),
        Table(
            "articles",
            "One row per parsed article: plain-text files and feed records, normalised.",
            [
                _c("article_id", S, "Stable id: 16 hex digits of SHA-256 over source, the record's external id (else its raw path) and the normalised text.", {"raw_files": ["source", "raw_path"]}),
                _c("external_id", S, "The feed record's own id, when it has one.", nullable=True),
                _c("source", S, "Outlet: the feed record's source, else the folder under the raw root, else 'unknown'.", {"raw_files": ["source"]}),
                _c("published", UTC_TIMESTAMP, "Publication time, UTC: the text file's 'date' line or the record's published field; null when absent.", nullable=True),
                _c("title", S, "The feed's title, else the first sentence of the lead."),
                _c("lead", S, "The first paragraph of the normalised text."),
                _c("body", S, "The normalised text after the lead (may be empty)."),
                _c("text", S, "Normalised full text: lead and body paragraphs joined by a blank line. All offsets in later tables index into it."),
                _c("n_words", I64, "Number of word tokens in text.", {"articles": ["text"]}),
                _c("url", S, "The record's URL, when given.", nullable=True),
                _c("raw_path", S, "The file this article came from, relative to the raw root.", {"raw_files": ["raw_path"]}),
                _c("raw_line", I64, "1-based record number within a feed file (line for JSON Lines, row for CSV/Parquet); null for text files.", nullable=True),
                _c("raw_sha256", S, "SHA-256 of that file's bytes.", {"raw_files": ["sha256"]}),
                _c("duplicate_of", S, "article_id of the earliest article (by published, then article_id) with the same normalised text; null for that earliest one and for unique texts.", {"articles": ["text", "published", "article_id"]}, nullable=True),
            ],
        ),
        Table(
            "sentences",
            "One row per sentence of each article's normalised text.",
            [
                _c("article_id", S, "The article.", {"articles": ["article_id"]}),
                _c("sent_idx", I32, "0-based position of the sentence in its article."),
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
                _c("line", I64, "1-based record number within a feed file (line for JSON Lines, row for CSV/Parquet); null when the whole file is rejected.", nullable=True),
                _c("reason", S, "Short machine-readable reason, e.g. binary, undecodable, empty, too_large, unsupported_format, bad_json, bad_record, missing_text, bad_date, date_out_of_range, outside_raw_root, unreadable."),
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
    ]
}


def data_dictionary_markdown(names: list[str] | None = None) -> str:
    """The README's data dictionary: one markdown table per newsdag table."""
    out = []
    for name in names or list(TABLES):
        t = TABLES[name]
        out.append(f"### `{name}`\n\n{t.description}\n\n| column | type | description |\n|---|---|---|")
        for c in t.columns:
            null = ", nullable" if c.nullable else ""
            out.append(f"| `{c.name}` | {c.type}{null} | {c.description} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(data_dictionary_markdown())
