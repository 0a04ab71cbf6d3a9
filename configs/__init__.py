"""Shipped profiles. This marker lets them install as the package data ``compute_cli.configs``."""
