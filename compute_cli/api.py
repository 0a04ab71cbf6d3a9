"""The Python API: the functions the commands call, returning results instead of printing them.

``import compute_cli as cc`` gives ``cc.compare``, ``cc.throughput``, ``cc.invest``,
``cc.sweep``, ``cc.simulate``, ``cc.sensitivity`` and ``cc.load_catalog`` (see
docs/api.md). Each returns a result whose ``to_dict()`` is exactly the JSON the
command prints with ``--format json``, and whose ``to_frame()`` is a pandas
DataFrame of its rows (pandas is optional and imported only there). Nothing here
prints or exits: a bad input raises ``compute_cli.ComputeCostError`` (``UsageError``
or ``InputError``) with the message and ``exit_code`` the command would give, and
what the command would print as a warning is a Python warning
(``compute_cli.ComputeCostWarning``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from compute_cli.errors import UsageError
from compute_cli.profiles.catalog import Catalog

SetArg = Mapping[str, object] | Iterable[str] | None


def load_catalog(config_dirs: Iterable[str | Path] = (), environ: Mapping[str, str] | None = None) -> Catalog:
    """The profiles a run sees: ``config_dirs`` first, then ``COMPUTECOST_PATH``, then the shipped ones.

    >>> import compute_cli as cc
    >>> "h100-sxm" in cc.load_catalog().ids("hardware")
    True
    """
    return Catalog([str(d) for d in config_dirs], environ)


def _catalog(catalog: Catalog | None) -> Catalog:
    return catalog if catalog is not None else load_catalog()


def _assignments(set_: SetArg):
    """``{"site.pue": 1.3}`` or ``["site.pue=1.3", "utilization*=1.1"]`` -> parsed ``--set`` assignments."""
    from compute_cli.profiles.overrides import parse_assignment

    if set_ is None:
        return []
    if isinstance(set_, str):
        raise UsageError("set: expected a mapping {path: value} or a list of 'PATH=VALUE' strings, not one string")
    if isinstance(set_, Mapping):
        texts = [f"{path}={value}" for path, value in set_.items()]
    else:
        texts = list(set_)
    return [parse_assignment(t, "set") for t in texts]


class Result:
    """A command's result. ``to_dict()`` is its JSON; ``to_frame()`` a DataFrame of its rows."""

    command = ""

    def __init__(self, data: dict):
        self._data = data

    def to_dict(self) -> dict:
        """The JSON the command prints with ``--format json`` (a fresh copy)."""
        import copy

        return copy.deepcopy(self._data)

    def rows(self) -> list[dict]:
        """The rows ``--format csv`` and ``--format jsonl`` print, as dicts with the CSV's columns (nested keys
        flattened with '.'; render/rows.py)."""
        from compute_cli.render import rows as rows_mod
        from compute_cli.render.formats import flatten
        from compute_cli.render.output_schema import csv_columns

        _, definition, gated = rows_mod.ROWS[self.command]
        raw = rows_mod.rows(self.command, self._data)
        columns = csv_columns(definition, raw, gated=gated)
        flat = [flatten(r) for r in raw]
        return [{c: r.get(c) for c in columns} | r for r in flat]

    def to_frame(self):
        """The rows as a pandas DataFrame (needs pandas: ``pip install pandas``)."""
        try:
            import pandas as pd
        except ImportError:
            raise UsageError("to_frame() needs pandas: pip install pandas") from None
        return pd.DataFrame(self.rows())

    def __getitem__(self, key):
        return self._data[key]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.command}: {self._summary()}>"

    def _summary(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in list(self._data.items())[1:4])


class CompareResult(Result):
    """``compare``: one row per setup."""

    command = "compare"

    @property
    def setups(self) -> list[dict]:
        return self._data["setups"]

    def setup(self, setup_id: str) -> dict:
        """The row of one setup, by id."""
        for row in self.setups:
            if row["id"] == setup_id:
                return row
        raise KeyError(setup_id)

    def _summary(self) -> str:
        return f"model {self._data['model']['id']}, {len(self.setups)} setups"


class ThroughputResult(Result):
    command = "throughput"


class InvestResult(Result):
    """``invest``: the summary; its rows are the years of cash flows, each with the investment's figures."""

    command = "invest"


class SensitivityResult(Result):
    """``sensitivity``: a row per input moved."""

    command = "sensitivity"


class SimulateResult(Result):
    """``simulate``: a row per metric's percentiles."""

    command = "simulate"


