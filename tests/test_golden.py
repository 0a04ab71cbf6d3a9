"""Golden outputs of the shipped comparison in every format (regenerate with `make golden`)."""

import importlib.util
import json
import math
from pathlib import Path

import pytest

HERE = Path(__file__).parent
spec = importlib.util.spec_from_file_location("make_golden", HERE / "make_golden.py")
make_golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_golden)


@pytest.mark.parametrize("name", sorted(make_golden.CASES))
def test_output_matches_golden(name):
    expected = (HERE / "golden" / name).read_text()
    assert make_golden.run(make_golden.CASES[name]) == expected, f"regenerate with `make golden` if intended: {name}"


def test_default_compare_json_has_required_keys_all_finite_and_positive():
    data = json.loads((HERE / "golden" / "compare.json").read_text())
    assert data["schema_version"] == 2
    ids = {s["id"] for s in data["setups"]}
    assert {"tinybox-red-v2-oregon", "aws-p5-ondemand", "coreweave-h100-ondemand"} <= ids
    for s in data["setups"]:
        for key in ("cost_usd_per_gpu_hour", "decode_tokens_per_s_per_gpu", "cost_usd_per_million_input_tokens",
                    "cost_usd_per_million_output_tokens", "energy_j_per_output_token"):
            assert isinstance(s[key], float) and math.isfinite(s[key]) and s[key] > 0, (s["id"], key)
        assert set(s["breakdown_usd_per_gpu_hour"]) >= {"capital", "energy", "facility", "staff", "rent"}
        assert math.isclose(sum(s["breakdown_usd_per_gpu_hour"].values()), s["cost_usd_per_gpu_hour"], rel_tol=1e-4)


def test_readme_scenario_answers_are_current():
    text = make_golden.README.read_text()
    section = text.split(make_golden.START, 1)[1].split(make_golden.END, 1)[0]
    assert section.strip() == make_golden.readme_scenarios().strip(), "run `make golden` to refresh README.md"


def test_shipped_profile_schema_file_is_current():
    # configs/profiles.schema.json ships beside the profiles for editors (yaml-language-server);
    # regenerate with `computecost schema profiles > configs/profiles.schema.json`.
    shipped = (HERE.parent / "configs" / "profiles.schema.json").read_text()
    assert shipped == make_golden.run(["schema", "profiles"])


@pytest.mark.parametrize("doc", make_golden.DOCS, ids=lambda p: p.name)
def test_every_documented_example_is_a_real_run(doc):
    """Each ```console block of the README and docs/ is re-run; its output must be what is written."""
    text = doc.read_text()
    assert make_golden.render_examples(text) == text, f"run `make golden` to refresh the examples of {doc.name}"


def test_the_readme_shows_examples_and_no_machine_paths():
    readme = make_golden.README.read_text()
    assert readme.count(make_golden.FENCE) >= 8
    for doc in make_golden.DOCS:
        text = doc.read_text()
        for marker in ("/work/", "/root/", "/home/", "/tmp/"):
            assert marker not in text, (doc.name, marker)
