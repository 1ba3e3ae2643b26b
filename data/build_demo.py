"""Writes the demo collection in data/raw (run from the project root:
``.venv/bin/python data/build_demo.py``). The files it writes are committed;
this script says how they were made, and remakes them byte for byte.

Ten short articles written for newsdag (public domain: no real people, firms
or events), from five outlets over three days, in four of the input formats,
beside the two bundled samples (their files untouched, in outlet folders of
their own). What they show:

* wire copy: northwire's storm report, pasted by coastal-times.com (a saved
  web page, with a local paragraph added) and by valley-gazette (its last
  paragraph cut); northwire's rates report, pasted whole by valley-gazette;
* a story crossing midnight: the storm report at 23:40 UTC and northwire's
  follow-up at 00:35 UTC;
* an original scoop: harbour-herald's port contract story, rewritten by a
  content farm (dailybuzz-now.net, in a WARC crawl) and followed up, with
  credit, by coastal-times.com (in the same crawl);
* originals nobody reused: valley-gazette's school story, harbour-herald's
  ferry story;
* the two samples: world-desk's original and rewrite-farm's rewrite of it.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web import article_html  # noqa: E402

RAW = ROOT / "data" / "raw"
SAMPLES = {"000_d65d34d2b4cb9f75.txt": "world-desk", "001_91ce0b1b10050e19.txt": "rewrite-farm"}

STORM = """Storm Elin forced the closure of the coastal road between Porthaven and Westcliff late on Monday, as gusts of up to 110 kilometres an hour brought down power lines and sent waves over the sea wall.

The regional roads agency said the route would stay shut overnight while crews cleared fallen trees and checked the sea wall for damage. Drivers were told to use the inland road through Millbrook, which adds about forty minutes to the journey.

About 12,000 homes lost power across the county, according to the electricity network operator, which said engineers would work through the night but could not reach some lines until the wind eased.

The coastguard said it had been called to two incidents in Porthaven harbour, where a fishing boat broke from its moorings and a man was pulled from the water near the lifeboat station. He was taken to hospital as a precaution.

Forecasters expect the storm to move north-east by Tuesday morning. A weather warning for wind remains in place for the whole coast until 9 a.m., and schools in the area will decide at 7 a.m. whether to open."""

STORM_FOLLOW_UP = """Power has been restored to most of the 12,000 homes that lost electricity when Storm Elin swept across the county, the network operator said shortly after midnight, as the wind began to ease along the coast.

About 1,800 properties, most of them in villages west of Westcliff, were still without power early on Tuesday. The operator said engineers would reach them once fallen trees had been cleared from the lines, and that it expected everyone to be reconnected by the afternoon.

The coastal road between Porthaven and Westcliff remains closed. The regional roads agency said inspectors would check the sea wall at first light before deciding when it could reopen.

The man pulled from the water near the Porthaven lifeboat station on Monday evening has been released from hospital, the coastguard said."""

STORM_LOCAL = ("In Westcliff, the Anchor Inn opened its function room overnight for people whose homes were without "
               "heating, and the owner said about thirty people had come in by midnight.")

SCOOP = """The Porthaven Port Authority awarded a 14-million-euro dredging contract to a company part-owned by one of its own board members, documents seen by the Harbour Herald show.

Tidewater Marine, which won the three-year contract in January, is 30 percent owned by a holding company registered to the wife of board member Anton Reyes. Minutes of the board meeting at which the contract was approved do not record Mr Reyes declaring an interest, and he is listed among the members who voted.

Two other firms bid for the work. One of them, Kestrel Dredging, offered to do it for 11.2 million euros, according to a scoring sheet included in the documents. The authority's procurement rules say the cheapest bid that meets the technical requirements should normally win.

Mr Reyes did not answer calls or emails. A spokeswoman for the port authority said the contract had been awarded "in full compliance with our procedures" and that the board would review the minutes.

The harbour's dredging keeps the main channel deep enough for the ferries and container ships that call at Porthaven, and is paid for from the fees the port charges them."""

SCOOP_REWRITE = """A dredging deal worth 14 million euros was handed by the Porthaven Port Authority to a firm in which one of its board members has a stake, according to documents reported on this week.

The three-year contract went in January to Tidewater Marine. A holding company registered in the name of the wife of board member Anton Reyes owns 30 percent of the firm. The minutes of the meeting that approved the deal show no declaration of interest by Mr Reyes, who is recorded as one of those voting.

Two rival companies also bid. Kestrel Dredging put in an offer of 11.2 million euros, a scoring sheet in the documents shows, even though the authority's own procurement rules normally favour the lowest bid that meets the technical standards.

Mr Reyes could not be reached for comment. A port authority spokeswoman insisted the award had followed its procedures in full and said the board would look again at the minutes.

Dredging is essential to keep the harbour's main channel navigable for ferries and container vessels, and the cost is covered by the fees those ships pay."""

SCOOP_FOLLOW_UP = """Calls for an independent inquiry grew on Wednesday after the Harbour Herald reported that the Porthaven Port Authority gave a 14-million-euro dredging contract to a company part-owned by the family of a board member.

Two councillors said the authority should suspend the contract with Tidewater Marine until the award had been examined by someone from outside the port. The company is 30 percent owned by a holding firm registered to the wife of board member Anton Reyes, who voted on the contract without declaring an interest, according to the meeting minutes.

A cheaper bid of 11.2 million euros from Kestrel Dredging was passed over. "If the rules say the lowest compliant bid wins, the public deserves to know why that did not happen," councillor Mira Okafor said.

The port authority has said the award complied with its procedures. Mr Reyes has not commented."""

