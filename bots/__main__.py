"""`python -m bots` runs the `roundtable` command line."""

from bots.cli import app

app(prog_name="roundtable")
