"""Write-audit-publish: the working database is published as a snapshot, with its exports,
only once the checks pass."""

from socle.publish.checks import CheckResult, PublicationRefused, run_checks
from socle.publish.release import Publication, publish, release_exports

__all__ = ["CheckResult", "Publication", "PublicationRefused", "publish", "release_exports",
           "run_checks"]
