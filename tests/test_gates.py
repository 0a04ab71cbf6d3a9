"""CI gates and pipelines: check, diff, schema, setups from files and stdin, staleness, quiet, NO_COLOR.

Every exit code of check and diff is exercised (0 ok, 2 usage, 3 invalid input, 4 breach);
stdout and stderr are checked apart. The toy catalog (tests/data/profiles) carries no
dates, so staleness tests write dated profiles into a temporary directory.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import jsonschema
import pytest
import typer.main

from compute_cli.contract import SCHEMA_VERSION
from compute_cli.cli import app
from compute_cli.errors import ExitCode
from compute_cli.profiles import staleness
from compute_cli.render import check as render_check
from compute_cli.render import compare as render_compare
from compute_cli.render.output_schema import OUTPUTS, output_schema

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
TOY = ("-C", "tests/data/profiles")
WIDE = ("-C", "tests/data/extra", "-C", "tests/data/profiles")
BASE = "tests/data/diff/base.json"
NEW = "tests/data/diff/new.json"
CHECK = (*TOY, "check", "toy-own", "toy-rent", "--model", "toy-dense")


def validator(name: str | None = None):
    return jsonschema.Draft202012Validator(output_schema(name, strict=True))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ====================================================================== check
def test_check_within_every_limit_exits_0(cli):
    result = cli(*CHECK, "--max-usd-per-gpu-hour", "3", "--max-usd-per-million-output-tokens", "20",
                 "--min-tokens-per-joule", "0.1")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stderr == ""
    assert result.stdout == "check: ok: 6 results within their limits (3 rules, 2 setups, model toy-dense)\n"


def test_check_breach_exits_4_with_one_line_per_breach(cli):
    result = cli(*CHECK, "--max-usd-per-gpu-hour", "2.8", "--max-usd-per-million-output-tokens", "12")
    assert result.exit_code == ExitCode.THRESHOLD == 4
    assert result.stderr == ""
    assert result.stdout.splitlines() == [  # rules in the order of the options' help
        "breach: toy-own: cost_usd_per_million_output_tokens 19.74 > max 12 (--max-usd-per-million-output-tokens)",
        "breach: toy-rent: cost_usd_per_gpu_hour 3 > max 2.8 (--max-usd-per-gpu-hour)",
        "check: FAILED: 2 breaches in 4 results (2 rules, 2 setups, model toy-dense)",
    ]


def test_check_min_limit_breach(cli):
    result = cli(*CHECK, "--min-tokens-per-joule", "0.5")
    assert result.exit_code == 4
    assert "breach: toy-own: tokens_per_joule 0.1754 < min 0.5 (--min-tokens-per-joule)" in result.stdout


def test_check_limit_equal_to_the_value_passes(cli):
    assert cli(*CHECK, "--max-usd-per-gpu-hour", "3.0").exit_code == 0  # toy-rent costs exactly 3.0


def test_check_json_gives_every_rule_result(cli):
    result = cli(*CHECK, "--max-usd-per-gpu-hour", "2.8", "--min-tokens-per-joule", "0.1", "-f", "json")
    assert result.exit_code == 4
    data = json.loads(result.stdout)
    validator("check").validate(data)
    assert data["ok"] is False and data["breaches"] == 1
    assert [(r["rule"], r["setup"], r["status"]) for r in data["results"]] == [
        (0, "toy-own", "ok"), (0, "toy-rent", "breach"), (1, "toy-own", "ok"), (1, "toy-rent", "ok")]
    assert data["results"][1]["value"] == 3.0 and data["results"][1]["max"] == 2.8
    assert [r["origin"] for r in data["rules"]] == ["--max-usd-per-gpu-hour", "--min-tokens-per-joule"]


def test_check_a_value_that_cannot_be_computed_is_a_breach(cli):
    result = cli(*WIDE, "check", "toy-own", "--model", "toy-huge", "--max-usd-per-million-output-tokens", "1000")
    assert result.exit_code == 4
    assert "breach: toy-own: cost_usd_per_million_output_tokens cannot be computed (toy-huge at bf16 does not fit" \
           in result.stdout


def test_check_without_any_limit_is_a_usage_error(cli):
    result = cli(*CHECK)
    assert result.exit_code == ExitCode.USAGE == 2
    assert result.stdout == ""
    assert "nothing to check" in result.stderr and "--policy FILE" in result.stderr


@pytest.mark.parametrize("args, message", [
    (("--max-usd-per-gpu-hour", "-1"), "'-1': expected a finite number >= 0"),
    (("--max-usd-per-gpu-hour", "cheap"), "'cheap': expected a finite number >= 0"),
    (("--max-usd-per-gpu-hour", "nan"), "'nan': expected a finite number >= 0"),
    (("--min-tokens-per-joule", "inf"), "'inf': expected a finite number >= 0"),
    (("--max-usd-per-gpu-hour", "3", "-f", "html"), "--format 'html': expected one of table, json, csv, jsonl, "
                                                    "markdown"),
])
def test_check_usage_errors_exit_2(cli, args, message):
    result = cli(*CHECK, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_check_unknown_setup_exits_3_not_4(cli):
    result = cli(*TOY, "check", "toy-ow", "--model", "toy-dense", "--max-usd-per-gpu-hour", "0")
    assert result.exit_code == ExitCode.INVALID_INPUT == 3
    assert result.stdout == ""
    assert "(did you mean 'toy-own'?)" in result.stderr


POLICY = """\
# cost limits for the toy fleet
model: toy-dense
rules:
  - metric: cost_usd_per_gpu_hour
    max: 2.8
    setups: [toy-rent]
    name: rental budget
  - metric: tokens_per_joule
    min: {value: 0.1, source: "sustainability target", as_of: 2025-01}
  - metric: breakdown_usd_per_gpu_hour.energy
    max: 1
