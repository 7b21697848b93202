"""`python -m corscheck` runs the same command line as the `corscheck` script."""

from corscheck.cli import main

main(prog_name="corscheck")
