"""The numpy array type aliases the package's annotations share.

One definition of each alias, so that a module's annotations say what an
array holds without each module writing ``npt.NDArray[...]`` again. The
aliases are for type checkers only: at run time they are numpy's generic
``ndarray`` types.

Examples
--------
>>> import numpy as np
>>> from pbr._types import BoolArray, FloatArray
>>> mask: BoolArray = np.array([True, False])
>>> values: FloatArray = np.zeros(2)
>>> values[mask].tolist()
[0.0]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["BoolArray", "DayArray", "FloatArray", "IntArray"]

#: An array of float64 values.
FloatArray = npt.NDArray[np.float64]
#: An array of int64 values (codes, day numbers, counts).
IntArray = npt.NDArray[np.int64]
#: A boolean mask.
BoolArray = npt.NDArray[np.bool_]
#: An array of numpy datetime64 values.
DayArray = npt.NDArray[np.datetime64]
