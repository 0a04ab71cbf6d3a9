"""Pure, vectorized formulas: one module per stage. Arrays in, arrays out; no I/O."""
