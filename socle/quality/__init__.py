"""The data-quality report (`socle quality`, optional extra `quality`): Great Expectations
suites over the published snapshot, with Data Docs that read offline in `data/quality/`.

Importing this package does not import Great Expectations: `build_quality_report` does,
and raises `GreatExpectationsMissing` (saying how to install it) when it is absent.
"""

from socle.quality.report import (
    Failure,
    GreatExpectationsMissing,
    QualityReport,
    SuiteResult,
    build_quality_report,
)

__all__ = ["Failure", "GreatExpectationsMissing", "QualityReport", "SuiteResult",
           "build_quality_report"]
