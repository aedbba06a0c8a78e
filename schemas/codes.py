"""Code lists of the common schemas (CONTRACT §1–2): the one place they are written."""

OPERATORS: dict[str, str] = {
    "FT": "France Travail",
    "ML": "Missions locales",
    "CE": "Cap emploi",
    "APEC": "Apec",
    "CD": "Conseils départementaux",
}

EXTRACTS: tuple[str, ...] = (
    "registrations",
    "diagnostics",
    "pathways",
    "hires",
    "actions",
    "job_offers",
    "satisfaction",
)
# Each extract's description, in French: its name, a colon, what it holds.
DESCRIPTIONS: dict[str, str] = {
    "registrations": "Inscriptions : photographie des inscriptions ouvertes dans le mois",
    "diagnostics": "Diagnostics : événements datés du mois",
    "pathways": "Parcours d'accompagnement : photographie des parcours ouverts dans le mois",
    "hires": "Embauches : retours à l'emploi datés du mois",
    "actions": "Actions : entrées en formation et immersions datées du mois",
    "job_offers": "Offres d'emploi : photographie des offres ouvertes dans le mois",
    "satisfaction": "Satisfaction : réponses aux enquêtes datées du mois",
}
SNAPSHOT_EXTRACTS: frozenset[str] = frozenset({"registrations", "pathways", "job_offers"})
# Who delivers what (the contract names no other sender of job offers): offers, and with them
# employer answers, come from the operators that collect offers, France Travail and Apec;
# every operator delivers the six other extracts each month (a header-only event file when
# nothing happened). Delivery coverage expects exactly these; the generator writes them.
OFFER_OPERATORS: tuple[str, ...] = ("FT", "APEC")
EXPECTED_EXTRACTS: dict[str, tuple[str, ...]] = {
    op: tuple(e for e in EXTRACTS if e != "job_offers" or op in OFFER_OPERATORS)
    for op in OPERATORS
}

EXIT_REASONS = ("EMPLOI", "FORMATION", "NON_RENOUVELLEMENT", "RADIATION", "ARRET_RECHERCHE",
                "DEMENAGEMENT", "AUTRE")
SEXES = ("F", "M")
EDUCATION_LEVELS = tuple(str(i) for i in range(1, 9))
CATEGORIES = ("A", "B", "C", "D", "E", "F", "G")
ORIENTATIONS = ("PRO", "SOCIO_PRO", "SOCIAL")
PATHWAY_TYPES = ("SUIVI", "GUIDE", "RENFORCE", "GLOBAL", "INTENSIF", "SOCIAL", "CEJ")
INTENSIVE_PATHWAY_TYPES = ("RENFORCE", "GLOBAL", "INTENSIF", "CEJ")
CONTRACT_TYPES = ("CDI", "CDD", "CTT", "ALTERNANCE", "IAE", "CREATION", "AUTRE")
CONTRACTS_NEEDING_MONTHS = ("CDD", "CTT", "ALTERNANCE", "IAE")
ACTION_TYPES = ("FORMATION", "IMMERSION")
CLOSING_REASONS = ("POURVUE", "ANNULEE", "EXPIREE", "AUTRE")
RESPONDENT_TYPES = ("PERSON", "EMPLOYER")
ALLOWANCES = ("are", "ass", "rsa", "aah", "cej")

# Column names that hold a direct identifier: such a column rejects the whole delivery.
DIRECT_IDENTIFIER_COLUMNS = frozenset({
    "nom", "nom_naissance", "nom_usage", "nom_de_famille", "prenom", "prenoms", "prénom",
    "prénoms", "email", "e_mail", "mail", "courriel", "adresse_mail", "telephone", "téléphone",
    "tel", "tél", "portable", "mobile", "adresse", "adresse_postale", "rue", "date_naissance",
    "date_de_naissance", "datenaissance", "naissance", "last_name", "first_name", "name",
    "phone", "address", "birth_date", "date_of_birth",
})
# Close variants (CONTRACT §1): a column whose name, folded (accents off, lower case, split
# into words on anything but letters and digits), holds one of these words anywhere
# (`num_telephone`, `portable_perso`, `mail_pro`, `date_naiss`, `telephone2`), one of these
# pairs of words, or one of the glued forms inside a word (`nomusage`, `datenaissance`).
# No contract column contains any of them (tests check every schema's columns).
DIRECT_IDENTIFIER_WORDS = frozenset({
    "nom", "noms", "prenom", "prenoms", "name", "names", "firstname", "lastname", "surname",
    "fullname", "email", "mail", "courriel", "mel", "telephone", "tel", "phone", "portable",
    "mobile", "gsm", "adresse", "address", "rue", "naissance", "naiss", "birthdate",
    "birthday", "dob", "ddn", "nir",
})
DIRECT_IDENTIFIER_PAIRS = frozenset({("e", "mail"), ("birth", "date"), ("of", "birth"),
                                     ("date", "birth")})
DIRECT_IDENTIFIER_GLUED = ("prenom", "telephone", "courriel", "email", "adresse", "datenaiss",
                           "datedenaiss", "nomusage", "nomnaiss", "nomfamille", "nomdefamille")
