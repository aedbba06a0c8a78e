"""Synthetic operator deliveries (`socle generate`): a realistic, deterministic network on
the real communes, written in each operator's own file habits, with optional faults."""

from socle.generate.landing import DELIVERIES, generate_landing
from socle.generate.truth import active_persons_month_end

__all__ = ["DELIVERIES", "active_persons_month_end", "generate_landing"]
