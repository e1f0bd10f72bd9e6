"""The core: describe a network, derive its backpropagation with SymPy, evaluate it with NumPy.

Nothing here imports matplotlib, ipywidgets or the teaching layer. Inside the core, imports go
one way: checks, quantities, registry -> parameters -> spec -> example_files, symbolic -> bridge ->
the generated loops (loop_code, layer_code) -> engine -> sweeping.
"""
