"""A printed NumPy expression as in-place statements: every operation writes into a buffer.

A form printed for NumPy (``OUT*(1 - OUT)*(OUT - TARGET)``) allocates an array per operation. In a
sweep's inner loop, at a thousand entries, the allocation costs about as much as the arithmetic,
so the layer-stacked sweep (:mod:`layer_code`) turns the printed code's syntax tree into ufunc calls
with an output array, in the printed order of operations (so with the same rounding). Numbers
become 0-d arrays, which NumPy reads faster than Python floats, and a ufunc's output is passed by
position (parsing ``out=`` costs about 5% of a call at these sizes). Only printed code is read
here, never a user's text; a construct this does not know is evaluated as printed and copied into
its buffer.
"""

from __future__ import annotations

import ast
import inspect
from collections import Counter
from collections.abc import Callable

import numpy as np

__all__ = ["InPlace", "in_place_namespace"]

_BINARY = {ast.Add: "_add", ast.Sub: "_subtract", ast.Mult: "_multiply", ast.Div: "_divide", ast.Pow: "_power"}
_FOLD = {ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__, ast.Div: float.__truediv__,
         ast.Pow: float.__pow__}


def in_place_namespace() -> dict:
    """The ufuncs the statements call, by the names they are printed with."""
    return {"_add": np.add, "_subtract": np.subtract, "_multiply": np.multiply, "_divide": np.divide,
            "_power": np.power, "_square": np.square, "_negative": np.negative, "_copyto": np.copyto,
            "_array": np.array, "_empty": np.empty}


def _number(node: ast.AST) -> float | None:
    """The node's value when it is made of numbers only (``1/2``, ``-2``), else None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _number(node.operand)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLD:
        left, right = _number(node.left), _number(node.right)
        if left is not None and right is not None:
            return _FOLD[type(node.op)](left, right)   # Python's float arithmetic is NumPy's float64
    return None


def _writes_out(function: Callable) -> bool:
    """Whether ``function(x, out=buffer)`` writes its result into the buffer (ufuncs, the registry's sigmoid)."""
    if isinstance(function, np.ufunc):
        return function.nin == 1
    try:
        return "out" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


class InPlace:
    """Statements that compute printed expressions into arrays of one shape.

    ``shape`` is the code text of the buffers' shape (``"(3, _c)"``). Temporaries are named
    ``{prefix}0``, ``{prefix}1``...; :meth:`prologue` allocates them, and ``constants`` (shared
    between instances) names the numbers read, each made a 0-d array once.
    """

    def __init__(self, prefix: str, shape: str, namespace: dict, constants: dict):
        self.prefix, self.shape, self.namespace, self.constants = prefix, shape, namespace, constants
        self._free: list = []   # temporaries no longer read (``lines`` and ``_spent`` are per assign)
        self._count = 0

    def assign(self, source: str, out: str, spent: tuple = ()) -> list:
        """The statements writing the value of the expression ``source`` into the array named ``out``.

        ``spent`` names arrays of this shape whose values are not read after this expression: an
        operation may write into one it reads (only once in the expression) instead of a temporary,
        so fewer arrays pass through the cache."""
        tree = ast.parse(source, mode="eval").body
        reads = Counter(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
        self.lines, self._spent = [], {name for name in spent if reads[name] == 1}
        result = self._value(tree, out)
        if result != out:   # a bare name or number: copied
            self.lines.append(f"_copyto({out}, {result})")
        return self.lines

    def prologue(self) -> list:
        """Lines allocating the temporaries the statements use."""
        return [f"{self.prefix}{i} = _empty({self.shape})" for i in range(self._count)]

    def _constant(self, value: float) -> str:
        return self.constants.setdefault(value, f"_k{len(self.constants)}")

    def _temporary(self) -> str:
        if self._free:
            return self._free.pop()
        self._count += 1
        return f"{self.prefix}{self._count - 1}"

    def _release(self, *names: str) -> None:
        self._free += [n for n in names if n.startswith(self.prefix) and n not in self._free]

    def _into(self, out: str | None, *operands: str) -> str:
        """Where an operation writes: ``out``, else an operand's temporary (elementwise, so safe), else a new one."""
        if out is not None:
            self._release(*operands)
            return out
        for name in operands:
            if name.startswith(self.prefix) or name in self._spent:
                self._release(*[n for n in operands if n != name])
                return name
        return self._temporary()

    def _value(self, node: ast.AST, out: str | None = None) -> str:
        """The name holding the node's value, computed into ``out`` (or a temporary) when it is an operation."""
        number = _number(node)
        if number is not None:
            return self._constant(number)
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and _number(node.right) == 2.0:
            operand = self._value(node.left)
            dest = self._into(out, operand)
            self.lines.append(f"_square({operand}, {dest})")   # x**2 as NumPy's power computes it
            return dest
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self._value(node.left), self._value(node.right)
            dest = self._into(out, left, right)
            self.lines.append(f"{_BINARY[type(node.op)]}({left}, {right}, {dest})")
            return dest
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            operand = self._value(node.operand)
            dest = self._into(out, operand)
            self.lines.append(f"_negative({operand}, {dest})")
            return dest
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1
                and not node.keywords and _writes_out(self.namespace.get(node.func.id))):
            operand = self._value(node.args[0])
            dest = self._into(out, operand)
            self.lines.append(f"{node.func.id}({operand}, out={dest})")
            return dest
        # Anything else (a step function's where, a clamp inside a log) as printed, then copied.
        dest = out if out is not None else self._temporary()
        self.lines.append(f"_copyto({dest}, {ast.unparse(node)})")
        return dest
