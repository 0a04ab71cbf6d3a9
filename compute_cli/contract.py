"""The version of everything computecost prints as JSON (``schema_version``), kept in one place.

Within a version, keys may be added but are never removed, renamed or retyped; anything else
bumps it. ``computecost schema output`` prints the JSON Schema of this version.
"""

SCHEMA_VERSION = 2

# Changes between versions (docs/ci.md):
#   2: throughput's `avg_power_w` (decode power of all accelerators) is named `decode_power_w`,
#      like `prefill_power_w` beside it, and no longer suggests the utilization-weighted
#      `avg_power_w_per_gpu` of compare.
