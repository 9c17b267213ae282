"""`python -m assistant` runs the `assistant` command."""

from .frontends.cli import main

main()
