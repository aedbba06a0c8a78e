"""The one exception that rejects a whole delivery."""

from __future__ import annotations


class Rejected(Exception):
    """A delivery-level failure: nothing of the delivery loads; the message names file and rule.

    `rule` is a short code (`missing_column`, `direct_identifier`, ...) used in reports;
    `rows_read` is known when the file could be read before the failure.
    """

    def __init__(self, message: str, *, rule: str, rows_read: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.rows_read = rows_read
