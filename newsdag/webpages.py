"""Saved web pages: the article body and its metadata, from one HTML document.

The body comes from trafilatura (see docs/design.md, "Reading web pages", for
the measurements behind the choice and its settings); the title, canonical
URL and author from trafilatura's metadata reader; the publication time from
the page's own machine-readable fields, with their time zone, before
trafilatura's day-only date.

Two entry points share one metadata rule, so that the day index and parsing
place a page on the same day:

* :func:`page_metadata` reads everything but the body (cheap): a day index
  that keeps no parse (``newsdag.ingest.file_days`` without ``keep``) needs
  no more, and parsing uses it to skip the pages of days a run does not cover;
* :func:`page_body` extracts the body (the costly part).
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from trafilatura.metadata import extract_metadata

# Where pages state their publication time, most specific first. Each is an
# attribute value that names the field and the attribute holding the time.
_META_TIME_FIELDS = (
    ("property", "article:published_time"),
    ("name", "article:published_time"),
    ("property", "og:article:published_time"),
    ("itemprop", "datePublished"),
    ("name", "pubdate"),
    ("name", "publishdate"),
    ("name", "publish-date"),
    ("name", "parsely-pub-date"),
    ("name", "sailthru.date"),
    ("name", "dc.date.issued"),
    ("name", "DC.date.issued"),
    ("name", "dcterms.created"),
    ("name", "date"),
)
_JSONLD_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
                         "opinionnewsarticle", "backgroundnewsarticle", "webpage", "report", "liveblogposting"}
# A body shorter than this, or whose words are mostly the words of the page's
# links (menus, related links), is no article. On the 95 pages of the
# extraction benchmark the largest share of a body's words also found in
# link texts is 0.51, and the shortest body has 66 words.
MIN_BODY_WORDS = 5
MAX_LINK_WORD_SHARE = 0.9
_WORD = re.compile(r"\w+")

# A time with a clock reading: what makes a page's own field better than the
# day-only date trafilatura finds.
_HAS_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

# trafilatura's precision mode (measured best on the extraction benchmark)
# sometimes keeps only a fragment of a long body; when its text is this short
# and under half of what the recall mode keeps, the recall mode's text is used.
SHORT_BODY_CHARS = 1000
SHORT_BODY_SHARE = 0.5


@dataclass(frozen=True)
class Page:
    """What one web page gives: ``text`` (the article body, paragraphs separated
    by newlines; empty when none was found), ``title``, ``published_time``
    (the time the page states with its clock reading, as written, or None),
    ``published_day`` (trafilatura's day-only date, ``YYYY-MM-DD``, or None),
    ``url`` (canonical, else the one given), ``author`` (or None)."""

    text: str
    title: str | None
    published_time: str | None
    published_day: str | None
    url: str | None
    author: str | None


def parse_html(html: str) -> etree._Element | None:
    """The page's lxml tree, or None when it holds no parsable document."""
    return trafilatura.load_html(html)


def _jsonld_objects(tree: etree._Element):
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(reversed(graph))


def _jsonld_published(tree: etree._Element) -> str | None:
    for item in _jsonld_objects(tree):
        kinds = item.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(isinstance(k, str) and k.lower() in _JSONLD_ARTICLE_TYPES for k in kinds):
            continue
        value = item.get("datePublished") or item.get("dateCreated")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _meta_published(tree: etree._Element) -> str | None:
    for attr, name in _META_TIME_FIELDS:
        for node in tree.xpath(f'//meta[@{attr}=$name]', name=name):
            value = (node.get("content") or "").strip()
            if value:
                return value
    for node in tree.xpath('//time[@datetime][@itemprop="datePublished" or @pubdate or @class="published"]'):
        value = (node.get("datetime") or "").strip()
        if value:
            return value
    return None


def page_time(tree: etree._Element) -> str | None:
    """The publication time a page states with its clock reading, as written:
    JSON-LD ``datePublished``, the ``article:published_time`` family of meta
    tags, or a ``<time>`` element; None when it states none."""
    for value in (_jsonld_published(tree), _meta_published(tree)):
        if value and _HAS_CLOCK.search(value):
            return value
    return None


def page_metadata(tree: etree._Element, url: str | None = None) -> Page:
    """Everything of a parsed page (:func:`parse_html`) but its body (``text``
    is empty; see :func:`page_body`): cheap, and the one rule both the day
    index and parsing use.
    ``url`` is where the page was fetched from (a WARC record's target URI),
    kept when the page names no canonical URL."""
    meta = extract_metadata(tree, default_url=url)
    if meta is None:
        return Page(text="", title=None, published_time=page_time(tree), published_day=None, url=url, author=None)
    return Page(text="", title=meta.title or None, published_time=page_time(tree), published_day=meta.date or None,
                url=meta.url or url, author=meta.author or None)


def page_body(tree: etree._Element, url: str | None = None) -> str:
    """The article body of a parsed page, paragraphs separated by newlines; ""
    when none is found, or when what the extractor kept is navigation: on a
    page without an article, trafilatura returns its menus."""
    body = _extracted_text(tree, url)
    return "" if _is_navigation(tree, body) else body


def _is_navigation(tree: etree._Element, body: str) -> bool:
    """Whether ``body`` is too short to be an article, or mostly the words of the page's links."""
    words = Counter(w.casefold() for w in _WORD.findall(body))
    total = sum(words.values())
    if total < MIN_BODY_WORDS:
        return True
    link_words = Counter(w.casefold() for a in tree.iter("a") for w in _WORD.findall(a.text_content() or ""))
    in_links = sum(min(n, link_words[w]) for w, n in words.items())
    return in_links >= MAX_LINK_WORD_SHARE * total


def _extracted_text(tree: etree._Element, url: str | None) -> str:
    kwargs = dict(url=url, include_comments=False, include_tables=True, with_metadata=False)
    # trafilatura changes the tree it is given: each call gets its own copy.
    precise = trafilatura.extract(_copy(tree), favor_precision=True, **kwargs) or ""
    if len(precise) < SHORT_BODY_CHARS:
        recall = trafilatura.extract(_copy(tree), favor_recall=True, **kwargs) or ""
        if len(precise) < SHORT_BODY_SHARE * len(recall):
            return recall
    return precise


def _copy(tree: etree._Element) -> etree._Element:
    return copy.deepcopy(tree)


def drop_headline(text: str, title: str | None) -> str:
    """``text`` without its first line when that line is the page's title:
    extractors keep the article's <h1>, and the headline is ``title``'s, not
    the lead's."""
    first, sep, rest = text.lstrip().partition("\n")
    if title and sep and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest
    return text


def url_host(url: str | None) -> str | None:
    """The host of a URL, lower case, without ``www.``; None when there is none."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host
