"""Ingestion: landing files → validated `staging.<extract>`, `quarantine.<extract>`, audit.

Every delivery goes through the same steps: discover → read (format, encoding, separator)
→ header rules (may reject the delivery) → parse and pseudonymise → pandera rules (row
reasons) → duplicates → load atomically (replacing the slice) and audit. Publication, to
analysts and committees, comes later (socle/publish/).
"""

from socle.ingest.audit import accounting_errors
from socle.ingest.discover import Delivery, discover_deliveries
from socle.ingest.errors import Rejected
from socle.ingest.load import DeliveryResult, FileResult, ingest_delivery, ingest_landing
from socle.ingest.validate import ValidationReport, validate_file

__all__ = [
    "Delivery",
    "DeliveryResult",
    "FileResult",
    "Rejected",
    "ValidationReport",
    "accounting_errors",
    "discover_deliveries",
    "ingest_delivery",
    "ingest_landing",
    "validate_file",
]
