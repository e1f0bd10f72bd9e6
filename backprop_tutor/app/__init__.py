"""Entry points: the command line, presentation mode, the lessons as files (`lessons`, `lab`), a JupyterHub's
nbgitpuller link (`link`) and what the notebooks' first cell does on Colab."""
