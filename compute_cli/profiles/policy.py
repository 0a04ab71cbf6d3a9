"""Policy files for ``computecost check``: limits on the metrics of a comparison.

```yaml
model: llama-3.1-70b            # optional; --model wins
rules:
  - metric: cost_usd_per_million_output_tokens
    max: 2.5
  - metric: cost_usd_per_gpu_hour
    max: {value: 4.0, source: "FinOps budget FY26", as_of: 2026-01}
    setups: [aws-p5-ondemand]   # optional: only these setups
  - metric: tokens_per_joule
    min: 1.0
    name: energy floor          # optional: shown with a breach
```

Read with the profile loader's safe YAML, so errors read ``file:line: key.path: message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from msgspec import Meta

from compute_cli.errors import InputError, did_you_mean
from compute_cli.profiles.loader import validate
from compute_cli.profiles.schema import Base, Id
from compute_cli.profiles.yamlio import Document, format_path, parse, read_text


class PolicyRule(Base, kw_only=True):
    metric: str
    max: float | None = None
    min: float | None = None
    setups: list[Id] | None = None
    name: str = ""
    note: str = ""


class Policy(Base, kw_only=True):
    rules: Annotated[list[PolicyRule], Meta(min_length=1)]
    model: Id | None = None
    notes: str = ""


@dataclass
class PolicyFile:
    policy: Policy
    file: str
    doc: Document  # for the line of each key

    def where(self, path: tuple) -> str:
        """``file:line`` of a key path, e.g. ``policy.yaml:7`` for ``("rules", 1)``."""
        line = self.doc.line_of(path)
        return f"{self.file}:{line}" if line else self.file

    def error(self, message: str, path: tuple) -> InputError:
        return InputError(message, file=self.file, line=self.doc.line_of(path), path=format_path(path))


def load(file_path, display: str, metrics) -> PolicyFile:
    """Read and validate a policy; every rule's ``metric`` must be one of ``metrics``."""
    doc = parse(read_text(file_path, display), display)
    policy = validate(doc, Policy)
    out = PolicyFile(policy=policy, file=display, doc=doc)
    for i, rule in enumerate(policy.rules):
        if rule.metric not in metrics:
            hint = did_you_mean(rule.metric, metrics) or f"; metrics: {', '.join(metrics)}"
            raise out.error(f"unknown metric '{rule.metric}'{hint}", ("rules", i, "metric"))
        if rule.max is None and rule.min is None:
            raise out.error("a rule needs 'max' or 'min' (or both)", ("rules", i))
        if rule.max is not None and rule.min is not None and rule.min > rule.max:
            raise out.error(f"min {rule.min:g} is above max {rule.max:g}: no value can pass", ("rules", i, "min"))
    return out
