"""Profiles made in code where a command needs one that no file describes, with their assumptions.

* a rented instance whose offer names no system: its accelerators on PCIe;
* a consumer device of a device fleet: one accelerator, no host beyond its own figures;
* ``throughput --hardware H [--gpus N]``: N accelerators on PCIe, and a setup that
  only carries the run's precision, batch and context;
* ``fleet``: an accelerator with no system profile, 8 to a server with a host sized by
  Epoch AI's ratios, and the owned setup that serves it at a site;
* ``--input-tokens N --output-tokens M``: a workload of those tokens, without latency targets.

Each stand-in is a validated profile struct, so the engine sees nothing special;
its figures have no file, and the origins of the engine's inputs say so.
"""

from __future__ import annotations

from compute_cli.profiles.schema import Hardware, Offer, Setup, System, Workload

# Assumption: PCIe 4.0 x16 moves ~32 GB/s per direction (PCI-SIG); a rented
# instance that names no system is taken to be that many accelerators on PCIe.
PCIE4_X16_GB_PER_S = 32.0

# An accelerator with no system profile is fleeted 8 to a server (assumption), its host
# sized by Epoch AI's server/GPU ratios (epoch-research/training-cost-trends, figures.md D):
# server power 1.82 x accelerator TDP (DGX H100: 10.2 kW / 8 / 0.7 kW) and server price
# 1.64 x accelerator price.
STAND_IN_ACCELERATORS = 8
EPOCH_SERVER_POWER_RATIO = 1.82
EPOCH_SERVER_COST_RATIO = 1.64


def pcie_group(hardware: Hardware, count: int, system_id: str, name: str) -> System:
    """``count`` accelerators on PCIe with no host of their own."""
    return System(id=system_id, name=name, accelerator=hardware.id, accelerator_count=count, host_capex_usd=0.0,
                  host_power_w=0.0, interconnect="pcie", interconnect_bandwidth_gb_per_s=PCIE4_X16_GB_PER_S)


def instance_system(offer: Offer, hardware: Hardware) -> System:
    """The node of a rented instance whose offer names no system."""
    return pcie_group(hardware, offer.gpus_per_instance, f"{offer.id}-instance", f"{offer.name} instance")


def device_system(hardware: Hardware) -> System:
    """A consumer device serves alone: one accelerator, no host beyond what its own figures include."""
    return System(id=f"{hardware.id}-device", name=f"{hardware.name} device", accelerator=hardware.id,
                  accelerator_count=1, host_capex_usd=0.0, host_power_w=0.0, interconnect="none",
                  interconnect_bandwidth_gb_per_s=PCIE4_X16_GB_PER_S)


def hardware_group(hardware: Hardware, gpus: int) -> System:
    """``throughput --hardware H --gpus N``: N of them on PCIe (one when N is 0, 'auto')."""
    return pcie_group(hardware, max(gpus, 1), f"{hardware.id}-instance", f"{hardware.name} instance")


def throughput_setup(precision: str, kv_precision: str, batch: int, context: int) -> Setup:
    """The setup of a ``throughput`` run: only what the roofline needs (cost figures stay at 0)."""
    return Setup(id="throughput", name="throughput", kind="own", utilization=1.0, precision=precision,
                 kv_precision=kv_precision, batch=batch, context_tokens=context)


def epoch_system(hardware: Hardware) -> System:
    """An 8-accelerator server for an accelerator with no system profile, host by Epoch AI's ratios."""
    n = STAND_IN_ACCELERATORS
    return System(id=f"{hardware.id}-x{n}-epoch-ratios", name=f"{n}x {hardware.name}, host by Epoch ratios",
                  accelerator=hardware.id, accelerator_count=n,
                  host_capex_usd=(EPOCH_SERVER_COST_RATIO - 1.0) * hardware.price_usd * n,
                  host_power_w=(EPOCH_SERVER_POWER_RATIO - 1.0) * hardware.tdp_w * n,
                  interconnect="pcie", interconnect_bandwidth_gb_per_s=PCIE4_X16_GB_PER_S)


def fleet_setup(hardware: Hardware, system: System, site_id: str, finance_id: str, utilization: float,
                precision: str, batch: int | None, context: int | None, input_tokens_per_output_token: float,
                workload: str | None = None) -> Setup:
    """The owned setup ``fleet`` evaluates for one accelerator at the budget's site (``batch`` None: chosen)."""
    return Setup(id=f"fleet-{hardware.id}", name=hardware.name, kind="own", system=system.id, site=site_id,
                 finance=finance_id, utilization=utilization, precision=precision, batch=batch,
                 context_tokens=context, input_tokens_per_output_token=input_tokens_per_output_token,
                 workload=workload)


def workload(input_tokens: int, output_tokens: int) -> Workload:
    """``--input-tokens N --output-tokens M``: requests of that shape, with no latency target of their own."""
    return Workload(id=f"tokens-{input_tokens}-{output_tokens}", name=f"{input_tokens} in, {output_tokens} out",
                    input_tokens=input_tokens, output_tokens=output_tokens)
