"""Issue 16, items 4 and 8: counts and sizes have documented maxima, and no search over them runs long.

Profiles and --set refuse a count above its maximum (profiles/limits.py) at validation with
exit 3; integers of any length end in one line; the accelerators a model is split over come
from the divisors of the count found up to its square root, never a loop over 1..count.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from compute_cli.engine import throughput
from compute_cli.engine.evaluate import group_gpus
from compute_cli.errors import ExitCode
from compute_cli.profiles import limits

from .conftest import REPO

TOY = ("-C", "tests/data/profiles")
SHIPPED_SYSTEM = REPO / "configs" / "systems" / "tinybox-red-v2.yaml"


def _one_line(result) -> bool:
    return result.stderr.count("\n") == 1 and "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("value", ["9223372036854775808", str(10**400), str(limits.MAX_ACCELERATORS_PER_SYSTEM + 1),
                                   "9" * 5000])
def test_a_huge_count_in_a_profile_is_refused_at_validation(cli, tmp_path, value):
    (tmp_path / "systems").mkdir()
    text = SHIPPED_SYSTEM.read_text()
    start = text.index("accelerator_count:")
    end = text.index("\n", start)
    (tmp_path / "systems" / "tinybox-red-v2.yaml").write_text(text[:start] + f"accelerator_count: {value}" + text[end:])
    result = cli("profiles", "validate", tmp_path)
    assert result.exit_code == ExitCode.INVALID_INPUT and _one_line(result)
    assert "accelerator_count" in result.stderr and len(result.stderr) < 300


@pytest.mark.parametrize("assignment", ["batch=" + "9" * 400, "batch=" + "9" * 5000, "system.accelerator_count=1000000000",
                                        "model.total_params=" + str(10**400), "context_tokens=1e30",
                                        "systems_count=9223372036854775808"])
def test_a_huge_count_in_set_is_refused(cli, assignment):
    result = cli(*TOY, "compare", "toy-own", "--model", "toy-dense", "--set", assignment)
    assert result.exit_code == ExitCode.INVALID_INPUT and _one_line(result) and len(result.stderr) < 300


def test_every_count_of_the_schema_has_a_maximum():
    import msgspec.inspect as mi

    from compute_cli.profiles.schema import KINDS

    unbounded = []
    for kind, struct in KINDS.items():
        for f in mi.type_info(struct).fields:
            t = f.type
            if isinstance(t, mi.UnionType):
                t = next((x for x in t.types if not isinstance(x, mi.NoneType)), t)
            if isinstance(t, mi.IntType) and t.le is None and t.lt is None:
                unbounded.append(f"{kind}.{f.name}")
    assert unbounded == []


@pytest.mark.parametrize("args", [
    ("compare", "tinybox-red-v2-oregon", "--set", f"system.accelerator_count={limits.MAX_ACCELERATORS_PER_SYSTEM}"),
    ("throughput", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--gpus",
     str(limits.MAX_ACCELERATORS_PER_SYSTEM)),
    ("sweep", "tinybox-red-v2-oregon", "--vary", f"system.accelerator_count=1:{limits.MAX_ACCELERATORS_PER_SYSTEM}:3"),
    ("simulate", "tinybox-red-v2-oregon", "--samples", "2000", "--dist",
     f"system.accelerator_count=uniform:1:{limits.MAX_ACCELERATORS_PER_SYSTEM}"),
    ("fleet", "--power-mw", str(limits.MAX_POWER_MW), "--hardware", "h100-sxm"),
])
def test_the_largest_counts_allowed_answer(cli, args):
    result = cli("-q", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("args", [
    ("compare", "tinybox-red-v2-oregon", "--set", "system.accelerator_count=1000000000"),
    ("throughput", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--gpus", "1000000000"),
    ("sweep", "tinybox-red-v2-oregon", "--vary", "system.accelerator_count=1:1e12:3"),
    ("fleet", "--power-mw", "1e12", "--hardware", "h100-sxm"),
])
def test_counts_beyond_the_maxima_are_refused(cli, args):
    result = cli("-q", *args)
    assert result.exit_code in (ExitCode.USAGE, ExitCode.INVALID_INPUT) and _one_line(result)


def test_a_distribution_past_the_maximum_is_clipped_and_says_so(cli):
    args = ("simulate", "tinybox-red-v2-oregon", "--samples", "2000", "--dist",
            "system.accelerator_count=uniform:1:1e12", "--format", "json")
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert "clipped to its bound" in result.stderr
    assert "clipped" not in cli("-q", *args).stderr  # a warning like any other: --quiet hides it


# --------------------------------------------------------------- divisor search
def _old_group_gpus(x, batch):
    """The loop this replaced, kept as the reference: every divisor 1..count in turn."""
    count = np.asarray(x["accelerator_count"], dtype=float)
    kv_seq = x["kv_bytes_per_sequence"]
    shape = np.broadcast(count, batch, kv_seq, x["weight_bytes_total"], x["memory_gb"]).shape
    chosen = np.broadcast_to(count, shape).astype(float)
    found = np.zeros(shape, dtype=bool)
    for n in sorted({d for c in set(count.astype(int).ravel().tolist()) for d in range(1, c + 1) if c % d == 0}):
        weights, kv = throughput.held_bytes(x["weight_bytes_total"], x["routed_bytes_total"], batch * kv_seq, float(n),
                                            x["tensor_parallel"], x["expert_parallel"], x["kv_heads"])
        need, have = throughput.memory_needed_bytes(weights, kv, x["memory_reserve_fraction"], n, x["memory_gb"])
        ok = (~found) & (count % n == 0) & (need <= have)
        chosen = np.where(ok, n, chosen)
        found |= ok
    return chosen


def _inputs(x):
    """The engine's memory inputs from a toy scenario: the KV per sequence, no routed experts, one layout."""
    n = len(x["accelerator_count"])
    x["kv_bytes_per_sequence"] = throughput.kv_cache_bytes(1.0, x.pop("context_tokens"), x.pop("kv_bytes_per_token_full"),
                                                           x.pop("kv_bytes_per_token_window"), x.pop("window_tokens"))
    x.setdefault("routed_bytes_total", np.zeros(n))
    x.setdefault("tensor_parallel", np.ones(n, dtype=bool))
    x.setdefault("expert_parallel", np.zeros(n, dtype=bool))
    x.setdefault("kv_heads", np.full(n, 8.0))
    return x


