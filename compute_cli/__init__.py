"""computecost: the economics of AI compute, with sources.

The Python API (docs/api.md)::

    import compute_cli as cc
    cc.compare(["aws-p5-ondemand", "tinybox-red-v2-oregon"], "llama-3.1-70b").to_frame()

The names below are loaded on first use, so ``import compute_cli`` (and every
``computecost`` command) stays as fast as before.
"""

__version__ = "0.1.0"

_API = ("compare", "throughput", "frontier", "invest", "sweep", "sensitivity", "simulate", "load_catalog", "Result",
        "CompareResult", "ThroughputResult", "FrontierResult", "InvestResult", "SweepResult", "SensitivityResult",
        "SimulateResult")
_ERRORS = ("ComputeCostError", "UsageError", "InputError", "ComputeCostWarning", "ExitCode")
__all__ = [*_API, *_ERRORS, "__version__"]


def __getattr__(name: str):
    if name in _API:
        from compute_cli import api

        return getattr(api, name)
    if name in _ERRORS:
        from compute_cli import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'compute_cli' has no attribute '{name}'")


def __dir__():
    return sorted(__all__)
