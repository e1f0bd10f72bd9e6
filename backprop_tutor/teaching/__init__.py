"""The teaching layer: names in two notations, the walkthrough's steps, formulas as text and LaTeX.

It reads the core and never imports matplotlib or ipywidgets.
"""
