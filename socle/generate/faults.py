"""Fault injection (stub)."""
from __future__ import annotations


class FaultPlan:
    def __init__(self, *a, **k) -> None:
        pass
