"""The command line through typer.testing.CliRunner, stdout and stderr checked apart.

The installed Typer vendors Click and ships its own CliRunner, which has no ``mix_stderr``
argument: ``result.stdout`` and ``result.stderr`` are always separate and ``result.output``
is both interleaved (as in Click >= 8.2). conftest.make_runner passes ``mix_stderr=False``
only where the argument exists (Click < 8.2).
Global options (``-C``) come before the command, as the README documents.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import typer.main
import yaml

from compute_cli import __version__
from compute_cli.analysis import compare
from compute_cli.cli import app
from compute_cli.errors import ExitCode
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.schema import KINDS

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
PROFILES = DATA / "profiles"
TOY = ("-C", "tests/data/profiles")
COMPARE = (*TOY, "compare", "toy-own", "toy-rent", "--model", "toy-dense")


@pytest.fixture
def hermetic(tmp_path, monkeypatch):
    """Shipped profiles replaced by an empty directory, so listings hold only the toy catalog."""
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    monkeypatch.setattr("compute_cli.profiles.catalog.shipped_dir", lambda: shipped)
    return shipped


def commands(cmd=None, path=()):
    """Every (path, click command) of the app, groups included."""
    cmd = cmd or typer.main.get_command(app)
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from commands(sub, (*path, name))


# ---------------------------------------------------------------- the runner
def test_runner_keeps_stdout_and_stderr_apart(cli, tmp_path):
    # one good and one bad profile: "ok" lines go to stdout, errors to stderr
    (tmp_path / "sites").mkdir()
    good = (PROFILES / "sites" / "toy-site.yaml").read_text()
    (tmp_path / "sites" / "toy-site.yaml").write_text(good)
    (tmp_path / "sites" / "bad.yaml").write_text(good.replace("toy-site", "bad").replace("value: 1.25", "value: 0.9"))
    result = cli("profiles", "validate", tmp_path)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "toy-site.yaml: ok" in result.stdout and "bad.yaml" not in result.stdout
    assert "bad.yaml:" in result.stderr and "pue: must be >= 1.0, got 0.9" in result.stderr
    assert ": ok" not in result.stderr


# ---------------------------------------------------------- version and help
def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"computecost {__version__}\n"
    assert result.stderr == ""


def test_no_arguments_shows_help(cli):
    result = cli()
    assert "Usage" in result.output
    assert "compare" in result.output


@pytest.mark.parametrize("path", [p for p, _ in commands()], ids=lambda p: " ".join(p) or "computecost")
def test_every_command_has_help(path, cli):
    cmd = dict(commands())[path]
    assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
    for param in cmd.params:
        if getattr(param, "hidden", False):
            continue
        assert (getattr(param, "help", None) or "").strip(), f"{' '.join(path)}: {param.name} has no help text"
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout
    assert cmd.help.strip().split("\n")[0][:40] in " ".join(result.stdout.split())
    assert result.stderr == ""


@pytest.mark.parametrize("path", [p for p, c in commands() if getattr(c, "commands", None)],
                         ids=lambda p: " ".join(p) or "computecost")
def test_every_subcommand_is_listed_in_its_group_help(path, cli):
    group = dict(commands())[path]
    text = cli(*path, "--help").stdout
    for name, sub in group.commands.items():
        if not sub.hidden:
            assert re.search(rf"^\s+{re.escape(name)}\s", text, flags=re.M), f"{name} missing from {path} --help"


# -------------------------------------------------------------------- compare
def test_compare_json(cli, toy_catalog):
    result = cli(*COMPARE, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data == compare.run(toy_catalog, ["toy-own", "toy-rent"], "toy-dense")
    own, rent = data["setups"]
    assert own["breakdown_usd_per_gpu_hour"]["capital"] == pytest.approx(0.856164)  # the network is its own line
    assert rent["cost_usd_per_gpu_hour"] == 3.0


def test_compare_csv(cli, toy_catalog):
    result = cli(*COMPARE, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["toy-own", "toy-rent"]
    assert {r["model"] for r in rows} == {"toy-dense"}
    expected = compare.run(toy_catalog, ["toy-own", "toy-rent"], "toy-dense")["setups"]
    for row, exp in zip(rows, expected, strict=True):
        assert float(row["cost_usd_per_gpu_hour"]) == exp["cost_usd_per_gpu_hour"]
        assert float(row["breakdown_usd_per_gpu_hour.facility"]) == exp["breakdown_usd_per_gpu_hour"]["facility"]
        assert float(row["decode_step_ms"]) == exp["decode_step_ms"]
    assert rows[1]["site"] == ""  # null is an empty cell


def test_compare_table(cli):
    result = cli(*COMPARE, "--format", "table")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "model: toy-dense"
    assert lines[2].split() == ["metric", "toy-own", "toy-rent"]
    table = {line[:30].strip(): line[30:].split() for line in lines[4:] if line.strip()}
    assert table["$/GPU-hour"] == ["$2.59", "$3.00"]
    assert table["capital"] == ["$0.856", "$0"]
    assert table["network+storage"] == ["$0.143", "$0"]
    assert table["facility+site ops"] == ["$0.180", "$0"]
    assert table["staff"] == ["$1.00", "$0"]
    assert table["rent"] == ["$0", "$3.00"]
    assert table["$/M output tokens"] == ["$19.74", "$11.45"]
    assert table["bound (decode)"] == ["memory", "memory"]
    assert "\x1b[" not in result.stdout  # no colour codes when stdout is not a terminal


def test_compare_table_is_the_default(cli):
    assert cli(*COMPARE).stdout == cli(*COMPARE, "-f", "table").stdout


def test_compare_markdown(cli):
    result = cli(*COMPARE, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "**model: toy-dense**"
    assert lines[2] == "| metric | toy-own | toy-rent |"
    assert lines[3] == "|---|---:|---:|"
    assert "| $/GPU-hour | $2.59 | $3.00 |" in lines
    assert "| $/M output tokens | $19.74 | $11.45 |" in lines


def test_compare_with_set_names_the_override(cli):
    result = cli(*COMPARE, "-f", "json", "--set", "offer.usd_per_gpu_hour.on_demand=4", "-s", "utilization=0.5")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["overrides"] == ["offer.usd_per_gpu_hour.on_demand=4", "utilization=0.5"]
    # on demand is paid per used hour: $4 for half the hours is $2 per hour of the deployment
    assert data["setups"][1]["cost_usd_per_gpu_hour"] == 2.0
    assert data["setups"][1]["cost_usd_per_used_gpu_hour"] == 4.0
    assert "--set offer.usd_per_gpu_hour.on_demand=4" in cli(*COMPARE, "--set", "offer.usd_per_gpu_hour.on_demand=4").stdout


def test_compare_model_that_does_not_fit_notes_it(cli):
    result = cli("-C", "tests/data/extra", *COMPARE[:-1], "toy-huge")
    assert result.exit_code == 0, result.stderr
    assert "n/a" in result.stdout
    assert "note: toy-own: toy-huge at bf16 does not fit in 8 x toy-gpu (80 GB each)" in result.stdout


def test_unknown_setup_id(cli):
    result = cli(*TOY, "compare", "toy-ow", "--model", "toy-dense")
    assert result.exit_code == ExitCode.INVALID_INPUT == 3
    assert result.stdout == ""
    assert "no setup profile 'toy-ow' (did you mean 'toy-own'?)" in result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_unknown_model_id(cli):
    result = cli(*TOY, "compare", "toy-own", "--model", "toy-dens")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "(did you mean 'toy-dense'?)" in result.stderr


def test_bad_format(cli):
    result = cli(*COMPARE, "--format", "xml")
    assert result.exit_code == ExitCode.USAGE == 2
    assert result.stdout == ""
    assert "--format 'xml': expected one of " in result.stderr
    for fmt in ("table", "json", "csv", "markdown"):
        assert fmt in result.stderr.split("expected one of ")[1]


def test_bad_format_did_you_mean(cli):
    assert "(did you mean 'json'?)" in cli(*COMPARE, "--format", "jsn").stderr


def test_set_without_equals(cli):
    result = cli(*COMPARE, "--set", "utilization")
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert "expected PATH=VALUE" in result.stderr


def test_set_unknown_path(cli):
    result = cli(*COMPARE, "--set", "site.pu=1.2")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stdout == ""
    assert "(did you mean 'pue'?)" in result.stderr


def test_set_out_of_range(cli):
    result = cli(*COMPARE, "--set", "site.pue=0.9")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "--set site.pue=0.9: must be >= 1.0, got 0.9" in result.stderr


def test_zero_utilization_is_quiet():
    # A real process: in-process, pytest would capture the warning before it reached stderr.
    env = {k: v for k, v in os.environ.items() if k not in ("COMPUTECOST_PATH", "PYTHONWARNINGS")}
    proc = subprocess.run([sys.executable, "-m", "compute_cli", *COMPARE, "-f", "json", "--set", "utilization=0"],
                          cwd=REPO, capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["setups"][0]["cost_usd_per_million_output_tokens"] is None
    assert proc.stderr == ""


def test_global_option_after_the_command_is_a_usage_error(cli):
    # Global options come before the command (README); after it they are unknown.
    result = cli("compare", "-C", "tests/data/profiles", "toy-own", "--model", "toy-dense")
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""


def test_missing_config_dir(cli):
    result = cli("-C", "no/such/dir", "compare", "toy-own")
    assert result.exit_code == ExitCode.USAGE
    assert "config directory 'no/such/dir' does not exist" in result.stderr


def test_computecost_path_from_the_environment(cli):
    result = cli("compare", "toy-own", "--model", "toy-dense", "-f", "json",
                 env={"COMPUTECOST_PATH": "tests/data/profiles"})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["setups"][0]["id"] == "toy-own"


def test_internal_error_says_it_is_a_bug(cli, monkeypatch):
    def boom(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(compare, "run", boom)
    result = cli(*COMPARE)
    assert result.exit_code == ExitCode.INTERNAL == 1
    assert result.stdout == ""
    assert "internal error (ZeroDivisionError: boom)" in result.stderr and "bug" in result.stderr
    assert "Traceback" not in result.stderr
    debug = cli("--debug", *COMPARE)
    assert isinstance(debug.exception, ZeroDivisionError)


# ------------------------------------------------------------------- profiles
def test_profiles_list(cli, hermetic):
    result = cli(*TOY, "profiles", "list")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    ids = [line.split()[1] for line in result.stdout.splitlines()[2:]]
    assert sorted(ids) == sorted(["toy-gpu", "toy-node-8", "toy-site", "toy-finance", "toy-cloud", "toy-dense",
                                  "toy-own", "toy-rent"])


def listing_rows(stdout: str) -> list[dict]:
    """Rows of ``profiles list -f json``: a bare list, or ``{"schema_version": .., "profiles": [...]}``."""
    data = json.loads(stdout)
    if isinstance(data, dict):
        assert data["schema_version"] >= 1
        return data["profiles"]
    return data


def test_profiles_list_one_kind_as_json(cli, hermetic):
    result = cli(*TOY, "profiles", "list", "setups", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = listing_rows(result.stdout)
    assert rows == [
        {"kind": "setups", "id": "toy-own", "name": "Toy owned node", "origin": "tests/data/profiles/setups/toy-own.yaml"},
        {"kind": "setups", "id": "toy-rent", "name": "Toy rented node",
         "origin": "tests/data/profiles/setups/toy-rent.yaml"},
    ]


def test_profiles_list_marks_shipped_profiles(cli, hermetic):
    (hermetic / "sites").mkdir()
    (hermetic / "sites" / "shipped-site.yaml").write_text(
        (PROFILES / "sites" / "toy-site.yaml").read_text().replace("id: toy-site", "id: shipped-site"))
    rows = {r["id"]: r for r in listing_rows(cli(*TOY, "profiles", "list", "sites", "-f", "json").stdout)}
    assert rows["shipped-site"]["origin"] == "shipped"
    assert rows["toy-site"]["origin"] == "tests/data/profiles/sites/toy-site.yaml"


def test_profiles_list_unknown_kind(cli):
    result = cli(*TOY, "profiles", "list", "setup")
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert "(did you mean 'setups'?)" in result.stderr


def test_profiles_show(cli):
    result = cli(*TOY, "profiles", "show", "toy-site")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("sites 'toy-site' (tests/data/profiles/sites/toy-site.yaml)")
    assert "pue" in result.stdout and "1.25" in result.stdout
    assert "assumption: test fixture" in result.stdout


def test_profiles_show_json(cli):
    result = cli(*TOY, "profiles", "show", "toy-gpu", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["kind"], data["id"]) == ("hardware", "toy-gpu")
    fields = {f["key"]: f for f in data["fields"]}
    assert fields["peak_tflops.bf16"]["value"] == 1000
    assert fields["peak_tflops.bf16"]["assumption"] == "test fixture"
    assert fields["category"]["assumption"] is None


def test_profiles_show_unknown_id(cli):
    result = cli(*TOY, "profiles", "show", "toy-sit")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stdout == ""
    assert "(did you mean 'toy-site'?)" in result.stderr


def test_profiles_validate_fixture(cli):
    result = cli("profiles", "validate", "tests/data/profiles")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert sorted(result.stdout.splitlines()) == sorted(
        f"tests/data/profiles/{p.parent.name}/{p.name}: ok" for p in PROFILES.glob("*/*.yaml"))


def test_profiles_validate_missing_path(cli):
    result = cli("profiles", "validate", "no/such/dir")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "no/such/dir: no such file or directory" in result.stderr


def test_profiles_validate_stray_folder(cli, tmp_path):
    (tmp_path / "site").mkdir()
    result = cli("profiles", "validate", tmp_path)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "unknown profile kind folder (did you mean 'sites'?)" in result.stderr


def fixture_documents():
    for path in sorted(PROFILES.glob("*/*.yaml")) + sorted((DATA / "extra").glob("*/*.yaml")):
        yield path.parent.name, path


def schema_of(kind=None) -> dict:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["profiles", "schema", *([kind] if kind else [])])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_profiles_schema_is_json(cli):
    result = cli("profiles", "schema")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["$defs"]) >= {"Hardware", "System", "Site", "Finance", "Offer", "Model", "Setup"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_profiles_schema_per_kind_is_json(kind, cli):
    result = cli("profiles", "schema", kind)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    jsonschema.Draft202012Validator.check_schema(json.loads(result.stdout))


@pytest.fixture(scope="module")
def schemas():
    return {kind: schema_of(kind) for kind in ("hardware", "systems", "sites", "finance", "offers", "models", "setups",
                                               "workloads")}


@pytest.mark.parametrize("kind, path", list(fixture_documents()), ids=lambda v: getattr(v, "name", v))
def test_profiles_schema_accepts_the_fixtures(kind, path, schemas):
    data = yaml.safe_load(path.read_text())
    jsonschema.validate(data, schemas[kind], cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("case, kind", [("out-of-range", "sites"), ("unknown-key", "sites"),
                                        ("wrong-type", "hardware"), ("figure-without-provenance", "sites"),
                                        ("nested-unknown-key", "hardware")])
def test_profiles_schema_rejects_invalid_profiles(case, kind, schemas):
    (path,) = (DATA / "invalid" / case).glob("*/*.yaml")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(path.read_text()), schemas[kind], cls=jsonschema.Draft202012Validator)


def test_profiles_schema_unknown_kind(cli):
    result = cli("profiles", "schema", "site")
    assert result.exit_code == ExitCode.USAGE
    assert "(did you mean 'sites'?)" in result.stderr


def test_catalog_fixture_is_hermetic(toy_catalog):
    # The toy catalog's own ids never come from the shipped configs/.
    for kind in ("setups", "models"):
        for ident in ("toy-own", "toy-rent") if kind == "setups" else ("toy-dense",):
            assert Path(toy_catalog.find(kind, ident)).resolve().is_relative_to(PROFILES)
    assert isinstance(toy_catalog, Catalog)
