"""``python -m derive`` runs the command line, set up as the installed script is."""

from .process import console_main

console_main()
