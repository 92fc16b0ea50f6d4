"""social_progress.index: the Social Progress Index method as a plain library.

Goalposts -> 0-100 indicator scores -> imputation -> principal-component (or equal /
fixed) weights -> components, dimensions, index -> ranks, changes, diagnostics, and a
Monte Carlo sensitivity analysis of the ranks. numpy/pandas only; no orchestration code.
"""

from .engine import IndexOptions, compute_index
from .errors import FrameworkError, IndexInputError
from .fallback import compute_index_with_fallback
from .framework import Framework, IndicatorSpec
from .result import INDEX_NAME, IndexResult
from .sensitivity import sensitivity_analysis
from .tables import compute_index_tables, load_framework
from .years import carry_forward, supported_years
from .anchoring import anchor_to_parents
from .component_aggregation import index_from_components
from .engine import SAME_AS_WEIGHT_LEVEL

__all__ = ["IndicatorSpec", "Framework", "IndexOptions", "compute_index", "IndexResult", "FrameworkError",
           "IndexInputError", "sensitivity_analysis", "INDEX_NAME", "compute_index_with_fallback", "compute_index_tables",
           "load_framework", "carry_forward", "supported_years"]
__all__ += ["anchor_to_parents", "index_from_components", "SAME_AS_WEIGHT_LEVEL"]
