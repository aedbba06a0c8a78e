"""The indicator engine: catalog, computation, generated documentation."""

from socle.indicators.affected import affected_periods, affected_work
from socle.indicators.catalog import Indicator, load_catalog, write_catalog
from socle.indicators.engine import available_periods, compute_batches, compute_indicators

__all__ = [
    "Indicator",
    "affected_periods",
    "affected_work",
    "available_periods",
    "compute_batches",
    "compute_indicators",
    "load_catalog",
    "write_catalog",
]
