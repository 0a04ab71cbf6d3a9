"""``computecost report``: the page carries the commands' own numbers and exactly the figures the run used.

The page is checked here as text (self-contained, well formed, accessible markup);
tests/test_report_browser.py loads it in a real browser.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compute_cli.analysis import compare, economics
from compute_cli.analysis import report as report_mod
from compute_cli.analysis import sensitivity
from compute_cli.engine import costs, evaluate, registry
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.overrides import parse_assignment
from compute_cli.render import report as render_report
from compute_cli.render import svg

from .conftest import EXTRA, PROFILES, REPO, make_runner

TOY_SETUPS = ["toy-own", "toy-rent"]


def toy() -> Catalog:
    return Catalog([PROFILES], environ={})


def shipped() -> Catalog:
    return Catalog(environ={})


@pytest.fixture(scope="module")
def toy_report():
    return report_mod.gather(toy(), TOY_SETUPS, "toy-dense")


@pytest.fixture(scope="module")
def shipped_report():
    """The default comparison on the shipped profiles, with the catalog it was gathered with."""
    cat = shipped()
    return cat, report_mod.gather(cat)


@pytest.fixture(scope="module")
def shipped_page(shipped_report):
    return render_report.render(shipped_report[1], command="computecost report")


# ------------------------------------------------------------------ the numbers
def test_the_comparison_is_compares_result(toy_report):
    assert toy_report["sections"]["comparison"]["compare"] == compare.run(toy(), TOY_SETUPS, "toy-dense")


def test_the_breakdown_is_compares_cost_lines_and_adds_up(toy_report):
    rows = {s["id"]: s for s in toy_report["sections"]["comparison"]["compare"]["setups"]}
    data = toy_report["sections"]["breakdown"]
    assert [line["name"] for line in data["lines"]] == list(registry.LINE_NAMES)
    for s in data["setups"]:
        assert s["lines"] == rows[s["id"]]["breakdown_usd_per_gpu_hour"]
        assert sum(s["lines"].values()) == pytest.approx(s["total"], rel=1e-5)


def test_the_tornado_is_sensitivitys_result(toy_report):
    tornado = toy_report["sections"]["tornado"]
    assert [t["setup"] for t in tornado["setups"]] == TOY_SETUPS
    assert tornado["setups"][0] == sensitivity.run(toy(), "toy-own", "toy-dense", metric=report_mod.TORNADO_METRIC)
    assert tornado["unit"] == "USD/M tokens"


def test_the_operating_point_of_each_setup(toy_report):
    points = {p["setup"]: p for p in toy_report["sections"]["comparison"]["operating_point"]}
    rows = {s["id"]: s for s in toy_report["sections"]["comparison"]["compare"]["setups"]}
    for sid, p in points.items():
        assert (p["batch"], p["gpus"], p["utilization"]) == (rows[sid]["batch"], rows[sid]["gpus"],
                                                             rows[sid]["utilization"])
    assert points["toy-rent"]["term"] == "on_demand" and points["toy-own"]["term"] is None
    assert points["toy-own"]["economic_life_years"] > 0
    caption = render_report.operating_point_caption(list(points.values()))
    assert "Operating point." in caption and "rented on-demand" in caption and "utilization" in caption
    assert "-token context" in caption and "input tokens per output token" in caption


def test_the_caption_states_what_all_setups_share_once():
    base = {"kind": "own", "context_tokens": 4096, "input_tokens_per_output_token": 3.0, "batch": 64, "gpus": 4,
            "utilization": 0.7, "term": None, "economic_life_years": 5.0,
            "prices_as_of": {"oldest": "2024-01", "newest": "2025-06"}}
    points = [{**base, "setup": "a"}, {**base, "setup": "b", "batch": 16}]
    text = render_report.operating_point_caption(points)
    assert text.count("4,096-token context") == 1 and "All setups:" in text
    assert "<strong>a</strong>: batch 64 on 4 accelerators" in text and "<strong>b</strong>: batch 16" in text
    assert "prices as of 2024-01 to 2025-06" in text


def test_invest_is_invests_result_and_npv_falls_with_the_price(shipped_report):
    cat, data = shipped_report
    section = data["sections"]["invest"]
    owned = [s for s in data["setups"] if cat.get("setups", s).profile.kind == "own"]
    assert [r["setup"] for r in section["setups"]] == owned
    assert {n["setup"] for n in section["not_applicable"]} == set(data["setups"]) - set(owned)
    tiny = next(r for r in section["setups"] if r["setup"] == "tinybox-red-v2-oregon")
    alone = economics.invest(shipped(), "tinybox-red-v2-oregon", model_id=data["model"]["id"])
    assert {k: v for k, v in tiny.items() if k != "npv_by_decline"} == alone
    grid = tiny["npv_by_decline"]
    at = grid["price_decline_per_year"].index(report_mod.INVEST_PRICE_DECLINE_PER_YEAR)
    assert grid["npv_usd"][at] == pytest.approx(tiny["npv_usd"], rel=1e-5)
    assert all(a > b for a, b in zip(grid["npv_usd"], grid["npv_usd"][1:], strict=False)), "a faster fall earns less"
    crossing = next(d for d, v in zip(grid["price_decline_per_year"], grid["npv_usd"], strict=True) if v < 0)
    assert crossing - 0.01 <= tiny["stranded_price_decline_per_year"] <= crossing


def test_invest_explains_where_it_does_not_apply(toy_report):
    reasons = {n["setup"]: n["reason"] for n in toy_report["sections"]["invest"]["not_applicable"]}
    assert "no market profile" in reasons["toy-own"]
    assert "buys no hardware" in reasons["toy-rent"]


def test_a_model_that_does_not_fit_is_reported_not_crashed():
    data = report_mod.gather(Catalog([EXTRA, PROFILES], environ={}), ["toy-own"], "toy-huge")
    page = render_report.render(data)
    assert "does not fit" in page
    assert data["sections"]["tornado"]["setups"][0]["metric_at_base"] is None


# ---------------------------------------------------------------------- sources
def test_the_sources_are_exactly_the_figures_the_run_used(shipped_report):
    cat, data = shipped_report
    rows = data["sections"]["sources"]["figures"]
    keys = [(r["file"], r["key"]) for r in rows]
    in_files = [k for k in keys if k[0]]
    assert len(in_files) == len(set(in_files)), "each figure once"
    used = {(report_mod.shown_file(o.file), o.key or o.path) for o in cat.figures_used()}
    assert set(keys) == used
    # the market quotes invest took the median of are among them, with their source and date
    quotes = [r for r in rows if r["profile"] == f"markets/{data['model']['id']}"]
    market = cat.get("markets", data["model"]["id"]).profile
    assert len(quotes) == 2 * len(market.quotes)
    assert all(q["source"] and q["as_of"] and q["line"] for q in quotes)
    # shipped files are named as in computecost's sources, wherever it is installed
    assert all(r["file"].startswith("configs/") for r in rows if r["file"])


def test_every_figure_of_every_setup_is_listed_with_the_setups_that_used_it(toy_report):
    from compute_cli import pipeline

    run = pipeline.evaluate(toy(), TOY_SETUPS, "toy-dense")
    rows = {(r["file"], r["key"]): r for r in toy_report["sections"]["sources"]["figures"]}
    for record in run.origins:
        for _path, o in record.figures():
            assert record.setup in rows[(o.file, o.key or o.path)]["used_by"]


def test_a_set_value_is_a_source_of_its_own():
    data = report_mod.gather(toy(), TOY_SETUPS, "toy-dense", [parse_assignment("utilization=0.5")])
    rows = [r for r in data["sections"]["sources"]["figures"] if r["basis"] == "--set"]
    assert [(r["key"], r["text"], r["used_by"]) for r in rows] == [("utilization", "utilization=0.5", TOY_SETUPS)]
    assert data["overrides"] == ["utilization=0.5"]


def test_a_set_for_some_setups_only_is_applied_where_it_applies_and_said_once():
    import warnings

    from compute_cli.errors import ComputeCostWarning

    sets = [parse_assignment("site.pue=1.3"), parse_assignment("site.onsite_lcoe_usd_per_kwh=0.05")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ComputeCostWarning)
        data = report_mod.gather(toy(), TOY_SETUPS, "toy-dense", sets)
    said = [str(w.message) for w in caught if issubclass(w.category, ComputeCostWarning)]
    assert said == ["--set site.onsite_lcoe_usd_per_kwh=0.05 changes nothing for toy-own: its site buys from the "
                    "grid (site.generation: grid)"]
    own, rent = data["sections"]["tornado"]["setups"]
    compared = {s["id"]: s for s in data["sections"]["comparison"]["compare"]["setups"]}
    assert own["metric_at_base"] == compared["toy-own"]["cost_usd_per_million_output_tokens"]
    assert own["overrides"] == [a.text for a in sets] and rent["overrides"] == []


def test_stale_prices_are_marked(shipped_report):
    _cat, data = shipped_report
    rows = data["sections"]["sources"]["figures"]
    from compute_cli.profiles import staleness

    for r in rows:
        date = staleness.parse_as_of(r["as_of"]) if r["basis"] == "source" else None
        age = (staleness.today() - date).days if date else None
        if age is not None and age > 365 and staleness.is_price(r["key"]):
            assert r["stale_days"] == age, r
        else:
            assert r["stale_days"] is None, r
    assert any(r["stale_days"] for r in rows) == bool(staleness.stale_figures(_cat.figures_used(),
                                                                               staleness.today(), 365))


# ------------------------------------------------------------------ extending it
def test_a_new_cost_line_reaches_the_report(monkeypatch):
    line = registry.CostLine("storage", "storage of checkpoints", "storage", registry.OPERATING, "storage_line")
    monkeypatch.setattr(registry, "COST_LINES", (*registry.COST_LINES, line))
    monkeypatch.setattr(evaluate, "COST_LINES", registry.COST_LINES)
    monkeypatch.setattr(costs, "storage_line", lambda owned: owned * 0.5, raising=False)
    monkeypatch.setattr(registry, "LINE_NAMES", (*registry.LINE_NAMES, "storage"))
    monkeypatch.setattr(compare, "LINE_NAMES", registry.LINE_NAMES)
    data = report_mod.gather(toy(), ["toy-own"], "toy-dense")
    assert data["sections"]["breakdown"]["setups"][0]["lines"]["storage"] == 0.5
    page = render_report.render(data)
    legend = page[page.index('<ul class="legend">'):]
    assert "storage of checkpoints" in legend[:legend.index("</ul>")]


def test_every_section_that_can_have_data_has_a_renderer(toy_report):
    from compute_cli import pipeline

    run = pipeline.evaluate(toy(), TOY_SETUPS, "toy-dense")
    ctx = report_mod.Context(toy(), run, compare.result(run), [], 365)
    for name, gatherer in report_mod.SECTIONS:
        if name not in render_report.RENDERERS:  # a hook for a section still to come
            assert gatherer(ctx) is None, name
    assert set(toy_report["sections"]) <= set(render_report.RENDERERS)
    with pytest.raises(KeyError, match="no renderer"):
        render_report.render({**toy_report, "sections": {"nonsense": {}}})


# ---------------------------------------------------------------------- the page
def test_the_page_fetches_nothing(shipped_page):
    page = shipped_page
    assert not re.search(r"\bsrc\s*=", page, re.I), "no <img>, <script src>, <iframe>"
    assert not re.search(r"<(script|link|iframe|object|embed|img|base)\b", page, re.I)
    assert not re.search(r"url\(|@import|@font-face", page, re.I), "no CSS fetches or web fonts"
    hrefs = re.findall(r"href\s*=\s*\"([^\"]*)\"", page)
    assert hrefs and all(h.startswith("#") for h in hrefs), "links only within the page"
    assert "default-src 'none'" in page, "and a policy that blocks any fetch"
    # the only URL is the SVG namespace, an identifier no browser fetches
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"} | _urls_in_sources(page)


def _urls_in_sources(page: str) -> set[str]:
    """URLs quoted as text in the source column (a source may cite its web page), never as links."""
    return {u for u in re.findall(r"https?://[^\s\"'<>()]+", page) if "w3.org/2000/svg" not in u}


def test_the_page_is_readable_on_a_phone_and_in_print(shipped_page):
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in shipped_page
    assert "@media print" in shipped_page and "@media (max-width:40rem)" in shipped_page
    assert shipped_page.count('<div class="scroll"') >= 3, "every table scrolls inside its own box"


def test_every_chart_is_labelled(shipped_page):
    charts = re.findall(r"<svg class=\"chart\".*?</svg>(?=</div>)", shipped_page, re.S)
    assert len(charts) == shipped_page.count('<svg class="chart"') >= 4
    for text in charts:
        root = ET.fromstring(text)  # well-formed XML
        ns = "{http://www.w3.org/2000/svg}"
        assert root.get("role") == "img"
        title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
        assert title is not None and title.text and desc is not None and len(desc.text) > 40
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        labels = [t.text or "" for t in root.iter(f"{ns}text")]
        assert any(re.search(r"\[[^\]]+\]", t) for t in labels), f"an axis with its unit: {title.text}"


class _Nesting(HTMLParser):
    VOID = {"meta", "br", "wbr", "hr", "img", "input", "link"}
    SVG_EMPTY = {"rect", "line", "circle", "polyline", "path"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


def test_the_page_is_well_formed(shipped_page):
    parser = _Nesting()
    parser.feed(shipped_page)
    assert parser.errors == [] and parser.stack == []
    ids = re.findall(r'\bid="([^"]+)"', shipped_page)
    assert len(ids) == len(set(ids)), "element ids are unique"


@given(st.floats(-1e12, 1e12), st.floats(-1e12, 1e12))
def test_ticks_cover_the_range_in_round_steps(a, b):
    low, high = min(a, b), max(a, b)
    t = svg.ticks(low, high)
    noise = 1e-9 * max(high - low, abs(low), abs(high), 1.0)  # of a step: float noise, not a visible gap
    assert t[0] <= low + noise and t[-1] >= high - noise
    assert 2 <= len(t) <= 12
    steps = {round((y - x) / (t[1] - t[0]), 6) for x, y in zip(t, t[1:], strict=False)}
    assert steps == {1.0}


# -------------------------------------------------------------------------- CLI
@pytest.fixture
def run_in(monkeypatch):
    """``run_in(directory, *args)``: computecost with the toy profiles, from ``directory``."""
    from compute_cli.cli import app

    monkeypatch.delenv("COMPUTECOST_PATH", raising=False)
    runner = make_runner()

    def run(directory: Path, *args):
        monkeypatch.chdir(directory)
        return runner.invoke(app, ["-C", str(PROFILES), *map(str, args)])

    return run


def test_report_writes_report_html_in_the_working_directory(run_in, tmp_path):
    result = run_in(tmp_path, "report", *TOY_SETUPS, "--model", "toy-dense")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert result.stdout == ""
    assert result.stderr.startswith("wrote report.html: 2 setups, ") and result.stderr.endswith(" figures with their sources\n")
    assert "computecost -C" in page and "report toy-own toy-rent --model toy-dense" in page, "how to make it again"
    assert list(tmp_path.iterdir()) == [tmp_path / "report.html"], "no temporary file left"


def test_report_to_stdout_only_when_asked_and_not_a_terminal(run_in, tmp_path, monkeypatch):
    from compute_cli.cli import report as report_cli
    from compute_cli.errors import UsageError

    result = run_in(tmp_path, "report", "toy-own", "--model", "toy-dense", "-o", "-")
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>")
    assert list(tmp_path.iterdir()) == []

    class Terminal:
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    with pytest.raises(UsageError, match="stdout is a terminal"):
        report_cli.check_output("-")


def test_report_never_writes_over_a_directory_or_into_nowhere(run_in, tmp_path):
    (tmp_path / "out").mkdir()
    result = run_in(tmp_path, "report", "toy-own", "--model", "toy-dense", "-o", "out")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "error: --output out: is a directory; give a file name, e.g. out/report.html\n"
    assert list((tmp_path / "out").iterdir()) == []
    result = run_in(tmp_path, "report", "toy-own", "--model", "toy-dense", "-o", "missing/r.html")
    assert result.exit_code == 2 and result.stderr == "error: --output missing/r.html: no such directory 'missing'\n"


def test_a_failed_report_leaves_the_previous_one(run_in, tmp_path):
    (tmp_path / "report.html").write_text("the report of yesterday")
    result = run_in(tmp_path, "report", "toy-nope", "--model", "toy-dense")
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: no setup profile 'toy-nope'")
    result = run_in(tmp_path, "report", "toy-own", "--model", "toy-dense", "--set", "utilization=2")
    assert result.exit_code in (2, 3) and "Traceback" not in result.output
    assert (tmp_path / "report.html").read_text() == "the report of yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_strict_stale_prices_write_nothing(monkeypatch, tmp_path):
    from compute_cli.cli import app

    monkeypatch.chdir(tmp_path)
    result = make_runner().invoke(app, ["--strict", "report", "tinybox-red-v2-oregon"], env={"COMPUTECOST_PATH": ""})
    assert result.exit_code == 3 and "stale price" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_report_is_documented():
    readme = (REPO / "README.md").read_text()
    assert "computecost report" in readme and "docs/report.png" in readme
    assert (REPO / "docs" / "report.png").stat().st_size > 10_000
