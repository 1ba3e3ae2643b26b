"""Writing WARC files for the tests and the extraction benchmark, with warcio
(the reference Python WARC library; newsdag reads them with FastWARC)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def http_response(url: str, body: bytes, status: str = "200 OK", content_type: str = "text/html; charset=utf-8",
                  headers: list[tuple[str, str]] | None = None) -> dict:
    """A response record to write with :func:`write_warc`."""
    return {"type": "response", "url": url, "body": body, "status": status,
            "headers": [("Content-Type", content_type)] + (headers or [])}


def write_warc(path: Path, records: list[dict], gzip: bool = True) -> list[int]:
    """Write ``records`` (dicts from :func:`http_response`, or with ``type``
    ``request``, ``metadata``, ``revisit`` or ``resource``) to ``path``; return
    each record's byte offset."""
    path.parent.mkdir(parents=True, exist_ok=True)
    offsets = []
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        for r in records:
            offsets.append(out.tell())
            kind = r["type"]
            if kind == "response":
                http = StatusAndHeaders(r["status"], r["headers"], protocol="HTTP/1.1")
                record = writer.create_warc_record(r["url"], "response", payload=io.BytesIO(r["body"]),
                                                   http_headers=http)
            elif kind == "revisit":
                record = writer.create_revisit_record(r["url"], digest="sha1:AAAA", refers_to_uri=r["url"],
                                                      refers_to_date="20240101000000")
            elif kind == "resource":
                record = writer.create_warc_record(r["url"], "resource", payload=io.BytesIO(r["body"]),
                                                   warc_content_type=r.get("content_type", "text/html"))
            else:
                record = writer.create_warc_record(r["url"], kind, payload=io.BytesIO(r.get("body", b"x")),
                                                   warc_content_type="application/http; msgtype=request"
                                                   if kind == "request" else "application/warc-fields")
            writer.write_record(record)
    return offsets


BOILERPLATE = {
    "nav": "Home World Business Sport Subscribe Sign in",
    "cookie": "We use cookies to improve your experience. Accept all cookies",
    "related": "Related stories: Ten things you missed this week",
    "comment": "Great article, totally agree with the author!",
    "footer": "Copyright 2025 Example Media Group. All rights reserved.",
}


def article_html(title: str, paragraphs: list[str], *, published: str | None = "2025-03-04T23:10:00+01:00",
                 canonical: str | None = "https://www.example-news.com/2025/03/04/story",
                 author: str | None = "Jane Reporter", charset: str = "utf-8", jsonld: bool = True) -> str:
    """A news page as outlets publish them: metadata in the head (JSON-LD,
    Open Graph, canonical link), the article in <article>, and the
    boilerplate of BOILERPLATE around it (navigation, cookie banner, related
    links, comments, footer), none of which may reach articles.text."""
    head = [f'<meta charset="{charset}">', f"<title>{title} | Example News</title>",
            f'<meta property="og:title" content="{title}">']
    if canonical:
        head.append(f'<link rel="canonical" href="{canonical}">')
    if author:
        head.append(f'<meta name="author" content="{author}">')
    if published and jsonld:
        head.append('<script type="application/ld+json">' + json.dumps(
            {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
             "datePublished": published, "author": {"@type": "Person", "name": author}}) + "</script>")
    elif published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head>{''.join(head)}</head><body>
<header><nav><ul>{''.join(f'<li><a href="/{w}">{w}</a></li>' for w in BOILERPLATE['nav'].split())}</ul></nav></header>
<div class="cookie-banner" id="cookie-consent"><p>{BOILERPLATE['cookie']}</p><button>Accept</button></div>
<main><article><h1>{title}</h1><div class="byline">By {author or 'Staff'}</div>{body}</article>
<aside class="related"><h2>Related</h2><ul><li><a href="/other">{BOILERPLATE['related']}</a></li></ul></aside>
<section id="comments" class="comments"><h3>Comments</h3><div class="comment"><p>{BOILERPLATE['comment']}</p></div></section>
</main><footer><p>{BOILERPLATE['footer']}</p></footer></body></html>"""


def story_paragraphs(topic: str, n: int = 5) -> list[str]:
    """``n`` distinct, plausible news paragraphs about ``topic``."""
    lines = [
        f"The city council voted on Tuesday to approve the {topic} plan after a long debate that ran late into the night.",
        f"Supporters said the {topic} measure would bring hundreds of jobs and new investment to the region within two years.",
        f"Opponents argued that the cost of the {topic} project had been underestimated and that residents were not consulted.",
        f"The mayor said in a statement that the {topic} decision was a turning point and thanked officials for their work.",
        f"Construction on the first phase of the {topic} scheme is expected to begin next spring, according to the council.",
        f"Local business owners welcomed the {topic} vote but asked for clear timelines and regular public updates.",
        f"A final review of the {topic} budget will take place in June, when auditors present their report to the council.",
    ]
    return lines[:n]
