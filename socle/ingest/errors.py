"""The one exception that rejects a whole delivery."""

from __future__ import annotations


class Rejected(Exception):
    """A delivery-level failure: nothing of the delivery loads; the message names file and rule.

    `rule` is a short code (`missing_column`, `direct_identifier`, ...) used in reports;
    `rows_read` is known when the file could be read before the failure. `environment`: the
    cause lies in the pipeline's environment (no pseudonymisation key, a file it may not
    read), not in the files: the same files must be tried again on the next run, not
    remembered as rejected.
    """

    def __init__(self, message: str, *, rule: str, rows_read: int = 0,
                 environment: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.rows_read = rows_read
        self.environment = environment
