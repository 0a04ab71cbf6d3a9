"""computecost: the economics of AI compute, with sources."""

__version__ = "0.1.0"
