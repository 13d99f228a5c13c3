"""HTML reports fit a 1280-px window: a wide table scrolls inside its own box, never the page
(measured in headless Chromium where it is installed; the structure is checked everywhere)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from run_writers import write_wide_sweep

from stiltx.report import export
from stiltx.report.paper import with_paper_tables
from stiltx.report.results import find_runs
from stiltx.report.tables import build_report
from stiltx.report.transfer import transfer_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PROBE = ('<script>document.title = "page " + document.documentElement.scrollWidth + " of " '
         "+ document.documentElement.clientWidth;</script>")  # fmt: skip


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("html")
    sweep = write_wide_sweep(root / "sweep")
    found = find_runs([sweep])
    transfer, plots = transfer_report([str(sweep)], found, root)
    every = with_paper_tables(build_report(found, baseline="direct"))
    return {"transfer": export.render(transfer, "html", plots), "all": export.render(every, "html")}


def test_every_table_sits_in_its_own_scroll_box(pages):
    for page in pages.values():
        assert ".scroll{overflow-x:auto" in page and "white-space:nowrap" in page
        tables = page.count("<table>")
        assert tables > 3 and page.count('<div class="scroll">\n<table>') == tables


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_nothing_scrolls_the_page_in_a_1280_px_window(pages, tmp_path):
    for name, page in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
             "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        found = re.search(r"<title>page (\d+) of (\d+)</title>", done.stdout)
        assert found, (name, done.stderr[-2000:])
        width, window = map(int, found.groups())
        assert window <= 1280 and width <= window, name  # the page is never wider than the window
