"""The vocabulary (sql/indicators/vocabulary.toml) is checked when read, and what derives
from it agrees with it."""

from __future__ import annotations

import pytest

from socle.export.french import BREAKDOWNS_FR
from socle.indicators.catalog import BREAKDOWNS, UNITS
from socle.indicators.sqlgen import FACT_COLUMNS, OWN_SET_COLUMNS
from socle.indicators.vocabulary import VocabularyError, _breakdown, vocabulary


def test_an_entry_missing_its_words_or_with_an_unknown_source_is_refused():
    with pytest.raises(VocabularyError, match=r"breakdown nationality: missing label_fr"):
        _breakdown({"name": "nationality", "export": "nationalite",
                    "definition_fr": "nationalité", "source": "registration"})
    with pytest.raises(VocabularyError, match=r"source 'person' not in"):
        _breakdown({"name": "x", "export": "x", "label_fr": "X", "definition_fr": "x",
                    "source": "person"})
    with pytest.raises(VocabularyError, match=r"no code list NOPE"):
        _breakdown({"name": "x", "export": "x", "label_fr": "X", "definition_fr": "x",
                    "source": "unit", "modalities_from": "NOPE"})


def test_a_list_breakdown_is_a_list_column_by_default():
    b = _breakdown({"name": "x", "export": "x", "label_fr": "X", "definition_fr": "x",
                    "source": "unit", "many": True})
    assert b.sql_type == "VARCHAR[]"


def test_the_engine_catalog_and_exports_name_the_same_breakdowns():
    words = vocabulary()
    assert words.names == BREAKDOWNS
    assert set(words.names) <= set(FACT_COLUMNS)
    assert set(OWN_SET_COLUMNS) | set(words.profile) == set(words.names)
    assert words.profile[0] == "operator"
    assert set(BREAKDOWNS_FR) == {"total", *(b.name for b in words.breakdowns)}
    assert set(UNITS) == {"persons", "pathways", "rate", "days"}
