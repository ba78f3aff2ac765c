"""dlcalc: the tested numpy calculations behind the worked-solutions book.

Every public function of every topic module is re-exported here, so both
``from dlcalc import conv_output_size`` and
``from dlcalc.shapes import conv_output_size`` work.
"""

__version__ = "0.1.0"
from .data import *  # noqa: F401,F403
from .init import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .specs import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from .counting import *  # noqa: F401,F403
from .activations import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .signal import *  # noqa: F401,F403
from .filters import *  # noqa: F401,F403
from .signal_steps import *  # noqa: F401,F403
from .diagrams import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403
from .diagnostics import *  # noqa: F401,F403
from .experiments import *  # noqa: F401,F403
from .plotting import *  # noqa: F401,F403
from .mlp import *  # noqa: F401,F403
from . import train  # noqa: F401,E402  (the old home of models, training and experiments)
from . import (activations, counting, data, diagnostics, diagrams, experiments,  # noqa: E402
               filters, init, layers, mlp, models, optim, plotting, shapes, signal,
               signal_steps, specs, training)

#: Every public name of every topic module, in the order of the imports above.
__all__ = [name for module in (data, init, optim, specs, shapes, counting, activations, layers,
                               signal, filters, signal_steps, diagrams, models, training,
                               diagnostics, experiments, plotting, mlp)
           for name in module.__all__]