"""


def test_check_policy_file(cli, tmp_path):
    policy = write(tmp_path / "policy.yaml", POLICY)
    result = cli(*TOY, "check", "toy-own", "toy-rent", "--policy", policy)
    assert result.exit_code == 4
    lines = result.stdout.splitlines()
    assert lines[0] == f"breach: toy-rent: cost_usd_per_gpu_hour 3 > max 2.8 ({policy}:4 'rental budget')"
    assert lines[1] == "check: FAILED: 1 breach in 5 results (3 rules, 2 setups, model toy-dense)"
    data = json.loads(cli(*TOY, "check", "toy-own", "toy-rent", "--policy", policy, "-f", "json").stdout)
    validator("check").validate(data)
    assert data["policy"] == str(policy)
    assert [r["setup"] for r in data["results"] if r["rule"] == 0] == ["toy-rent"]  # the setups filter
    assert data["rules"][1]["min"] == 0.1  # a limit may carry its source


def test_check_policy_and_options_together(cli, tmp_path):
    policy = write(tmp_path / "policy.yaml", POLICY)
    data = json.loads(cli(*CHECK, "--policy", policy, "--max-usd-per-gpu-hour", "10", "-f", "json").stdout)
    assert [r["origin"] for r in data["rules"]] == ["--max-usd-per-gpu-hour", f"{policy}:4", f"{policy}:8",
                                                    f"{policy}:10"]


def test_check_rule_whose_setups_are_not_in_the_run_warns(cli, tmp_path):
    policy = write(tmp_path / "p.yaml", "rules:\n  - metric: cost_usd_per_gpu_hour\n    max: 1\n    setups: [toy-rent]\n")
    result = cli(*TOY, "check", "toy-own", "--model", "toy-dense", "--policy", policy)
    assert result.exit_code == 0
    assert "no rule applies to the setups checked" in result.stderr
    assert cli("-q", *TOY, "check", "toy-own", "--model", "toy-dense", "--policy", policy).stderr == ""


@pytest.mark.parametrize("text, expected", [
    ("rules:\n  - metric: cost_usd_per_gpu_hr\n    max: 2\n",
     "p.yaml:2: rules[0].metric: unknown metric 'cost_usd_per_gpu_hr' (did you mean 'cost_usd_per_gpu_hour'?)"),
    ("rules:\n  - metric: tokens_per_joule\n    max: 2\n  - metric: cost_usd_per_gpu_hour\n    maximum: 2\n",
     "p.yaml:5: rules[1].maximum: unknown key (did you mean 'max'?)"),
    ("rules:\n  - metric: cost_usd_per_gpu_hour\n    max: cheap\n",
     "p.yaml:3: rules[0].max: expected a number, got text 'cheap'"),
    ("rules:\n  - metric: cost_usd_per_gpu_hour\n    setups: [toy-rent]\n",
     "p.yaml:2: rules[0]: a rule needs 'max' or 'min' (or both)"),
    ("rules:\n  - metric: tokens_per_joule\n    max: 1\n    min: 2\n",
     "p.yaml:4: rules[0].min: min 2 is above max 1: no value can pass"),
    ("rules:\n  - metric: cost_usd_per_gpu_hour\n    max: 2\n    setups: [toy-rnt]\n",
     "p.yaml:4: rules[0].setups[0]: no setup profile 'toy-rnt' (did you mean 'toy-rent'?)"),
    ("rule:\n  - metric: cost_usd_per_gpu_hour\n", "p.yaml:1: rule: unknown key (did you mean 'rules'?)"),
    ("rules: []\n", "p.yaml:1: rules: must list at least 1 item"),
    ("rules:\n  - metric: x\n\tmax: 1\n", "p.yaml:3: YAML syntax error"),
    ("model: toy-dense\n", "p.yaml:1: missing required key 'rules'"),
])
def test_policy_file_errors_name_file_line_and_key(cli, tmp_path, monkeypatch, text, expected):
    write(tmp_path / "p.yaml", text)
    monkeypatch.chdir(tmp_path)
    result = cli("-C", TESTS / "data" / "profiles", "check", "toy-own", "--model", "toy-dense", "--policy", "p.yaml")
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: " + expected), result.stderr


def test_policy_file_missing(cli):
    result = cli(*CHECK, "--policy", "no/such/policy.yaml")
    assert result.exit_code == 3
    assert "error: no/such/policy.yaml: no such file" in result.stderr


# ======================================================================= diff
def test_diff_markdown_matches_golden(cli):
    result = cli("diff", BASE, NEW, "--fail-on-increase", "5%", "--format", "markdown")
    assert result.exit_code == 4
    assert result.stderr == ""
    assert result.stdout == (TESTS / "golden" / "diff.md").read_text(), "regenerate with `make golden` if intended"


def test_diff_markdown_is_a_pull_request_comment(cli):
    text = cli("diff", BASE, NEW, "-f", "markdown").stdout
    lines = text.splitlines()
    assert lines[0] == "<!-- computecost-diff -->" and lines[1].startswith("### ")
    assert "| setup | metric | base | new | change | % |" in lines
    assert "| `toy-rent` | `cost_usd_per_gpu_hour` | 3 | 3.3 | +0.3 | +10.0% |" in lines  # no limit: no mark
    assert "**Added setups:** `toy-rent-single`" in lines and "**Removed setups:** `toy-own-building`" in lines
    assert "<details><summary>6 other changed values</summary>" in lines


def test_diff_table_exits_0_without_a_limit(cli):
    result = cli("diff", BASE, NEW)
    assert result.exit_code == 0
    assert result.stderr == ""
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in result.stdout.splitlines()[4:] if line.strip()}
    assert rows[("toy-rent", "cost_usd_per_gpu_hour")] == ["3", "3.3", "+0.3", "+10.0%"]
    assert rows[("toy-own", "breakdown_usd_per_gpu_hour.energy")][-1] == "-50.0%"
    assert "added setups: toy-rent-single" in result.stdout and "removed setups: toy-own-building" in result.stdout
    assert result.stdout.splitlines()[-1] == ("diff: 14 values changed in 2 of 2 setups, 1 added, 1 removed "
                                              "(model toy-dense)")


def test_diff_fail_on_increase_exits_4_when_a_cost_rises_past_the_limit(cli):
    result = cli("diff", BASE, NEW, "--fail-on-increase", "5%")
    assert result.exit_code == 4
    assert ("breach: toy-rent: cost_usd_per_gpu_hour rose +10.0% (3 -> 3.3), more than the 5% limit"
            in result.stdout.splitlines())
    assert result.stdout.count("breach: ") == 4  # the four cost_usd_per_* metrics of toy-rent
    assert "4 breaches of the 5% limit" in result.stdout.splitlines()[-1]


@pytest.mark.parametrize("limit", ["10%", "10", "15%"])
def test_diff_increase_within_the_limit_exits_0(cli, limit):
    assert cli("diff", BASE, NEW, "--fail-on-increase", limit).exit_code == 0  # +10.0% is not more than 10%


def test_diff_watch_chooses_the_metrics(cli):
    # energy fell 50% for toy-own; prices rose 10% for toy-rent
    assert cli("diff", BASE, NEW, "--fail-on-increase", "1%", "--watch", "breakdown_usd_per_gpu_hour.energy").exit_code == 0
    result = cli("diff", BASE, NEW, "--fail-on-increase", "1%", "--watch", "price_usd_per_million_output_tokens")
    assert result.exit_code == 4 and result.stdout.count("breach: ") == 1


def test_diff_json_and_jsonl(cli):
    result = cli("diff", BASE, NEW, "--fail-on-increase", "5%", "-f", "json")
    assert result.exit_code == 4
    data = json.loads(result.stdout)
    validator("diff").validate(data)
    assert data["fail_on_increase"] == 0.05
    assert data["added_setups"] == ["toy-rent-single"] and data["removed_setups"] == ["toy-own-building"]
    change = next(c for c in data["changes"] if (c["setup"], c["metric"]) == ("toy-rent", "cost_usd_per_gpu_hour"))
    assert change == {"setup": "toy-rent", "metric": "cost_usd_per_gpu_hour", "base": 3.0, "new": 3.3, "change": 0.3,
                      "change_fraction": 0.1, "watched": True, "breach": True}
    lines = cli("diff", BASE, NEW, "-f", "jsonl").stdout.splitlines()
    assert len(lines) == len(data["changes"])
    for line in lines:
        validator("diff_change").validate(json.loads(line))


def test_diff_no_change(cli):
    result = cli("diff", BASE, BASE, "--fail-on-increase", "0%", "-f", "markdown")
    assert result.exit_code == 0
    assert "No change in `cost_usd_per_gpu_hour`" in result.stdout
    assert ":white_check_mark: No watched metric rose more than 0%." in result.stdout
    assert cli("diff", BASE, BASE).stdout == "diff: no change in 3 setups (model toy-dense)\n"


def test_diff_value_that_can_no_longer_be_computed_is_a_breach_and_text_changes_are_listed(cli, tmp_path):
    new = json.loads(Path(BASE).read_text())
    new["setups"][0]["cost_usd_per_million_output_tokens"] = None
    new["setups"][0]["precision"] = "fp8"
    write(tmp_path / "new.json", json.dumps(new))
    result = cli("diff", BASE, tmp_path / "new.json", "--fail-on-increase", "50%", "-f", "json")
    assert result.exit_code == 4
    changes = {c["metric"]: c for c in json.loads(result.stdout)["changes"]}
    assert changes["cost_usd_per_million_output_tokens"]["breach"] is True
    assert changes["precision"] == {"setup": "toy-own", "metric": "precision", "base": "bf16", "new": "fp8",
                                    "change": None, "change_fraction": None, "watched": False, "breach": False}
    text = cli("diff", BASE, tmp_path / "new.json", "--fail-on-increase", "50%").stdout
    assert "breach: toy-own: cost_usd_per_million_output_tokens was 19.25 and can no longer be computed" in text


def test_diff_reads_one_side_from_stdin(cli):
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["diff", BASE, "-"], input=Path(NEW).read_bytes())
    assert result.exit_code == 0, result.output
    assert "`<stdin>`" in CliRunner().invoke(app, ["diff", BASE, "-", "-f", "markdown"],
                                             input=Path(NEW).read_bytes()).stdout


@pytest.mark.parametrize("content, expected", [
    ('{"schema_version": 1, "setups": [', "x.json:1: not JSON: Expecting value (column 34)"),
    ("[1, 2]", "x.json: not a compare output: expected the output of 'computecost compare --format json'"),
    ('{"schema_version": 3, "setups": []}', "x.json: schema_version 3 is not supported: this computecost reads "
                                            "compare outputs of schema_version 1 or 2"),
    ('{"schema_version": 1, "model": "m", "results": [], "rules": [], "setups": ["a"]}',
     "x.json: this is the output of 'computecost check', not of compare"),
    ('{"schema_version": 1, "model": {"id": "m"}}', "x.json: not a compare output"),
    ('{"schema_version": 1, "setups": [{"name": "no id"}]}', "x.json: setups[0]: expected a setup object with an 'id'"),
    ('{"schema_version": 1, "setups": [{"id": "a"}, {"id": "a"}]}', "x.json: setups[1].id: setup 'a' appears twice"),
    ('{"schema_version": 1, "setups": [{"id": "a", "cost_usd_per_gpu_hour": [1]}]}',
     "x.json: setups[0].cost_usd_per_gpu_hour: expected a number, text or null, got list"),
    ("", "x.json: file is empty, expected the output of 'computecost compare --format json'"),
    ("  \n", "x.json: file is empty"),
])
def test_diff_malformed_input_exits_3(cli, tmp_path, monkeypatch, content, expected):
    write(tmp_path / "x.json", content)
    monkeypatch.chdir(tmp_path)
    for args in (("x.json", str(TESTS.parent / NEW)), (str(TESTS.parent / BASE), "x.json")):
        result = cli("diff", *args)
        assert result.exit_code == ExitCode.INVALID_INPUT, result.output
        assert result.stdout == ""
        assert result.stderr.startswith("error: " + expected), result.stderr


def test_diff_missing_file_exits_3(cli):
    result = cli("diff", BASE, "no/such.json")
    assert result.exit_code == 3
    assert "error: no/such.json: no such file" in result.stderr


@pytest.mark.parametrize("args, message", [
    (("--fail-on-increase", "five"), "--fail-on-increase 'five': expected a percentage >= 0, e.g. 5%"),
    (("--fail-on-increase", "-5%"), "expected a percentage >= 0"),
    (("--watch", "cost_usd_per_gpu_hr"), "--watch 'cost_usd_per_gpu_hr': no such numeric metric in the two files "
                                         "(did you mean 'cost_usd_per_gpu_hour'?)"),
    (("-f", "yaml"), "--format 'yaml': expected one of table, json, csv, jsonl, markdown"),
])
def test_diff_usage_errors_exit_2(cli, args, message):
    result = cli("diff", BASE, NEW, *args)
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert message in result.stderr


def test_diff_stdin_twice_is_a_usage_error(cli):
    result = cli("diff", "-", "-")
    assert result.exit_code == 2 and "'-' (stdin) can be given once" in result.stderr


# ===================================================================== schema
def test_schema_output_is_a_valid_versioned_schema(cli):
    result = cli("schema", "output")
    assert result.exit_code == 0 and result.stderr == ""
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator.check_schema(output_schema(strict=True))
    assert schema["$id"] == f"urn:computecost:schema:output:{SCHEMA_VERSION}"
    assert set(schema["$defs"]) == set(OUTPUTS)
    for name, definition in schema["$defs"].items():
        if "schema_version" in definition.get("properties", {}):
            assert definition["properties"]["schema_version"] == {"const": SCHEMA_VERSION}, name
            assert "schema_version" in definition["required"], name


def test_schema_output_one_definition(cli):
    schema = json.loads(cli("schema", "output", "check_result").stdout)
    assert schema["$ref"] == "#/$defs/check_result"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_output_unknown_name(cli):
    result = cli("schema", "output", "comapre")
    assert result.exit_code == 2
    assert "no output named 'comapre' (did you mean 'compare'?)" in result.stderr


def test_schema_profiles_is_the_profiles_schema(cli):
    assert cli("schema", "profiles").stdout == cli("profiles", "schema").stdout
    assert cli("schema", "profiles", "sites").stdout == cli("profiles", "schema", "sites").stdout
    assert cli("schema", "profiles", "site").exit_code == 2


def test_strict_schema_refuses_an_undescribed_key():
    data = json.loads(Path(BASE).read_text())
    validator("compare").validate(data)
    data["setups"][0]["surprise"] = 1
    jsonschema.Draft202012Validator(output_schema("compare")).validate(data)  # the published schema allows it
    with pytest.raises(jsonschema.ValidationError):
        validator("compare").validate(data)


# Every JSON the CLI prints: (name of the output definition, jsonl?, arguments).
JSON_OUTPUTS = [
    ("compare", False, (*TOY, "compare", "toy-own", "toy-rent", "--model", "toy-dense", "-f", "json")),
    ("compare", False, (*WIDE, "compare", "toy-own", "--model", "toy-huge", "-f", "json")),  # nulls and a note
    ("compare_setup", True, (*TOY, "compare", "toy-own", "toy-rent", "--model", "toy-dense", "-f", "jsonl")),
    ("compare", False, ("-q", "compare", "--max-tpot-ms", "5", "-f", "json")),  # no point meets it: nulls, notes
    ("frontier", False, ("-q", "frontier", "hyperscaler-hgx-h100-campus", "tinybox-red-v2-oregon", "-f", "json")),
    ("frontier", False, (*WIDE, "frontier", "toy-own", "--model", "toy-huge", "-f", "json")),  # does not fit
    ("frontier_row", True, ("-q", "frontier", "tinybox-red-v2-oregon", "--workload", "reasoning", "-f", "jsonl")),
    ("throughput", False, (*TOY, "throughput", "--hardware", "toy-gpu", "--model", "toy-dense", "-f", "json")),
    ("throughput", False, (*TOY, "throughput", "--hardware", "toy-gpu", "--model", "toy-dense", "--batch", "10000",
                           "-f", "json")),  # with a note
    ("check", False, (*CHECK, "--max-usd-per-gpu-hour", "2.8", "-f", "json")),
    ("check_result", True, (*CHECK, "--max-usd-per-gpu-hour", "2.8", "-f", "jsonl")),
    ("diff", False, ("diff", BASE, NEW, "-f", "json")),
    ("diff_change", True, ("diff", BASE, NEW, "-f", "jsonl")),
    ("profiles_list", False, (*TOY, "profiles", "list", "-f", "json")),
    ("profiles_list_row", True, (*TOY, "profiles", "list", "-f", "jsonl")),
    ("profiles_show", False, (*TOY, "profiles", "show", "toy-gpu", "-f", "json")),
    ("profiles_show_field", True, (*TOY, "profiles", "show", "toy-gpu", "-f", "jsonl")),
    # investment questions, on the shipped profiles (markets are shipped only)
    ("invest", False, ("-q", "invest", "tinybox-red-v2-oregon", "-f", "json")),
    ("invest", False, ("-q", "invest", "aws-p5-ondemand", "--rent-out-usd-per-gpu-hour", "8", "-f", "json")),
    ("rent_or_buy", False, ("-q", "rent-or-buy", "tinybox-red-v2-oregon", "aws-p5-ondemand", "-f", "json")),
    ("fleet", False, ("-q", "fleet", "--power-mw", "1", "-f", "json")),
    ("breakeven", False, ("-q", "breakeven", "hyperscaler-hgx-h100-campus", "aws-p5-ondemand", "--vary",
                          "site.electricity_usd_per_kwh", "-f", "json")),  # no crossing: a note
    # the same rows as csv, one per line (render/rows.py)
    ("invest_line", True, ("-q", "invest", "tinybox-red-v2-oregon", "-f", "jsonl")),
    ("invest_line", True, ("-q", "invest", "neocloud-hgx-h100-colo", "--ranges", "--samples", "200", "-f", "jsonl")),
    ("rent_or_buy_line", True, ("-q", "rent-or-buy", "tinybox-red-v2-oregon", "aws-p5-ondemand", "-f", "jsonl")),
    ("fleet_line", True, ("-q", "fleet", "--power-mw", "1", "-f", "jsonl")),
    ("breakeven_line", True, ("-q", "breakeven", "hyperscaler-hgx-h100-campus", "aws-p5-ondemand", "--vary",
                              "utilization", "-f", "jsonl")),
    ("scenario_list", False, ("scenario", "list", "-f", "json")),
    ("scenario_list_row", True, ("scenario", "list", "-f", "jsonl")),
    ("scenario_run_line", True, ("-q", "scenario", "run", "compute-rich-resale", "-f", "jsonl")),
    *[("scenario_run", False, ("-q", "scenario", "run", p.stem, "-f", "json"))
      for p in sorted((TESTS.parent / "configs" / "scenarios").glob("*.yaml"))],
    # exploring a setup
    ("sweep", False, (*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "utilization=0.2:1:3", "--vary",
                      "site.electricity_usd_per_kwh=0:0.2:2", "-f", "json")),
    ("sweep_row", True, (*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "utilization=0:1:3", "-f",
                         "jsonl")),  # utilization 0: nulls
    ("sensitivity", False, (*TOY, "sensitivity", "toy-own", "--model", "toy-dense", "-f", "json")),
    ("simulate", False, (*TOY, "simulate", "toy-own", "--model", "toy-dense", "--samples", "500", "--dist",
                         "utilization=uniform:0.3:0.7", "-f", "json")),
    ("simulate", False, ("-q", "simulate", "tinybox-red-v2-oregon", "--samples", "500", "-f", "json")),
    ("sensitivity_line", True, (*TOY, "sensitivity", "toy-own", "--model", "toy-dense", "-f", "jsonl")),
    ("simulate_line", True, ("-q", "simulate", "tinybox-red-v2-oregon", "--samples", "500", "-f", "jsonl")),
    # ranges
    ("compare", False, ("-q", "compare", "--ranges", "--samples", "200", "-f", "json")),
    ("compare_setup", True, ("-q", "compare", "--ranges", "--samples", "200", "-f", "jsonl")),
    ("invest", False, ("-q", "invest", "neocloud-hgx-h100-colo", "--ranges", "--samples", "200", "-f", "json")),
    # prices (import writes into the test's own empty user config directory)
    ("prices_import", False, ("prices", "import", "tests/data/prices/litellm-prices.json", "--as-of", "2026-11-30",
                              "-f", "json")),
    ("prices_import", False, ("prices", "import", "tests/data/prices/offers.csv", "-f", "json")),
    ("prices_stale", False, ("prices", "stale", "-f", "json")),
    ("prices_stale_row", True, ("prices", "stale", "--max-age-days", "0", "-f", "jsonl")),
]
# Commands that print JSON without a definition in output_schema.py yet: none. A new one fails
# test_every_command_that_prints_json_has_a_definition until it has a definition and a row above.
PENDING: set[str] = set()


def command_of(args) -> str:
    """The command path an argument list runs, e.g. 'profiles list'."""
    group, path = typer.main.get_command(app), []
    for arg in args:
        sub = getattr(group, "commands", {}).get(str(arg))
        if sub is not None:
            group = sub
            path.append(str(arg))
    return " ".join(path)


@pytest.mark.parametrize("name, lines, args", JSON_OUTPUTS, ids=lambda v: v if isinstance(v, str) else None)
def test_every_json_output_validates_against_the_output_schema(cli, name, lines, args):
    result = cli(*args)
    assert result.exit_code in (0, 4), result.output
    documents = [json.loads(line) for line in result.stdout.splitlines()] if lines else [json.loads(result.stdout)]
    assert documents
    whole = jsonschema.Draft202012Validator(output_schema(strict=True))
    for doc in documents:
        validator(name).validate(doc)
        whole.validate(doc)
        if not lines:
            assert doc["schema_version"] == SCHEMA_VERSION


def test_every_command_that_prints_json_has_a_definition():
    """A new command with --format json needs its definition in output_schema.py and a row in JSON_OUTPUTS."""
    covered = {command_of(args) for _, _, args in JSON_OUTPUTS}

    def walk(cmd, path=()):
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, (*path, name))
        if any("--format" in p.opts for p in getattr(cmd, "params", [])):
            yield " ".join(path)

    uncovered = set(walk(typer.main.get_command(app))) - covered
    assert uncovered <= PENDING, f"add an output definition and a JSON_OUTPUTS row for: {sorted(uncovered - PENDING)}"


# ===================================================== setups from files and stdin
def test_compare_a_setup_from_stdin(cli):
    from typer.testing import CliRunner

    text = (DATA / "profiles" / "setups" / "toy-rent.yaml").read_text().replace("id: toy-rent", "id: piped")
    result = CliRunner().invoke(app, [*TOY, "compare", "-", "toy-own", "--model", "toy-dense", "-f", "json"],
                                input=text, env={"COMPUTECOST_PATH": ""})
    assert result.exit_code == 0, result.output
    assert [s["id"] for s in json.loads(result.stdout)["setups"]] == ["piped", "toy-own"]


def test_invalid_setup_on_stdin_names_stdin_line_and_key(cli):
    from typer.testing import CliRunner

    text = (DATA / "profiles" / "setups" / "toy-rent.yaml").read_text().replace("precision: bf16", "precision: bf61")
    result = CliRunner().invoke(app, [*TOY, "compare", "-", "--model", "toy-dense"], input=text)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("error: <stdin>:7: precision: must be one of bf16, fp8, int4, int8, got 'bf61'")


def test_compare_a_setup_file_brings_its_profile_directory(cli, tmp_path):
    # my-profiles/setups/mine.yaml names toy-offer-2, found in my-profiles/offers/ without -C
    root = tmp_path / "my-profiles"
    write(root / "offers" / "toy-offer-2.yaml",
          (DATA / "profiles" / "offers" / "toy-cloud.yaml").read_text().replace("id: toy-cloud", "id: toy-offer-2"))
    setup = write(root / "setups" / "mine.yaml", (DATA / "profiles" / "setups" / "toy-rent.yaml").read_text()
                  .replace("id: toy-rent", "id: mine").replace("offer: toy-cloud", "offer: toy-offer-2"))
    result = cli(*TOY, "compare", setup, "toy-own", "--model", "toy-dense", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["setups"]
    assert [r["id"] for r in rows] == ["mine", "toy-own"] and rows[0]["offer"] == "toy-offer-2"


def test_a_file_of_another_kind_is_not_a_setup(cli):
    result = cli(*TOY, "compare", "tests/data/profiles/sites/toy-site.yaml")
    assert result.exit_code == 3
    assert "toy-site.yaml: is in a 'sites' folder, so it is a sites profile; a setup file is expected" in result.stderr


def test_check_a_setup_from_stdin(cli):
    from typer.testing import CliRunner

    text = (DATA / "profiles" / "setups" / "toy-rent.yaml").read_text()
    result = CliRunner().invoke(app, [*TOY, "check", "-", "--model", "toy-dense", "--max-usd-per-gpu-hour", "2"],
                                input=text)
    assert result.exit_code == 4
    assert result.stdout.startswith("breach: toy-rent: cost_usd_per_gpu_hour 3 > max 2")


def test_stdin_can_be_given_once(cli):
    result = cli(*TOY, "compare", "-", "-")
    assert result.exit_code == 2 and "'-' (stdin) can be given once" in result.stderr


@pytest.mark.parametrize("kind, name, edit, code", [
    ("setups", "toy-rent", lambda t: t, 0),
    ("sites", "toy-site", lambda t: t, 0),
    ("sites", "toy-site", lambda t: t.replace("value: 1.25", "value: 0.9"), 3),
    ("setups", "toy-rent", lambda t: t.replace("offer: toy-cloud", "offer: toy-clod"), 3),
])
def test_profiles_validate_from_stdin(kind, name, edit, code):
    from typer.testing import CliRunner

    text = edit((DATA / "profiles" / kind / f"{name}.yaml").read_text())
    result = CliRunner().invoke(app, [*TOY, "profiles", "validate", "-", "--kind", kind], input=text)
    assert result.exit_code == code, result.output
    if code == 0:
        assert result.stdout == "<stdin>: ok\n" and result.stderr == ""
    else:
        assert result.stdout == "" and result.stderr.startswith("error: <stdin>")


def test_profiles_validate_stdin_missing_reference_suggests(cli):
    from typer.testing import CliRunner

    text = (DATA / "profiles" / "setups" / "toy-rent.yaml").read_text().replace("offer: toy-cloud", "offer: toy-clod")
    result = CliRunner().invoke(app, [*TOY, "profiles", "validate", "-"], input=text)
    assert "(did you mean 'toy-cloud'?)" in result.stderr


# ================================================================= staleness
@pytest.fixture
def dated(tmp_path, monkeypatch):
    """A profile directory whose prices carry dates, and 'today' fixed at 2025-01-01."""
    hardware = (DATA / "profiles" / "hardware" / "toy-gpu.yaml").read_text()
    hardware = hardware.replace('price_usd: {value: 20000, assumption: "test fixture"}',
                                'price_usd: {value: 20000, source: "list price", as_of: 2020-06}')
    hardware = hardware.replace('memory_bandwidth_tb_per_s: {value: 2.0, assumption: "test fixture"}',
                                'memory_bandwidth_tb_per_s: {value: 2.0, source: "datasheet", as_of: 2019}')
    write(tmp_path / "hardware" / "toy-gpu.yaml", hardware)
    offer = (DATA / "profiles" / "offers" / "toy-cloud.yaml").read_text()
    offer = offer.replace('on_demand: {value: 3.0, assumption: "test fixture"}',
                          'on_demand: {value: 3.0, source: "price page", as_of: 2024-01}')
    offer = offer.replace('reserved_1y: {value: 2.0, assumption: "test fixture"}',
                          'reserved_1y: {value: 2.0, source: "price page", as_of: 2018-01}')
    write(tmp_path / "offers" / "toy-cloud.yaml", offer)
    monkeypatch.setattr(staleness, "today", lambda: dt.date(2025, 1, 1))
    return ("-C", str(tmp_path), *TOY)


def test_stale_price_warns_once_on_stderr(cli, dated):
    result = cli(*dated, "compare", "toy-rent", "--model", "toy-dense", "-f", "json")
    assert result.exit_code == 0
    json.loads(result.stdout)  # stdout is data alone
    # on_demand (2024-01) is 366 days old; reserved_1y (2018) is not the setup's term; hardware price_usd
    # (2020) does not enter a rental; the 2019 bandwidth is a datasheet figure, never stale
    assert result.stderr.splitlines() == [
        f"warning: 1 price used is over 365 days old, oldest {dated[1]}/offers/toy-cloud.yaml:9: "
        "usd_per_gpu_hour.on_demand (as_of 2024-01); --strict lists them"]


def test_stale_price_summary_names_the_oldest(cli, dated):
    result = cli(*dated, "compare", "toy-rent", "toy-own", "--model", "toy-dense")
    assert result.exit_code == 0
    assert result.stderr.startswith(f"warning: 2 prices used are over 365 days old, oldest {dated[1]}/hardware/"
                                    "toy-gpu.yaml:13: price_usd (as_of 2020-06)")


def test_quiet_hides_warnings_only(cli, dated):
    loud = cli(*dated, "compare", "toy-rent", "--model", "toy-dense")
    quiet = cli("-q", *dated, "compare", "toy-rent", "--model", "toy-dense")
    assert loud.stderr and quiet.stderr == ""
    assert quiet.stdout == loud.stdout
    assert cli("--quiet", *dated, "compare", "nope").stderr.startswith("error: ")  # errors still show


def test_max_age_days_moves_the_limit(cli, dated):
    assert cli(*dated, "--max-age-days", "366", "compare", "toy-rent", "--model", "toy-dense").stderr == ""


def test_a_price_replaced_with_set_is_not_stale(cli, dated):
    result = cli(*dated, "compare", "toy-rent", "--model", "toy-dense", "--set", "offer.usd_per_gpu_hour.on_demand=3")
    assert result.exit_code == 0 and result.stderr == ""


def test_strict_lists_stale_prices_and_exits_3(cli, dated):
    result = cli("--strict", *dated, "compare", "toy-rent", "toy-own", "--model", "toy-dense")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {dated[1]}/hardware/toy-gpu.yaml:13: price_usd: as_of 2020-06 is 1,675 days old, "
        "more than --max-age-days 365",
        f"error: {dated[1]}/offers/toy-cloud.yaml:9: usd_per_gpu_hour.on_demand: as_of 2024-01 is 366 days old, "
        "more than --max-age-days 365",
        "error: 2 stale prices (--strict); update the as_of dates with current figures, or raise --max-age-days",
    ]


def test_strict_staleness_in_check_is_an_error_not_a_breach(cli, dated):
    result = cli("--strict", *dated, "check", "toy-rent", "--model", "toy-dense", "--max-usd-per-gpu-hour", "1")
    assert result.exit_code == 3  # never 4 for an error
    assert result.stdout == ""


def test_strict_without_stale_prices_passes(cli):
    assert cli("--strict", *CHECK, "--max-usd-per-gpu-hour", "5").exit_code == 0


def test_used_figures_follow_the_setup(dated, cli):
    from compute_cli.profiles.catalog import Catalog

    from compute_cli import pipeline

    catalog = Catalog([dated[1], "tests/data/profiles"], environ={})
    pipeline.evaluate(catalog, ["toy-own", "toy-rent"], "toy-dense")
    keys = [s.key for s in staleness.stale_figures(catalog.figures_used(), dt.date(2030, 1, 1), 365)]
    assert keys == ["price_usd", "usd_per_gpu_hour.on_demand"]  # oldest first; no datasheet, no other term


# ============================================================ quiet, colour, version, completion
def test_throughput_note_is_a_warning_that_quiet_hides(cli):
    args = (*TOY, "throughput", "--hardware", "toy-gpu", "--model", "toy-dense", "--batch", "10000")
    assert cli(*args).stderr.startswith("warning: batch 10000")
    assert cli("-q", *args).stderr == ""


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def check_result(cli):
    return json.loads(cli(*CHECK, "--max-usd-per-gpu-hour", "2.8", "-f", "json").stdout)


def test_colour_on_a_terminal_only(check_result, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    tty, pipe = Terminal(), io.StringIO()
    render_check.render(check_result, "table", tty)
    render_check.render(check_result, "table", pipe)
    assert "\x1b[31mbreach\x1b[0m: toy-rent" in tty.getvalue()
    assert "\x1b[" not in pipe.getvalue()


def test_no_color_is_honoured(check_result, monkeypatch, cli):
    monkeypatch.setenv("NO_COLOR", "1")
    tty = Terminal()
    render_check.render(check_result, "table", tty)
    assert "\x1b[" not in tty.getvalue() and "breach: toy-rent" in tty.getvalue()
    # the rich table on a terminal: drawn, but without colour
    compare_result = json.loads(cli(*TOY, "compare", "toy-own", "--model", "toy-dense", "-f", "json").stdout)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr("sys.stdout", Terminal())
    import sys

    render_compare.render(compare_result, "table", sys.stdout)
    drawn = sys.stdout.getvalue()
    assert "toy-own" in drawn and "━" in drawn  # a rich table, not the plain one
    assert "\x1b[" not in drawn


def test_csv_jsonl_json_print_data_alone(cli, dated):
    for fmt in ("csv", "jsonl", "json"):
        result = cli(*dated, "compare", "toy-rent", "--model", "toy-dense", "-f", fmt)
        assert result.stderr.startswith("warning: ")  # diagnostics on stderr
        assert "warning" not in result.stdout and not result.stdout.startswith("model:")


def test_version_option(cli):
    from compute_cli import __version__

    result = cli("--version")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"computecost {__version__}\n", "")


def test_shell_completion():
    from typer.testing import CliRunner

    runner = CliRunner()
    script = runner.invoke(app, ["--show-completion", "bash"], prog_name="computecost")
    assert script.exit_code == 0 and "_COMPUTECOST_COMPLETE=complete_bash" in script.stdout
    words = runner.invoke(app, [], prog_name="computecost",
                          env={"_COMPUTECOST_COMPLETE": "complete_bash", "COMP_WORDS": "computecost ch",
                               "COMP_CWORD": "1"})
    assert words.stdout.split() == ["check"]
    options = runner.invoke(app, [], prog_name="computecost",
                            env={"_COMPUTECOST_COMPLETE": "complete_bash", "COMP_WORDS": "computecost diff a b --fail",
                                 "COMP_CWORD": "4"})
    assert options.stdout.split() == ["--fail-on-increase"]


def test_fleet_rank_by_completion_names_every_ranking():
    from compute_cli.analysis.economics import RANK_KEYS
    from compute_cli.cli.completion import CHOICES

    assert CHOICES["rank_by"] == tuple(RANK_KEYS)


# ================================================================== start-up
@pytest.mark.parametrize("argv, kept", [
    (["compare", "-f", "json"], ["compare"]),
    (["-C", "compare", "-q", "--max-age-days", "3", "check"], ["check"]),  # -C takes a value: 'compare' is a dir
    (["--max-age-days=3", "diff", "a", "b"], ["diff"]),
    (["profiles", "list"], ["profiles"]),
    (["compar"], None),  # a typo keeps every command, for Click's did-you-mean
    (["--help"], None),
    ([], None),
])
def test_only_the_command_run_is_built(monkeypatch, argv, kept):
    from compute_cli import cli as cli_module

    commands, groups = list(app.registered_commands), list(app.registered_groups)
    monkeypatch.setattr(app, "registered_commands", list(commands))
    monkeypatch.setattr(app, "registered_groups", list(groups))
    monkeypatch.delenv("_COMPUTECOST_COMPLETE", raising=False)
    cli_module.keep_only_the_command(argv)
    names = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]
    names += [g.name for g in app.registered_groups]
    if kept is None:
        assert len(names) == len(commands) + len(groups)
    else:
        assert names == kept


def test_completion_keeps_every_command(monkeypatch):
    from compute_cli import cli as cli_module

    monkeypatch.setattr(app, "registered_commands", list(app.registered_commands))
    monkeypatch.setenv("_COMPUTECOST_COMPLETE", "complete_bash")
    before = len(app.registered_commands)
    cli_module.keep_only_the_command(["check"])
    assert len(app.registered_commands) == before


def test_the_real_entry_point(monkeypatch):
    """``main()`` as a shell runs it (the start-up path above), in a child process."""
    import subprocess
    import sys

    monkeypatch.chdir(TESTS.parent)
    run = [sys.executable, "-m", "compute_cli", "-q", *TOY]
    ok = subprocess.run([*run, "compare", "toy-own", "--model", "toy-dense", "-f", "json"], check=False,
                        capture_output=True, text=True, env={"PATH": "", "COMPUTECOST_PATH": ""})
    assert ok.returncode == 0, ok.stderr
    validator("compare").validate(json.loads(ok.stdout))
    typo = subprocess.run([*run, "compar"], check=False, capture_output=True, text=True, env={"PATH": ""})
    assert typo.returncode == 2 and "Did you mean 'compare'?" in typo.stderr


def test_every_package_is_in_the_wheel():
    """pyproject lists packages by hand: a new subpackage missing there is missing from an installed wheel
    (compute_cli.cli was, and `computecost` failed to start outside the checkout)."""
    import tomllib

    listed = set(tomllib.loads((TESTS.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(TESTS.parent).parts) for p in (TESTS.parent / "compute_cli").rglob("__init__.py")}
    assert found - listed == set()