class FrontierResult(Result):
    """``frontier``: a row per point (setup, GPUs per replica, concurrency)."""

    command = "frontier"

    def _summary(self) -> str:
        return f"model {self._data['model']['id']}, {sum(len(s['points']) for s in self._data['setups'])} points"


class SweepResult(Result):
    """``sweep``: a grid evaluated lazily, block by block. ``columns()`` gives numpy arrays (no copy into
    Python floats); ``to_dict()`` and ``to_frame()`` hold every row, so mind the grid's size."""

    command = "sweep"

    def __init__(self, grid):
        self._grid = grid
        super().__init__(grid.header())

    def columns(self) -> dict:
        """``{column: 1-D numpy array}`` of every row, in grid order (the last --vary fastest)."""
        import numpy as np

        blocks = list(self._grid.blocks())
        return {c: np.concatenate([b[c] for b in blocks]) for c in self._grid.columns}

    def to_dict(self) -> dict:
        import math

        from compute_cli.pipeline import clean

        cols = self.columns()
        varied = {a.name for a in self._grid.axes}
        n = self._grid.size
        rows = [{c: (float(f"{v[i]:.12g}") if c in varied else clean(v[i])) for c, v in cols.items()}
                for i in range(n)]
        for row in rows:
            for c in varied:
                if not math.isfinite(row[c]):
                    row[c] = None
        return {**super().to_dict(), "rows": rows}

    def rows(self) -> list[dict]:
        return self.to_dict()["rows"]

    def to_frame(self):
        try:
            import pandas as pd
        except ImportError:
            raise UsageError("to_frame() needs pandas: pip install pandas") from None
        return pd.DataFrame(self.columns())

    def _summary(self) -> str:
        return f"{self._grid.setup_id}, {self._grid.size:,} rows"


def compare(setups: Iterable[str] = (), model: str | None = None, *, set: SetArg = None,  # noqa: A002
            catalog: Catalog | None = None) -> CompareResult:
    """Setups side by side for one model: ``computecost compare``.

    setups : setup ids (none: the shipped default comparison)
    model : model id (None: the model the setups declare)
    set : overrides, ``{path: value}`` or ``["PATH=VALUE", "PATH*=FACTOR"]``, as ``--set``

    >>> import compute_cli as cc
    >>> r = cc.compare(["aws-p5-ondemand"], "llama-3.1-70b")
    >>> r.setup("aws-p5-ondemand")["cost_usd_per_used_gpu_hour"]  # on demand: an hour served costs the price
    6.88
    """
    from compute_cli.analysis import compare as compare_mod

    return CompareResult(compare_mod.run(_catalog(catalog), list(setups), model, _assignments(set)))


def throughput(model: str, *, hardware: str | None = None, system: str | None = None, precision: str = "bf16",
               kv_precision: str = "bf16", batch: int = 1, context: int = 1024, prompt_tokens: int | None = None,
               gpus: int = 0, parallelism: str = "tensor", runtime: str | None = None,
               set: SetArg = None,  # noqa: A002
               catalog: Catalog | None = None) -> ThroughputResult:
    """Decode and prefill speed, power and memory fit: ``computecost throughput`` (``gpus=0``: the fewest that fit;
    ``runtime``: a runtimes/ profile, else the hardware class's factors).

    >>> import compute_cli as cc
    >>> t = cc.throughput("llama-3.1-8b", hardware="h100-sxm", batch=64)
    >>> t["fits"], t["gpus"]
    (True, 1)
    """
    from compute_cli.analysis import throughput as throughput_mod

    return ThroughputResult(throughput_mod.run(
        _catalog(catalog), model, hardware_id=hardware, system_id=system, precision=precision,
        kv_precision=kv_precision, batch=batch, context=context, prompt_tokens=prompt_tokens, prefill_batch=batch,
        gpus=gpus, parallelism=parallelism, runtime_id=runtime, assignments=_assignments(set)))


def frontier(setups: Iterable[str] = (), model: str | None = None, *, workload: str | None = None,
             runtime: str | None = None, set: SetArg = None,  # noqa: A002
             catalog: Catalog | None = None) -> FrontierResult:
    """Each setup's points over concurrency and GPUs per replica: ``computecost frontier``.

    >>> import compute_cli as cc
    >>> f = cc.frontier(["tinybox-red-v2-oregon"], workload="chat")
    >>> chosen = [p for p in f.rows() if p["chosen"]]
    >>> len(chosen), chosen[0]["slo_met"]  # the one point compare uses, within the chat targets
    (1, True)
    """
    from compute_cli import inputs
    from compute_cli.analysis import frontier as frontier_mod

    cat = _catalog(catalog)
    options = inputs.RunOptions(workload=workload, runtime=runtime)
    return FrontierResult(frontier_mod.run(cat, list(setups), model, _assignments(set), options))


