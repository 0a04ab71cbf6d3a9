"""The report in a real browser: headless Chromium loads it on a laptop, a phone and paper.

Checked: no console error or warning, no request but the file itself, every chart
laid out with a non-zero size, no sideways scrolling of the page on a phone, and
the print layout. Needs ``chromium`` (``make test`` installs it); without it the
test is skipped, unless ``CI`` is set, where a missing browser is a failure.
"""

from __future__ import annotations

import os

import pytest

from compute_cli.analysis import report as report_mod
from compute_cli.profiles.catalog import Catalog
from compute_cli.render import report as render_report

from .browser import Browser, find_chromium

PHONE = {"width": 390, "height": 844, "mobile": True}  # a 6.1-inch phone, in CSS pixels


@pytest.fixture(scope="module")
def browser():
    binary = find_chromium()
    if binary is None:
        message = "chromium is not installed (make test installs it; or apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with Browser(binary) as b:
        yield b


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The default comparison on the shipped profiles: every section there is."""
    data = report_mod.gather(Catalog(environ={}))
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_report.render(data, command="computecost report"), encoding="utf-8")
    return path


def _charts_in(path) -> int:
    return path.read_text().count('<svg class="chart"')


def _check(report, path) -> None:
    assert report.console == [], "the page logged errors or warnings"
    assert report.requests == [path.resolve().as_uri()], "the page fetched something beside itself"
    charts = report.probe["charts"]
    assert len(charts) == _charts_in(path) >= 4
    for c in charts:
        assert c["width"] > 0 and c["height"] > 0, c["id"]
        assert c["title"] and c["desc"], c["id"]


def test_the_report_on_a_laptop(browser, page):
    report = browser.load(page, width=1280, height=900)
    _check(report, page)
    assert report.probe["title"].startswith("Compute cost report")
    assert report.probe["navShown"]


def test_the_report_on_a_phone(browser, page):
    report = browser.load(page, **PHONE)
    _check(report, page)
    probe = report.probe
    assert probe["scrollWidth"] <= probe["clientWidth"], "the page itself does not scroll sideways; tables do"
    assert all(c["width"] <= PHONE["width"] for c in probe["charts"])


def test_the_report_on_paper(browser, page):
    report = browser.load(page, media="print")
    _check(report, page)
    assert not report.probe["navShown"], "no section links on paper"


def test_the_harness_sees_errors_and_fetches(browser, tmp_path):
    """The checks above can fail: a page that logs an error and asks for an image is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>bad</title></head><body><nav></nav>'
                   '<img src="http://127.0.0.1:9/x.png" alt=""><script>console.error("boom")</script></body></html>')
    report = browser.load(bad)
    assert "boom" in " ".join(report.console)
    assert "http://127.0.0.1:9/x.png" in report.requests
