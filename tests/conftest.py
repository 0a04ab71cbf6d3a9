"""Shared fixtures: the hand-made toy catalog, engine inputs built from it, and a CLI runner.

Everything here reads only ``tests/data/``; no test depends on the shipped ``configs/``
except ``test_profiles.py::test_every_shipped_profile_loads``.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest

from compute_cli import inputs
from compute_cli.profiles.catalog import Catalog

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
PROFILES = TESTS / "data" / "profiles"  # the hand-made toy catalog (toy-own, toy-rent, toy-dense, ...)
EXTRA = TESTS / "data" / "extra"  # more toy setups/models layered on top of PROFILES
INVALID = TESTS / "data" / "invalid"


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch, tmp_path_factory):
    """Every test runs with an empty user config directory of its own, so a developer's
    ~/.config/computecost (profiles, computecost.toml) never changes a result."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home / "computecost"


@pytest.fixture(scope="session")
def toy_catalog() -> Catalog:
    """The toy catalog alone (plus the shipped dir, which it never needs)."""
    return Catalog([PROFILES], environ={})


@pytest.fixture(scope="session")
def wide_catalog() -> Catalog:
    """The toy catalog plus tests/data/extra (owned-building site, 8 % finance, a MoE and a huge model, ...)."""
    return Catalog([EXTRA, PROFILES], environ={})


@pytest.fixture(scope="session")
def make_inputs(wide_catalog):
    """``make_inputs(["toy-own"], "toy-dense", options, batch=..., ...)``: engine inputs with fields replaced.

    Replacements broadcast: pass an array to get one scenario per element.
    """

    def make(setup_ids, model_id="toy-dense", options=inputs.RunOptions(), **replace):
        resolved = [wide_catalog.resolve(i) for i in setup_ids]
        x = inputs.build(resolved, wide_catalog.model(model_id), options)
        for key, value in replace.items():
            assert key in x, f"no engine input named {key!r}"
            x[key] = np.asarray(value, dtype=x[key].dtype)
        return x

    return make


def make_runner():
    """A CliRunner that keeps stderr apart from stdout, whatever the installed Typer/Click spells it."""
    from typer.testing import CliRunner

    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:  # Click < 8.2
        return CliRunner(mix_stderr=False)
    return CliRunner()  # Click >= 8.2 and Typer's own runner: result.stdout / result.stderr always apart


@pytest.fixture
def cli(monkeypatch):
    """``cli("compare", ...)`` runs ``computecost`` from the repository root, COMPUTECOST_PATH unset."""
    from compute_cli.cli import app

    monkeypatch.chdir(REPO)
    monkeypatch.delenv("COMPUTECOST_PATH", raising=False)
    monkeypatch.delenv("COMPUTECOST_DEBUG", raising=False)
    runner = make_runner()

    def run(*args, env=None):
        return runner.invoke(app, [str(a) for a in args], env=env)

    return run
