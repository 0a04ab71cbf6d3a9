"""Runs over the engine: compare, and later sweeps, sensitivity, Monte Carlo."""
