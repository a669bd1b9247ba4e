"""The expression reader: plain text and LaTeX into SymPy, never through eval."""
