"""An example or two under each command's --help, every one a real run on the shipped profiles
(tests/test_conventions.py runs them all)."""

from __future__ import annotations

EXAMPLES: dict[str, tuple[str, ...]] = {
    "compare": ("computecost compare",
                "computecost compare aws-p5-ondemand tinybox-red-v2-oregon -w reasoning",
                "computecost compare --set site.electricity_usd_per_kwh=0.12 --ranges",
                "computecost compare --transpose -f markdown"),
    "invest": ("computecost invest hyperscaler-hgx-h100-campus",
               "computecost invest neocloud-hgx-h100-colo --rent-out-usd-per-gpu-hour 2.5"),
    "rent-or-buy": ("computecost rent-or-buy neocloud-hgx-h100-colo aws-p5-ondemand",),
    "fleet": ("computecost fleet --power-mw 10",
              "computecost fleet --power-mw 10 --rank-by tokens_per_joule"),
    "breakeven": ("computecost breakeven mac-idle-fleet aws-p5-ondemand --vary utilization",),
    "sweep": ("computecost sweep tinybox-red-v2-oregon --vary utilization=0.2:0.9:8",
              "computecost sweep neocloud-hgx-h100-colo --vary utilization=0.3:0.9:4 -f csv"),
    "sensitivity": ("computecost sensitivity neocloud-hgx-h100-colo",
                    "computecost sensitivity tinybox-red-v2-oregon -M cost_usd_per_gpu_hour"),
    "simulate": ("computecost simulate neocloud-hgx-h100-colo --samples 10000",),
    "frontier": ("computecost frontier hyperscaler-hgx-h100-campus tinybox-red-v2-oregon",
                 "computecost frontier aws-p5-ondemand -w mlperf-llama2-70b-interactive"),
    "check": ("computecost check --max-usd-per-million-output-tokens 2",
              "computecost check aws-p5-ondemand --max-tpot-ms 30"),
    "diff": ("computecost diff base.json new.json --fail-on-increase 5%",),
    "report": ("computecost report --output report.html",),
    "throughput": ("computecost throughput --hardware h100-sxm --model llama-3.1-8b --batch 32",
                   "computecost throughput --system hgx-h100-8 -m gpt-oss-120b"),
    "profiles list": ("computecost profiles list setups",),
    "profiles show": ("computecost profiles show h100-sxm",),
    "profiles validate": ("computecost profiles validate my-profiles/", "computecost profiles validate --kind setups my.yaml"),
    "profiles schema": ("computecost profiles schema setups",),
    "prices import": ("computecost prices import openrouter-models.json --as-of 2026-11-30",),
    "prices stale": ("computecost prices stale --max-age-days 180",),
    "schema output": ("computecost schema output compare",),
    "schema profiles": ("computecost schema profiles",),
    "scenario list": ("computecost scenario list",),
    "scenario run": ("computecost scenario run compute-rich-resale",),
}
# examples that need a file of the user's: shown, not run by the test
NEEDS_A_FILE = frozenset({"diff", "prices import", "profiles validate"})


def epilog(command_path: str) -> str | None:
    """The examples paragraph of ``command_path`` ('profiles list'), kept as written (Click's \\b)."""
    lines = EXAMPLES.get(command_path)
    if not lines:
        return None
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)
