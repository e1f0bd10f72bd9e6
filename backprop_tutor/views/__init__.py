"""Views of the teaching layer: palette, diagram, plots, figures, notebook displays and widgets."""
