"""The national shape the synthetic data reproduces, in one place.

Every rate below is a modelling choice, picked so that the published indicators land
near the orders of magnitude of the real network (France Travail statistics,
DARES, Apec and CEJ reports). The tests check the generated data against the
targets quoted in the comments, so changing a number here is a visible decision.
"""

from __future__ import annotations

DAYS_PER_MONTH = 30.44

# Person segments: who follows the person. Pairs (~15 %) are the multi-operator cases
# of CONTRACT §1: CEJ youth (ML + FT), RSA beneficiaries (CD + FT), disabled people
# (CE + FT), executives (APEC + FT).
# name: (share of persons, base operator, partner operator or None, monthly exit hazard)
SEGMENTS: dict[str, tuple[float, str, str | None, float]] = {
    "FT_ONLY": (0.780, "FT", None, 0.060),
    "CEJ_YOUTH": (0.055, "FT", "ML", 0.090),
    "RSA": (0.050, "FT", "CD", 0.035),
    "DISABLED": (0.030, "FT", "CE", 0.045),
    "EXECUTIVE": (0.015, "FT", "APEC", 0.080),
    "ML_ONLY": (0.030, "ML", None, 0.090),
    "CD_ONLY": (0.020, "CD", None, 0.035),
    "CE_ONLY": (0.010, "CE", None, 0.045),
    "APEC_ONLY": (0.010, "APEC", None, 0.080),
}
PARTNER_LAG_DAYS = 30  # a partner operator registers the person 0–30 days after FT

# Stock at the first month vs entrants: chosen so that inflows roughly balance exits.
REREGISTRATION_SHARE = 0.30  # of exits (moves excepted) re-register later in the window
REREGISTRATION_GAP_DAYS = 75.0  # mean gap before re-registering
MOVE_SHARE = 0.85  # of DEMENAGEMENT exits open a new spell the same day in another commune
MAX_SPELLS_PER_PERSON = 3

# Exit reasons (shares of exits): declared return to work, training, failure to renew, ...
EXIT_REASON_SHARES: dict[str, float] = {
    "EMPLOI": 0.24,
    "FORMATION": 0.13,
    "NON_RENOUVELLEMENT": 0.36,
    "RADIATION": 0.10,
    "ARRET_RECHERCHE": 0.08,
    "DEMENAGEMENT": 0.03,
    "AUTRE": 0.06,
}

# FT category of a spell; F (social pathway) and G (awaiting orientation) exist since 2025.
CATEGORY_SHARES: dict[str, float] = {
    "A": 0.52, "B": 0.10, "C": 0.18, "D": 0.06, "E": 0.07, "F": 0.04, "G": 0.03,
}
CATEGORIES_SINCE_2025 = ("F", "G")

# Person attributes.
FEMALE_SHARE = 0.50
EDUCATION_SHARES = (0.04, 0.06, 0.27, 0.25, 0.16, 0.12, 0.08, 0.02)  # levels 1..8
EDUCATION_MISSING = 0.06
QPV_SHARE = 0.10
ARE_SHARE = 0.42
ASS_SHARE = 0.03

# Diagnostic: most within weeks of registration, some never (target: ~90 % diagnosed).
DIAGNOSED_SHARE = 0.90
DIAG_DELAY_MEDIAN_DAYS = 12.0
DIAG_DELAY_SIGMA = 1.0

# Pathways follow a diagnostic; intensive share of persons in a pathway: target ~25 %.
PATHWAY_AFTER_DIAG_SHARE = 0.85
PATHWAY_DELAY_MEAN_DAYS = 18.0
PATHWAY_MEAN_DAYS = 300.0
REORIENTATION_SHARE = 0.35  # of pathways ending before the spell's exit
PARTNER_IS_REFERENT = 0.75  # for pairs: the partner operator leads the pathway
PATHWAY_TYPE_SHARES: dict[str, dict[str, float]] = {
    "FT": {"SUIVI": 0.34, "GUIDE": 0.48, "RENFORCE": 0.13, "GLOBAL": 0.03, "INTENSIF": 0.02},
    "ML": {"CEJ": 0.80, "RENFORCE": 0.05, "SUIVI": 0.15},
    "CD": {"SOCIAL": 0.65, "GLOBAL": 0.35},
    "CE": {"RENFORCE": 0.45, "SUIVI": 0.35, "GUIDE": 0.20},
    "APEC": {"GUIDE": 0.50, "RENFORCE": 0.30, "SUIVI": 0.20},
}

# Hires: monthly return to work ~5 % of the stock; entrants find work faster (6-month
# access of entrants ~45–50 %), so the hire rate is higher in a spell's first 6 months.
HIRE_RATE_FIRST_6M = 0.11  # hires per month of registration, first 6 months
HIRE_RATE_AFTER_6M = 0.014
EMPLOI_EXIT_HIRE_DAYS = 7  # an EMPLOI exit comes with a hire 0–7 days before it
HIRE_BY_FT_FOR_PAIRS = 0.70  # DPAE matching is mostly delivered by FT
# Contract mix: durable (CDI, CREATION, >= 6 months) ~45 % of hires.
CONTRACT_SHARES: dict[str, float] = {
    "CDI": 0.28, "CDD": 0.40, "CTT": 0.18, "ALTERNANCE": 0.05, "IAE": 0.03,
    "CREATION": 0.04, "AUTRE": 0.02,
}
CONTRACT_MONTHS: dict[str, dict[int, float]] = {
    "CDD": {1: 0.30, 2: 0.15, 3: 0.20, 4: 0.10, 5: 0.115, 6: 0.07, 9: 0.025, 12: 0.03, 18: 0.01},
    "CTT": {0: 0.45, 1: 0.35, 2: 0.12, 3: 0.05, 6: 0.03},
    "ALTERNANCE": {6: 0.10, 12: 0.40, 24: 0.40, 36: 0.10},
    "IAE": {4: 0.30, 6: 0.30, 12: 0.20, 24: 0.20},
}

# Training and immersion starts: ~1.8 % of the stock a month.
ACTION_RATE = 0.018
FORMATION_SHARE = 0.65
FORMATION_DAYS = (20, 270)
IMMERSION_DAYS = (3, 30)

# Satisfaction surveys: score shares for 1..4 (satisfied = 3–4: ~70 % persons, ~74 % employers).
PERSON_SURVEY_RATE = 0.012  # answers per active person-month
PERSON_SCORE_SHARES = (0.09, 0.21, 0.46, 0.24)
EMPLOYER_SURVEY_SHARE = 0.12  # of closed offers, answered 0–20 days after closing
EMPLOYER_SCORE_SHARES = (0.07, 0.19, 0.48, 0.26)

# Job offers: ~250k posted a month nationally for ~6M persons; 83 % of closed offers filled.
OFFERS_PER_PERSON_MONTH = 0.042
OFFER_HISTORY_DAYS = 365  # offers posted up to a year before the first month
APEC_OFFER_SHARE = 0.05
EMPLOYERS_PER_PERSON = 1 / 25
CLOSING_REASON_SHARES: dict[str, float] = {
    "POURVUE": 0.83, "ANNULEE": 0.07, "EXPIREE": 0.08, "AUTRE": 0.02,
}
FILL_DELAY_MEDIAN_DAYS = 45.0
FILL_DELAY_SIGMA = 0.6
ROME_MISSING = 0.03
