"""Entry points: the command line and presentation mode."""
