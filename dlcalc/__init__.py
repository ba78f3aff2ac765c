"""dlcalc: the tested numpy calculations behind the worked-solutions book.

Every public function of every topic module is re-exported here, so both
``from dlcalc import conv_output_size`` and
``from dlcalc.shapes import conv_output_size`` work.
"""

__version__ = "0.1.0"
from .data import *  # noqa: F401,F403
from .init import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from .counting import *  # noqa: F401,F403
from .activations import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .signal import *  # noqa: F401,F403
from .filters import *  # noqa: F401,F403
from .signal_steps import *  # noqa: F401,F403
from .diagrams import *  # noqa: F401,F403
from .train import *  # noqa: F401,F403
from .plotting import *  # noqa: F401,F403
from .mlp import *  # noqa: F401,F403
