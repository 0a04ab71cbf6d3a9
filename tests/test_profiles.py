"""The profile loader, the catalog and ``--set`` overrides (compute_cli/profiles/).

Every error a person sees reads ``file:line: key.path: message``.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from compute_cli.analysis import compare
from compute_cli.errors import InputError, UsageError
from compute_cli.profiles import inspect
from compute_cli.profiles.catalog import Catalog, shipped_dir
from compute_cli.profiles.loader import load_file, load_text
from compute_cli.profiles.overrides import Assignment, apply, parse_assignment

DATA = Path(__file__).resolve().parent / "data"
PROFILES = DATA / "profiles"
EXTRA = DATA / "extra"

SITE = """\
id: s
name: S
region: r
electricity_usd_per_kwh: 0.1
pue: 1.2
facility: colocation
"""


def site(**replace) -> str:
    text = SITE
    for key, value in replace.items():
        text = re.sub(rf"^{key}: .*$", f"{key}: {value}", text, flags=re.M)
    return text


def load_error(text: str, kind: str = "sites", display: str = "sites/s.yaml") -> str:
    with pytest.raises(InputError) as info:
        load_text(text, kind, display)
    return str(info.value)


def write(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


# --------------------------------------------------------------------- loader
def test_valid_profile_loads_with_provenance():
    text = site(pue='{value: 1.25, source: "Uptime Institute survey", as_of: 2024-07}',
                electricity_usd_per_kwh='{value: 0.1, assumption: "flat tariff"}')
    loaded = load_text(text, "sites", "sites/s.yaml")
    assert loaded.profile.pue == 1.25 and loaded.profile.electricity_usd_per_kwh == 0.1
    assert loaded.provenance[("pue",)].source == "Uptime Institute survey"
    assert loaded.provenance[("pue",)].as_of == "2024-07"
    assert loaded.provenance[("electricity_usd_per_kwh",)].assumption == "flat tariff"


def test_wrong_type():
    assert load_error(site(pue="high")) == "sites/s.yaml:5: pue: expected a number, got text 'high'"


def test_wrong_type_inside_a_figure():
    assert load_error(site(pue="{value: high, assumption: x}")).startswith("sites/s.yaml:5: pue: expected a number")


def test_out_of_range_pue():
    assert load_error(site(pue="0.9")) == "sites/s.yaml:5: pue: must be >= 1.0, got 0.9"


def test_out_of_range_in_a_multiline_figure_points_at_the_key():
    text = SITE.replace("pue: 1.2", "pue:\n  value: 0.9\n  assumption: typo")
    assert load_error(text) == "sites/s.yaml:5: pue: must be >= 1.0, got 0.9"


def test_unknown_key_with_did_you_mean():
    assert load_error(SITE + "pue_: 1.3\n") == "sites/s.yaml:7: pue_: unknown key (did you mean 'pue'?)"


def test_unknown_key_without_a_close_match_lists_the_known_keys():
    err = load_error(SITE + "zzzz: 1\n")
    assert err.startswith("sites/s.yaml:7: zzzz: unknown key; known keys: ")
    assert "electricity_usd_per_kwh" in err and "pue" in err


def test_unknown_nested_key():
    hw = (PROFILES / "hardware" / "toy-gpu.yaml").read_text()
    err = load_error(hw.replace("  fp8:", "  fp9:"), "hardware", "hardware/toy-gpu.yaml")
    assert err == "hardware/toy-gpu.yaml:10: peak_tflops.fp9: unknown key (did you mean 'fp8'?)"


def test_missing_key():
    err = load_error(SITE.replace("region: r\n", ""))
    assert re.fullmatch(r"sites/s\.yaml:\d+: missing required key 'region'", err)


def test_missing_nested_key():
    hw = (PROFILES / "hardware" / "toy-gpu.yaml").read_text()
    text = hw.replace('  bf16: {value: 1000, assumption: "test fixture"}\n', "")
    err = load_error(text, "hardware", "hardware/toy-gpu.yaml")
    assert err == "hardware/toy-gpu.yaml:8: peak_tflops: missing required key 'bf16'"


def test_bad_enum_with_did_you_mean():
    err = load_error(site(facility="colo"))
    assert err.startswith("sites/s.yaml:6: facility: must be one of ")
    assert "'colo'" in err


def test_bad_id():
    err = load_error(site(id="Bad Id"))
    assert err == "sites/s.yaml:1: id: must be an id of lowercase letters, digits, '.', '_' and '-', got 'Bad Id'"


def test_id_must_match_the_file_name(tmp_path):
    path = write(tmp_path / "sites" / "other.yaml", SITE)
    with pytest.raises(InputError, match=r"other\.yaml:1: id: id 's' must match the file name 'other\.yaml'"):
        load_file(path, "sites", expect_id="other")


def test_duplicate_keys_name_both_lines():
    assert load_error(SITE + "pue: 1.3\n") == "sites/s.yaml:7: pue: duplicate key 'pue' (first at line 5)"


def test_yaml_syntax_error_has_a_line():
    err = load_error(site(pue="[1.2"))
    assert re.match(r"sites/s\.yaml:\d+: YAML syntax error: ", err)


def test_tab_indentation_is_explained():
    err = load_error("id: s\nname:\n\tS\n")
    assert err.startswith("sites/s.yaml:3: YAML syntax error")
    assert "tab" in err


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n"])
def test_empty_file(text):
    assert load_error(text) == "sites/s.yaml: file is empty, expected a YAML mapping"


def test_top_level_list():
    assert load_error("- a\n- b\n") == "sites/s.yaml:1: expected a mapping of keys (a Site profile), got list"


def test_several_documents():
    err = load_error(SITE + "---\nid: t\n")
    assert err == "sites/s.yaml:8: expected one YAML document, found several ('---')"


def test_non_utf8(tmp_path):
    path = write(tmp_path / "s.yaml", b"id: s\nname: caf\xe9\n")
    with pytest.raises(InputError) as info:
        load_file(path, "sites", "sites/s.yaml")
    assert str(info.value) == "sites/s.yaml:2: not UTF-8 text (byte 0xe9)"


def test_utf8_bom_is_accepted(tmp_path):
    path = write(tmp_path / "s.yaml", b"\xef\xbb\xbf" + SITE.encode())
    assert load_file(path, "sites").profile.id == "s"


def test_nul_bytes(tmp_path):
    path = write(tmp_path / "s.yaml", b"id: s\nname: \x00\n")
    with pytest.raises(InputError, match=r"^sites/s\.yaml: binary data \(NUL byte\)"):
        load_file(path, "sites", "sites/s.yaml")


def test_directory(tmp_path):
    (tmp_path / "s.yaml").mkdir()
    with pytest.raises(InputError, match=r"^sites/s\.yaml: is a directory, expected a YAML file$"):
        load_file(tmp_path / "s.yaml", "sites", "sites/s.yaml")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"^sites/s\.yaml: no such file$"):
        load_file(tmp_path / "nope.yaml", "sites", "sites/s.yaml")


def test_alias_bomb_is_refused_quickly():
    # "billion laughs": 9 levels of 9 aliases would expand to 9^9 = 387 million strings.
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    started = time.perf_counter()
    err = load_error(text)
    assert time.perf_counter() - started < 5  # refused while walking, never expanded
    assert re.match(r"sites/s\.yaml:\d+: \S+: document expands to more than [\d,]+ nodes .*alias bomb", err)


def test_deep_nesting_is_refused():
    assert "nesting" in load_error("id: " + "[" * 5000 + "]" * 5000)


def test_merge_keys_are_refused():
    assert "merge keys" in load_error("base: &b {x: 1}\nid: s\nother:\n  <<: *b\n")


def test_non_finite_number():
    assert load_error(site(pue=".nan")) == "sites/s.yaml:5: pue: must be a finite number, got .nan"


def test_figure_with_source_but_no_as_of():
    err = load_error(site(pue='{value: 1.2, source: "a survey"}'))
    assert err.startswith("sites/s.yaml:5: pue: a figure with a 'source' needs 'as_of'")


def test_figure_with_neither_source_nor_assumption():
    err = load_error(site(pue="{value: 1.2}"))
    assert err.startswith("sites/s.yaml:5: pue: a figure needs 'source'")


def test_bool_for_number_message_reads_well():
    # regression: used to read "expected a number, got true or false True"
    err = load_error(site(pue="true"))
    assert err.startswith("sites/s.yaml:5: pue: expected a number, got ")
    assert "true or false" not in err


# -------------------------------------------------------------------- catalog
def test_catalog_unknown_id_did_you_mean(toy_catalog):
    with pytest.raises(InputError, match=r"no setup profile 'toy-ow' \(did you mean 'toy-own'\?\)"):
        toy_catalog.resolve("toy-ow")
    with pytest.raises(InputError, match=r"no model profile 'toy-dens' \(did you mean 'toy-dense'\?\)"):
        toy_catalog.model("toy-dens")


def test_catalog_id_of_another_kind(toy_catalog):
    with pytest.raises(InputError, match=r"no model profile 'toy-site'.*'toy-site' is a sites profile"):
        toy_catalog.model("toy-site")


def test_setup_naming_a_missing_site(tmp_path):
    own = (PROFILES / "setups" / "toy-own.yaml").read_text().replace("site: toy-site", "site: toy-sitte")
    write(tmp_path / "setups" / "broken.yaml", own.replace("id: toy-own", "id: broken"))
    catalog = Catalog([tmp_path, PROFILES], environ={})
    with pytest.raises(InputError) as info:
        catalog.resolve("broken")
    message = str(info.value)
    # file:line: key of the setup that names it, and the id that is missing
    assert re.search(r"setups/broken\.yaml:5: site: no site profile 'toy-sitte'", message), message
    assert "did you mean 'toy-site'" in message


def test_setup_of_the_wrong_shape(tmp_path):
    rent = (PROFILES / "setups" / "toy-rent.yaml").read_text().replace("id: toy-rent", "id: mixed")
    write(tmp_path / "setups" / "mixed.yaml", rent + "site: toy-site\n")
    with pytest.raises(InputError, match=r"mixed\.yaml:10: site: 'site' does not apply to a setup of kind 'rent'"):
        Catalog([tmp_path, PROFILES], environ={}).resolve("mixed")


def test_offer_without_the_term_priced(tmp_path):
    rent = (PROFILES / "setups" / "toy-rent.yaml").read_text().replace("id: toy-rent", "id: spot")
    write(tmp_path / "setups" / "spot.yaml", rent.replace("term: on_demand", "term: spot"))
    with pytest.raises(InputError, match=r"offer 'toy-cloud' has no 'spot' price"):
        Catalog([tmp_path, PROFILES], environ={}).resolve("spot")


@pytest.fixture
def fake_shipped(tmp_path, monkeypatch):
    """A stand-in for the shipped configs/ holding one site, so tests do not depend on configs/."""
    shipped = tmp_path / "shipped"
    write(shipped / "sites" / "shared.yaml", site(id="shared", name="Shipped site"))
    monkeypatch.setattr("compute_cli.profiles.catalog.shipped_dir", lambda: shipped)
    return shipped


def test_user_dir_overrides_a_shipped_id(tmp_path, fake_shipped):
    user = tmp_path / "user"
    write(user / "sites" / "shared.yaml", site(id="shared", name="User site", pue="1.5"))
    assert Catalog([], environ={}).get("sites", "shared").profile.pue == 1.2
    loaded = Catalog([user], environ={}).get("sites", "shared")
    assert loaded.profile.pue == 1.5 and loaded.profile.name == "User site"
    assert Path(loaded.file).resolve() == (user / "sites" / "shared.yaml").resolve()


def test_first_config_dir_wins(tmp_path, fake_shipped):
    a, b = tmp_path / "a", tmp_path / "b"
    write(a / "sites" / "x.yaml", site(id="x", pue="1.1"))
    write(b / "sites" / "x.yaml", site(id="x", pue="1.9"))
    assert Catalog([a, b], environ={}).get("sites", "x").profile.pue == 1.1
    assert Catalog([b, a], environ={}).get("sites", "x").profile.pue == 1.9


def test_computecost_path(tmp_path, fake_shipped):
    a, b, user = tmp_path / "a", tmp_path / "b", tmp_path / "user"
    write(a / "sites" / "from-a.yaml", site(id="from-a"))
    write(b / "sites" / "from-b.yaml", site(id="from-b"))
    write(b / "sites" / "shared.yaml", site(id="shared", pue="2.0"))
    write(user / "sites" / "shared.yaml", site(id="shared", pue="3.0"))
    environ = {"COMPUTECOST_PATH": f"{a}{os.pathsep}{os.pathsep}{b}"}
    catalog = Catalog([], environ=environ)
    assert catalog.ids("sites") == ["from-a", "from-b", "shared"]
    assert catalog.get("sites", "shared").profile.pue == 2.0  # COMPUTECOST_PATH before shipped
    assert Catalog([user], environ=environ).get("sites", "shared").profile.pue == 3.0  # -C before COMPUTECOST_PATH
    assert Catalog([], environ={}).ids("sites") == ["shared"]


def test_computecost_path_is_read_from_the_environment(tmp_path, fake_shipped, monkeypatch):
    write(tmp_path / "env" / "sites" / "from-env.yaml", site(id="from-env"))
    monkeypatch.setenv("COMPUTECOST_PATH", str(tmp_path / "env"))
    assert "from-env" in Catalog().ids("sites")


def test_missing_config_dir_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        Catalog([tmp_path / "nope"], environ={})
    with pytest.raises(UsageError, match="does not exist"):
        Catalog([], environ={"COMPUTECOST_PATH": str(tmp_path / "nope")})


def test_catalog_reads_only_what_it_is_asked_for(tmp_path):
    write(tmp_path / "sites" / "broken.yaml", "id: [\n")
    catalog = Catalog([tmp_path, PROFILES], environ={})
    assert catalog.resolve("toy-own").site.id == "toy-site"
    with pytest.raises(InputError, match="broken.yaml"):
        catalog.get("sites", "broken")


def test_toy_catalog_validates():
    ok, errors = inspect.validate_paths([PROFILES])
    assert errors == []
    assert len(ok) == 8


def test_extra_fixtures_validate():
    ok, errors = inspect.validate_paths([EXTRA], [PROFILES])
    assert errors == []
    assert len(ok) == len(list(EXTRA.glob("*/*.yaml")))


def test_every_shipped_profile_loads():
    files = list(shipped_dir().glob("*/*.yaml"))
    assert files, "no shipped profiles found"
    ok, errors = inspect.validate_paths([shipped_dir()])
    assert errors == []
    assert len(ok) == len(files)


# ---------------------------------------------------------------------- --set
def run_with(catalog, ids, *texts, model="toy-dense"):
    return compare.run(catalog, ids, model, [parse_assignment(t) for t in texts])


def test_set_changes_a_setup_field(toy_catalog):
    row = run_with(toy_catalog, ["toy-own"], "utilization=1")["setups"][0]
    assert row["utilization"] == 1.0


def test_set_changes_a_referenced_profile(toy_catalog):
    row = run_with(toy_catalog, ["toy-own"], "site.electricity_usd_per_kwh=0.2")["setups"][0]
    base = compare.run(toy_catalog, ["toy-own"], "toy-dense")["setups"][0]
    assert row["breakdown_usd_per_gpu_hour"]["energy"] == pytest.approx(
        2 * base["breakdown_usd_per_gpu_hour"]["energy"], rel=1e-5)


def test_set_nested_offer_price(toy_catalog):
    row = run_with(toy_catalog, ["toy-rent"], "offer.usd_per_gpu_hour.on_demand=4.5")["setups"][0]
    assert row["cost_usd_per_gpu_hour"] == 4.5


def test_set_accelerator_shorthand_and_long_form(toy_catalog):
    a = run_with(toy_catalog, ["toy-own"], "accelerator.price_usd=40000")["setups"][0]
    b = run_with(toy_catalog, ["toy-own"], "system.accelerator.price_usd=40000")["setups"][0]
    assert a["capex_usd_per_gpu"] == b["capex_usd_per_gpu"] == 40000 + 15000


def test_set_model_field(toy_catalog):
    row = run_with(toy_catalog, ["toy-own"], "model.total_params=400000000000")["setups"][0]
    assert row["fits"] is False


def test_set_unknown_setup_key_did_you_mean(toy_catalog):
    with pytest.raises(InputError, match=r"--set utilisation=0\.2: unknown key 'utilisation' \(did you mean 'utilization'\?\)"):
        run_with(toy_catalog, ["toy-own"], "utilisation=0.2")


def test_set_unknown_nested_key_did_you_mean(toy_catalog):
    with pytest.raises(InputError, match=r"unknown key 'pu' in site \(did you mean 'pue'\?\)"):
        run_with(toy_catalog, ["toy-own"], "site.pu=1.2")
    with pytest.raises(InputError, match=r"unknown key 'on_demnd'.*\(did you mean 'on_demand'\?\)"):
        run_with(toy_catalog, ["toy-rent"], "offer.usd_per_gpu_hour.on_demnd=1")


def test_set_wrong_type(toy_catalog):
    with pytest.raises(InputError, match=r"--set site\.pue=abc: expected a number, got text 'abc'"):
        run_with(toy_catalog, ["toy-own"], "site.pue=abc")


def test_set_out_of_range(toy_catalog):
    with pytest.raises(InputError, match=r"--set site\.pue=0\.9: must be >= 1\.0, got 0\.9"):
        run_with(toy_catalog, ["toy-own"], "site.pue=0.9")


def test_set_a_profile_or_a_group_needs_a_key(toy_catalog):
    with pytest.raises(InputError, match="'site' is a profile"):
        run_with(toy_catalog, ["toy-own"], "site=toy-site")
    with pytest.raises(InputError, match="'usd_per_gpu_hour' is a group"):
        run_with(toy_catalog, ["toy-rent"], "offer.usd_per_gpu_hour=4")


def test_set_path_applying_to_no_setup(toy_catalog):
    with pytest.raises(InputError, match=r"--set site\.pue=1\.2: applies to none of the setups in this run"):
        run_with(toy_catalog, ["toy-rent"], "site.pue=1.2")


def test_set_path_not_applying_to_one_setup_leaves_it_unchanged(toy_catalog):
    base = {s["id"]: s for s in compare.run(toy_catalog, ["toy-own", "toy-rent"], "toy-dense")["setups"]}
    changed = {s["id"]: s for s in run_with(toy_catalog, ["toy-own", "toy-rent"], "site.pue=1.5")["setups"]}
    assert changed["toy-rent"] == base["toy-rent"]  # a rented setup has no site
    assert changed["toy-own"]["breakdown_usd_per_gpu_hour"]["energy"] > base["toy-own"]["breakdown_usd_per_gpu_hour"]["energy"]


def test_apply_leaves_its_inputs_untouched(toy_catalog):
    resolved = [toy_catalog.resolve("toy-own")]
    model = toy_catalog.model("toy-dense")
    out, new_model = apply(resolved, model, [parse_assignment("site.pue=2"), parse_assignment("model.layers=2")])
    assert out[0].site.pue == 2.0 and new_model.layers == 2
    assert resolved[0].site.pue == 1.25 and model.layers == 40
    assert toy_catalog.resolve("toy-own").site.pue == 1.25


def test_parse_assignment():
    a = parse_assignment("site.electricity_usd_per_kwh=0.05")
    assert a == Assignment(text="site.electricity_usd_per_kwh=0.05", path=("site", "electricity_usd_per_kwh"), value=0.05)
    assert parse_assignment("batch=8").value == 8
    assert parse_assignment("precision=fp8").value == "fp8"
    assert parse_assignment(" utilization = 0.5 ").path == ("utilization",)


@pytest.mark.parametrize("text", ["sitepue", "=0.5", "site..pue=1", "a-b=1"])
def test_parse_assignment_usage_errors(text):
    with pytest.raises(UsageError):
        parse_assignment(text)


def test_set_accepts_exponent_notation(toy_catalog):
    # regression: YAML 1.1 reads '5e-2' as text
    assert parse_assignment("site.electricity_usd_per_kwh=5e-2").value == 0.05
    row = run_with(toy_catalog, ["toy-own"], "site.electricity_usd_per_kwh=5e-2")["setups"][0]
    assert row["breakdown_usd_per_gpu_hour"]["energy"] > 0


def test_set_cannot_change_a_setup_into_another_kind(toy_catalog):
    # regression: kind=rent used to give a rented setup with no offer (cost = staff only)
    with pytest.raises(InputError):
        run_with(toy_catalog, ["toy-own"], "kind=rent")


def test_set_term_without_a_price_is_refused(toy_catalog):
    # regression: used to give a null $/GPU-hour and exit 0
    with pytest.raises(InputError, match="spot"):
        run_with(toy_catalog, ["toy-rent"], "term=spot")


def test_set_reference_to_a_missing_profile_is_refused(toy_catalog):
    # regression: was accepted and silently ignored (references were not re-resolved after --set)
    with pytest.raises(InputError, match="no-such-gpu"):
        run_with(toy_catalog, ["toy-rent"], "offer.accelerator=no-such-gpu")
