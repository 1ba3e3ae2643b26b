"""The UI as a person uses it: `make ui`'s server, the sensor, the asset graph and the stories page,
driven in headless Chromium (Debian's chromium, through Playwright). Screenshots go to test-artifacts/ui/."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from newsdag.schemas import TABLES
from tests.conftest import DEMO_DIR, PROJECT_ROOT, SAMPLE_ORIGINAL, SAMPLE_REWRITE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "ui"
GROUPS = ["ingest", "features", "stories", "overlap"]
DAYS = ["2025-02-13", "2025-02-14", "2025-02-15"]
# The copied samples look first seen on 2025-02-14 (the undated one falls there).
SAMPLES_MTIME = 1739534400
BIN = os.path.dirname(sys.executable)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(base: str, query: str) -> dict:
    req = urllib.request.Request(f"{base}/graphql", data=json.dumps({"query": query}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def runs(base: str) -> list[dict]:
    q = "{ runsOrError { ... on Runs { results { runId status tags { key value } } } } }"
    return graphql(base, q)["data"]["runsOrError"]["results"]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def sensor_runs_succeeded(base: str, sensor: str = "new_days_sensor") -> list[dict]:
    return [r for r in runs(base) if r["status"] == "SUCCESS"
            and any(t["key"] == "dagster/sensor_name" and t["value"] == sensor for t in r["tags"])]


def stale_assets(base: str) -> dict[str, str]:
    """{asset: stale status} of every unpartitioned asset, and of the articles partitions
    of the days in ``DAYS``, as the UI shows them."""
    q = "{ assetNodes { assetKey { path } isPartitioned staleStatus } }"
    nodes = graphql(base, q)["data"]["assetNodes"]
    out = {n["assetKey"]["path"][-1]: n["staleStatus"] for n in nodes if not n["isPartitioned"]}
    for day in DAYS:
        q = '{ assetNodeOrError(assetKey: {path: ["articles"]}) { ... on AssetNode { staleStatus(partition: "%s") } } }' % day
        out[f"articles:{day}"] = graphql(base, q)["data"]["assetNodeOrError"]["staleStatus"]
    return out


def materialized_partitions(base: str, asset: str) -> list[str]:
    q = ('{ assetNodeOrError(assetKey: {path: ["%s"]}) { ... on AssetNode { assetPartitionStatuses {'
         ' ... on DefaultPartitionStatuses { materializedPartitions } } } } }' % asset)
    return sorted(graphql(base, q)["data"]["assetNodeOrError"]["assetPartitionStatuses"]["materializedPartitions"])


def partition_keys(base: str, asset: str) -> list[str]:
    """Every partition the UI offers for ``asset``, in its order."""
    q = '{ assetNodeOrError(assetKey: {path: ["%s"]}) { ... on AssetNode { partitionKeys } } }' % asset
    return graphql(base, q)["data"]["assetNodeOrError"]["partitionKeys"]


def settle(page) -> None:
    """Wait until the page has no "Loading..." placeholders left (at most 20 s)."""
    try:
        page.wait_for_function("() => !document.body.innerText.includes('Loading...')", timeout=20000)
    except Exception:  # noqa: BLE001 - a slow panel only makes the screenshot less pretty
        pass
    page.wait_for_timeout(500)


@pytest.fixture
def ui(tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: make test installs Debian's chromium package")
    raw = tmp_path / "raw"
    for rel in (SAMPLE_ORIGINAL, SAMPLE_REWRITE):  # the two samples, in their outlet folders
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DEMO_DIR / rel, raw / rel)
        os.utime(raw / rel, (SAMPLES_MTIME, SAMPLES_MTIME))
    home = tmp_path / "home"
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "NEWSDAG_RAW_DIR": str(raw),
           "NEWSDAG_WAREHOUSE_DIR": str(tmp_path / "warehouse")}
    subprocess.run([os.path.join(BIN, "newsdag"), "home"], env=env, check=True, capture_output=True)
    log = open(tmp_path / "dagster-dev.log", "w")
    # As `make ui` starts it, in a session of its own with SIGINT at its default,
    # so that it can be stopped by its process id whatever happens.
    proc = subprocess.Popen([os.path.join(BIN, "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
                            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    base = f"http://127.0.0.1:{port}"
    try:
        def up():
            try:
                return urllib.request.urlopen(f"{base}/server_info", timeout=5).status == 200
            except OSError:
                return False
        wait_for(up, 120, "the UI to answer")
        graphql(base, "mutation { setNuxSeen }")  # the onboarding modal would cover the screenshots
        yield base, raw, env
    finally:
        try:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        shutil.copy(tmp_path / "dagster-dev.log", ARTIFACTS / "dagster-dev.log") if ARTIFACTS.exists() else None


@pytest.mark.e2e
@pytest.mark.ui
def test_ui_sensor_graph_and_stories_page(ui):
    from playwright.sync_api import sync_playwright

    base, raw, env = ui
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # The sensors ship running: the daemon indexes the samples, then materialises their days by itself.
    wait_for(lambda: sensor_runs_succeeded(base), 300, "the first run of new days to succeed")
    assert materialized_partitions(base, "articles") == DAYS[:2]

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1800, "height": 1200})
        page.goto(f"{base}/asset-groups", wait_until="networkidle")
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "global-lineage.png"))
        seen = set()
        for group in GROUPS:
            page.goto(f"{base}/locations/newsdag/asset-groups/{group}/lineage", wait_until="networkidle")
            settle(page)
            page.screenshot(path=str(ARTIFACTS / f"group-{group}.png"))
            seen |= {name for name in TABLES if page.locator(f'[data-tooltip="{name}"]').count() > 0}
        assert seen == set(TABLES), f"asset nodes missing from the graph: {set(TABLES) - seen}"

        page.goto(f"{base}/assets/stories", wait_until="networkidle")
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "stories.png"))
        body = page.inner_text("body")
        for key in ["preview", "largest_stories", "timeline", "story_sizes", "n_stories", "mean_story_size"]:
            assert key in body, key
        assert "U.S. President Donald Trump" in body  # the preview's headline
        row = page.locator("tr", has=page.get_by_text("reuse_heatmap", exact=True))
        row.get_by_text("[Show Markdown]").click()
        heatmap = page.locator('img[alt="outlet-by-outlet reuse heatmap"]')
        heatmap.wait_for(timeout=15000)
        assert heatmap.get_attribute("src").startswith("data:image/png;base64,")
        assert heatmap.evaluate("img => img.naturalWidth") > 100
        page.screenshot(path=str(ARTIFACTS / "stories-heatmap.png"))
        browser.close()

    # A new day's file arrives: the sensors index it and run that day by themselves.
    (raw / "newswire").mkdir()
    (raw / "newswire" / "later.txt").write_text(
        "date 2025-02-15 Ukraine and Russia agree to meet in Saudi Arabia, officials said on Saturday.\n\n"
        "The talks follow calls between President Donald Trump and both leaders.")
    wait_for(lambda: len(sensor_runs_succeeded(base)) >= 2, 300, "the run for the new day")
    newest = sensor_runs_succeeded(base)[0]
    tags = {t["key"]: t["value"] for t in newest["tags"]}
    assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == (DAYS[2], DAYS[2])
    assert materialized_partitions(base, "articles") == DAYS
    # The UI offers the days that hold articles, in calendar order, and no others.
    assert partition_keys(base, "articles") == partition_keys(base, "sentences") == DAYS
    # Nothing is left stale: not the new partition, not the cross-day assets.
    stale = stale_assets(base)
    assert set(stale.values()) == {"FRESH"}, json.dumps(stale)
    q = '{ assetOrError(assetKey: {path: ["story_clusters"]}) { ... on Asset { assetMaterializations(limit: 1) { metadataEntries { label ... on IntMetadataEntry { intValue } } } } } }'
    entries = graphql(base, q)["data"]["assetOrError"]["assetMaterializations"][0]["metadataEntries"]
    assert len(entries) and {e["label"]: e.get("intValue") for e in entries}.get("dagster/row_count") == 3

    # A backfill of the three days, as the UI launches one: the daily assets in
    # one run (single-run backfill policy), the cross-day assets once.
    keys = ", ".join('{path: ["%s"]}' % name for name in TABLES)
    launched = graphql(base, 'mutation { launchPartitionBackfill(backfillParams: {partitionNames: [%s], assetSelection: [%s]}) '
                             '{ __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }'
                       % (", ".join(f'"{d}"' for d in DAYS), keys))["data"]["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    backfill = launched["backfillId"]

    def backfill_done():
        q = '{ partitionBackfillOrError(backfillId: "%s") { ... on PartitionBackfill { status } } }' % backfill
        status = graphql(base, q)["data"]["partitionBackfillOrError"]["status"]
        assert status not in ("FAILED", "CANCELED"), status
        return status == "COMPLETED_SUCCESS" or status == "COMPLETED"

    wait_for(backfill_done, 300, "the backfill of three days")
    backfill_runs = [r for r in runs(base) if any(t["key"] == "dagster/backfill" and t["value"] == backfill for t in r["tags"])]
    assert backfill_runs and all(r["status"] == "SUCCESS" for r in backfill_runs)
    # Days in one run: far fewer runs than days times assets.
    assert len(backfill_runs) <= 3, [r["runId"] for r in backfill_runs]

    # A CLI run is recorded as a run of the code location's own job: the UI
    # re-executes it without warning that the job may be another version.
    cli = subprocess.run([os.path.join(BIN, "newsdag"), "materialize", "--select", "raw_files"], env=env,
                         capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT)
    assert cli.returncode == 0, cli.stderr
    cli_run = next(r for r in runs(base) if any(t["key"] == "newsdag/launched_by" and t["value"] == "cli" for t in r["tags"]))
    q = ('{ runOrError(runId: "%s") { ... on Run { parentPipelineSnapshotId repositoryOrigin { repositoryName repositoryLocationName } } } '
         'pipelineOrError(params: {pipelineName: "refresh_all", repositoryName: "__repository__", repositoryLocationName: "newsdag"}) '
         '{ ... on Pipeline { pipelineSnapshotId } } }' % cli_run["runId"])
    answer = graphql(base, q)["data"]
    assert answer["runOrError"]["repositoryOrigin"] == {"repositoryName": "__repository__", "repositoryLocationName": "newsdag"}
    assert answer["runOrError"]["parentPipelineSnapshotId"] == answer["pipelineOrError"]["pipelineSnapshotId"]

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1800, "height": 1200})
        page.goto(f"{base}/runs/{cli_run['runId']}", wait_until="networkidle")
        settle(page)
        page.get_by_text("Re-execute", exact=False).first.hover()
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "cli-run.png"))
        assert "may be a different version" not in page.inner_text("body")
        page.goto(f"{base}/assets/articles?view=partitions", wait_until="networkidle")
        settle(page)
        assert "Materialized (3)" in page.inner_text("body")
        page.get_by_text("Missing (", exact=False).click()  # list only the materialised days
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "articles-partitions.png"))
        body = page.inner_text("body")
        assert all(day in body for day in DAYS), body[:2000]
        browser.close()
