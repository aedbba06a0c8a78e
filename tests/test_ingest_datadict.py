"""The committed data dictionary is exactly what the schemas generate."""

from socle.datadict import OUTPUT, render


def test_committed_dictionary_is_generated() -> None:
    assert OUTPUT.read_text(encoding="utf-8") == render(), (
        "docs/data-dictionary.md is stale: run `python -m socle.datadict`"
    )


def test_dictionary_lists_every_column_and_rule() -> None:
    text = render()
    assert "| `contract_months` | entier / int | non / no | Durée du contrat (mois) |" in text
    assert "`category:required_for_FT` (France Travail)" in text
    assert "`CDI`, `CDD`, `CTT`, `ALTERNANCE`, `IAE`, `CREATION`, `AUTRE`" in text
    assert "`Y`/`N`" in text
