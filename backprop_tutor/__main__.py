"""``python -m backprop_tutor``: see :mod:`backprop_tutor.cli`."""

import sys

from .cli import main

sys.exit(main())