RATES = """The central bank held its main interest rate at 3.25 percent on Wednesday, saying inflation was falling more slowly than it had expected and that it wanted more evidence before cutting borrowing costs.

Consumer prices rose 2.9 percent in the year to February, down from 3.1 percent in January but still above the bank's 2 percent target. Officials said the cost of services, from rents to restaurant meals, was keeping inflation high.

The decision was expected by most economists. Markets now see the first cut in June, a month later than they did before the announcement.

The bank's governor said households with variable-rate mortgages would have to wait "a little longer" for relief, but that the economy was holding up better than feared, with unemployment steady at 5.4 percent."""

SCHOOLS = """Pupils at Valley High will study in a purpose-built science wing from September, after builders finished the three-storey extension two months ahead of schedule.

The wing has six laboratories, a greenhouse on the roof and a lecture theatre that local clubs can hire in the evenings. According to head teacher Ruth Amsel, the wing will let the school teach chemistry and physics as separate subjects for the first time.

Families can tour the building at an open day on 22 March."""

FERRY = """The Skelder Island ferry will run an extra evening crossing on weekdays from April, the operator announced, after commuters complained that the last boat left too early for islanders working on the mainland.

The new sailing will leave the mainland terminal at 19:45 and return from Skelder at 20:30. Fares will not change. The operator said it would review the timetable again in the autumn, once it had passenger numbers for the summer season."""


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write(rel: str, data: str | bytes) -> None:
    path = RAW / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def warc(records: list[tuple[str, str, str]]) -> bytes:
    """A WARC.gz of HTTP 200 responses (url, fetch time, page), with fixed
    record ids and dates so that the file is the same on every run."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for i, (url, fetched, page) in enumerate(records):
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(page.encode("utf-8")), http_headers=http,
            warc_headers_dict={"WARC-Date": fetched, "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{i:012d}>"})
        writer.write_record(record)
    return out.getvalue()


def main() -> None:
    for name, outlet in SAMPLES.items():
        loose = RAW / name
        if loose.exists():  # the samples' first home was the raw root
            (RAW / outlet).mkdir(parents=True, exist_ok=True)
            shutil.move(loose, RAW / outlet / name)
    write("northwire/wire-2025-03.jsonl", jsonl([
        {"id": "nw-0310-storm", "published": "2025-03-10T23:40:00Z",
         "title": "Storm Elin closes coastal road as gusts reach 110 km/h", "text": STORM},
        {"id": "nw-0311-power", "published": "2025-03-11T00:35:00Z",
         "title": "Storm Elin: power back for most homes, coastal road still shut", "text": STORM_FOLLOW_UP},
        {"id": "nw-0312-rates", "published": "2025-03-12T10:00:00Z",
         "title": "Central bank holds rates at 3.25%, says inflation easing slowly", "text": RATES},
    ]))
    # Pasted wire copy (the storm report with its last paragraph cut), and
    # an original as a plain-text file with its day.
    write("valley-gazette/gazette.jsonl", jsonl([
        {"id": "vg-11-storm", "published": "2025-03-11T07:15:00Z", "title": "Coast road closed as Storm Elin hits",
         "text": "\n\n".join(paragraphs(STORM)[:-1])},
        {"id": "vg-12-rates", "published": "2025-03-12T12:30:00Z", "title": "Rates on hold at 3.25 percent",
         "text": RATES},
    ]))
    write("valley-gazette/2025-03-12-science-wing.txt", "date 2025-03-12 " + SCHOOLS + "\n")
    write("harbour-herald/herald.jsonl", jsonl([
        {"id": "hh-2025-031", "published": "2025-03-11T09:00:00Z",
         "title": "Port authority gave dredging contract to board member's family firm", "text": SCOOP},
        {"id": "hh-2025-032", "published": "2025-03-12T08:00:00Z",
         "title": "Extra evening ferry to Skelder from April", "text": FERRY},
    ]))
    # A saved web page in a folder named as its host (as wget saves a site).
    write("www.coastal-times.com/2025/03/11/storm-elin.html", article_html(
        "Storm Elin shuts coast road overnight", paragraphs(STORM) + [STORM_LOCAL],
        published="2025-03-11T06:00:00+00:00", canonical="https://www.coastal-times.com/2025/03/11/storm-elin",
        author="Coastal Times staff"))
    write("crawl/news-crawl-2025-03-12.warc.gz", warc([
        ("https://dailybuzz-now.net/port-dredging-deal-board-member", "2025-03-11T16:05:00Z", article_html(
            "Port Dredging Deal Went To Board Member's Family Firm", paragraphs(SCOOP_REWRITE),
            published="2025-03-11T15:00:00+00:00",
            canonical="https://dailybuzz-now.net/port-dredging-deal-board-member", author="Buzz Desk")),
        ("https://www.coastal-times.com/2025/03/12/port-inquiry", "2025-03-12T09:10:00Z", article_html(
            "Councillors call for inquiry into port contract", paragraphs(SCOOP_FOLLOW_UP),
            published="2025-03-12T08:30:00+00:00", canonical="https://www.coastal-times.com/2025/03/12/port-inquiry",
            author="Coastal Times staff")),
    ]))


if __name__ == "__main__":
    main()