def invest(setup: str, *, model: str | None = None, years: float | None = None, price_decline_per_year: float = 0.3,
           sell_price_usd_per_million_tokens: float | None = None, market: str | None = None,
           price_scale: float = 1.0, rent_out_usd_per_gpu_hour: float | None = None, set: SetArg = None,  # noqa: A002
           catalog: Catalog | None = None) -> InvestResult:
    """Monthly cash flows, NPV, IRR and payback of a setup: ``computecost invest``.

    years : the horizon (None: the owned hardware's economic life, 5 years for a rented setup)
    """
    from compute_cli.analysis import economics

    return InvestResult(economics.invest(
        _catalog(catalog), setup, model_id=model, years=years, price_decline_per_year=price_decline_per_year,
        sell_price_usd_per_million_tokens=sell_price_usd_per_million_tokens, market_model=market,
        price_scale=price_scale, rent_out_usd_per_gpu_hour=rent_out_usd_per_gpu_hour,
        assignments=_assignments(set)))


def sweep(setup: str, vary: Mapping[str, tuple[float, float, int]] | Iterable[str], *, model: str | None = None,
          metrics: Iterable[str] = (), set: SetArg = None, catalog: Catalog | None = None) -> SweepResult:  # noqa: A002
    """A grid over numeric keys: ``computecost sweep``.

    vary : ``{"utilization": (0.2, 0.9, 8)}`` or ``["utilization=0.2:0.9:8"]`` (the last one changes fastest)

    >>> import compute_cli as cc
    >>> s = cc.sweep("tinybox-red-v2-oregon", {"utilization": (0.3, 0.9, 3)}, metrics=["cost_usd_per_gpu_hour"])
    >>> [round(float(v), 4) for v in s.columns()["cost_usd_per_gpu_hour"]]
    [0.191, 0.1931, 0.1952]
    """
    from compute_cli.analysis import sweep as sweep_mod

    if isinstance(vary, Mapping):
        texts = [f"{path}={start}:{stop}:{steps}" for path, (start, stop, steps) in vary.items()]
    else:
        texts = list(vary)
    varies = [sweep_mod.parse_vary(t) for t in texts]
    return SweepResult(sweep_mod.plan(_catalog(catalog), setup, model, _assignments(set), varies, tuple(metrics)))


def sensitivity(setup: str, *, model: str | None = None, metric: str = "cost_usd_per_million_output_tokens",
                swing: float = 0.2, use_declared_ranges: bool = True, set: SetArg = None,  # noqa: A002
                catalog: Catalog | None = None) -> SensitivityResult:
    """The tornado of one metric: ``computecost sensitivity``."""
    from compute_cli.analysis import sensitivity as sensitivity_mod

    return SensitivityResult(sensitivity_mod.run(_catalog(catalog), setup, model, _assignments(set), metric=metric,
                                                 swing=swing, use_declared=use_declared_ranges))


def simulate(setup: str, *, model: str | None = None, samples: int = 100_000, seed: int = 0,
             dist: Mapping[str, str] | None = None, metrics: Iterable[str] = (), set: SetArg = None,  # noqa: A002
             catalog: Catalog | None = None) -> SimulateResult:
    """Monte Carlo over the declared distributions: ``computecost simulate``.

    dist : extra or replacing distributions, ``{"utilization": "triangular:0.3:0.6:0.85"}``
    """
    from compute_cli.analysis import simulate as simulate_mod
    from compute_cli.profiles.distributions import parse_spec

    dists = [(path, parse_spec(spec, f"dist {path}")) for path, spec in (dist or {}).items()]
    return SimulateResult(simulate_mod.run(_catalog(catalog), setup, model, _assignments(set), dists, samples=samples,
                                           seed=seed, metrics=tuple(metrics)))


__all__ = ["CompareResult", "InvestResult", "Result", "SensitivityResult", "SimulateResult", "SweepResult",
           "ThroughputResult", "compare", "invest", "load_catalog", "sensitivity", "simulate", "sweep", "throughput"]
