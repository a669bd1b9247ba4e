"""Pure math engine: imports SymPy, NumPy, SciPy and the standard library only."""
