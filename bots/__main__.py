"""`python -m bots` runs the `roundtable` command line."""

from bots.app.cli import app

app(prog_name="roundtable")
