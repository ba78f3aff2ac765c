"""Models, a training loop, learning-rate schedules, diagnostics and experiments.

This module is kept so that ``from dlcalc.train import fit`` and ``dlcalc.train.fit``
keep working; the names it held now live in :mod:`dlcalc.models` (models, forward and
backward passes, loss and predictions), :mod:`dlcalc.training` (:func:`~dlcalc.training.fit`
and the learning-rate schedules), :mod:`dlcalc.diagnostics` (gradient norms, dead units,
symmetry, deep stacks) and :mod:`dlcalc.experiments` (the experiments of the book). Every
one of them is also available from the package itself (``dlcalc.fit``).
"""

from __future__ import annotations

from .diagnostics import *  # noqa: F401,F403
from .diagnostics import __all__ as _diagnostics
from .experiments import *  # noqa: F401,F403
from .experiments import __all__ as _experiments
from .models import *  # noqa: F401,F403
from .models import __all__ as _models
from .training import *  # noqa: F401,F403
from .training import __all__ as _training

# Documented in the modules above; nothing is listed here, so that each name has one entry
# in the API reference.
__all__: list[str] = []
_MOVED = (*_models, *_training, *_diagnostics, *_experiments)