@pytest.mark.parametrize("counts", [[1, 2, 4, 8, 12, 72, 97, 1024], list(range(1, 400))])
def test_group_gpus_matches_the_exhaustive_search(counts):
    rng = np.random.default_rng(16)
    n = 600
    x = {"accelerator_count": rng.choice(counts, n).astype(float),
         "context_tokens": rng.integers(1, 100_000, n).astype(float),
         "kv_bytes_per_token_full": rng.uniform(0, 1e6, n), "kv_bytes_per_token_window": rng.uniform(0, 1e5, n),
         "window_tokens": rng.choice([0.0, 4096.0], n),
         "weight_bytes_total": rng.uniform(0, 2e12, n) * rng.choice([1.0, 0.0, np.inf], n, p=[0.9, 0.05, 0.05]),
         "memory_gb": rng.uniform(1, 200, n), "memory_reserve_fraction": rng.choice([0.0, 0.1, 0.2], n)}
    x = _inputs(x)
    # MoE layouts too: routed experts held once, dense weights on every device under data-parallel attention,
    # KV heads replicated beyond their count under tensor parallelism
    x["routed_bytes_total"] = np.where(rng.random(n) < 0.5, 0.0, 0.9 * x["weight_bytes_total"])
    x["expert_parallel"] = rng.choice([False, True], n)
    x["kv_heads"] = rng.choice([1.0, 8.0, 64.0], n)
    batch = rng.integers(1, 500, n).astype(float)
    with np.errstate(all="ignore"):
        assert np.array_equal(group_gpus(x, batch), _old_group_gpus(x, batch))


def test_group_gpus_on_an_exact_memory_boundary():
    x = {"accelerator_count": np.array([8.0]), "context_tokens": np.array([0.0]), "kv_bytes_per_token_full": np.array([0.0]),
         "kv_bytes_per_token_window": np.array([0.0]), "window_tokens": np.array([0.0]),
         "weight_bytes_total": np.array([3 * 80e9 * 0.9]), "memory_gb": np.array([80.0]),
         "memory_reserve_fraction": np.array([0.1])}
    x = _inputs(x)
    assert group_gpus(x, np.array([1.0])).tolist() == _old_group_gpus(x, np.array([1.0])).tolist() == [4.0]


def test_the_largest_count_is_searched_up_to_its_square_root(monkeypatch):
    calls = []
    real = throughput.divisors
    monkeypatch.setattr(throughput, "divisors", lambda n: calls.append(n) or real(n))
    big = float(limits.MAX_ACCELERATORS_PER_SYSTEM)
    got = throughput.smallest_divisor_at_least(np.array([big, big, 999_983.0]), np.array([3.0, 2e6, 2.0]))
    assert got.tolist() == [4.0, big, 999_983.0]  # 10**6 = 2^6 5^6; 999,983 is prime
    assert sorted(calls) == [999_983, 1_000_000]
    many = np.arange(1, 5001, dtype=float)  # more distinct counts: one pass over k <= sqrt(max)
    ref = [min(d for d in range(7, int(c) + 1) if c % d == 0) if c >= 7 else c for c in many]
    assert throughput.smallest_divisor_at_least(many, 7.0).tolist() == ref
    assert math.isqrt(5000) < 100


def test_divisors():
    assert throughput.divisors(limits.MAX_ACCELERATORS_PER_SYSTEM)[:8] == [1, 2, 4, 5, 8, 10, 16, 20]
    assert len(throughput.divisors(720720)) == 240
