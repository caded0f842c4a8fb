"""backproplab: the helper package of the backproplab course.

Exercise modules (you fill these in): ``softmax``, ``losses``,
``softmax_regression``, ``activations``, ``backprop_single``, ``layers``, ``mlp``, ``autograd``.
Infrastructure (complete): ``contract``, ``validate``, ``data``, ``gradcheck``, ``checks``, ``progress_child``,
``plots``, ``train``, ``progress``, ``tensor`` (the autograd's graph node), ``ops`` (its given ops).

Import functions from their modules, e.g. ``from backproplab.softmax import softmax``:
this package imports nothing eagerly, so a half-written exercise file never
stops the others from loading.
"""

from .contract import EXERCISES as EXERCISES  # notebook → module → exercise functions (plain data, see contract.py)

__version__ = "0.1.0"
