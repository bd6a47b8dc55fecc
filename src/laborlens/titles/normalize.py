"""Job-title normalisation shared by the index and the queries.

Job-board titles carry words that say nothing about the occupation: seniority ("Sr.", "II",
"Lead"), schedule and shift ("Part-Time", "2nd shift", "PRN"), pay and location ("$25/hr",
"- Dallas, TX"), and trucking perks ("Home Weekly"). They also use acronyms (RN, CDL-A, FP&A).
:func:`normalize_title` lowercases, expands acronyms to the words O*NET titles use, and strips
the noise; the same function normalises the O*NET titles, so both sides meet in one vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Acronyms and abbreviations → the words O*NET titles use. Keys are lowercase tokens (after
# "&", "/" and "-" inside the acronym are removed: "fp&a" → "fpa", "cdl-a" → "cdla").
ACRONYMS: dict[str, str] = {
    # health care
    "rn": "registered nurse",
    "bsn": "registered nurse",
    "lpn": "licensed practical nurse",
    "lvn": "licensed vocational nurse",
    "cna": "certified nursing assistant",
    "stna": "nursing assistant",
    "hha": "home health aide",
    "np": "nurse practitioner",
    "aprn": "advanced practice registered nurse",
    "crna": "nurse anesthetist",
    "pac": "physician assistant",
    "emt": "emergency medical technician",
    "cma": "certified medical assistant",
    "rma": "registered medical assistant",
    "cpht": "pharmacy technician",
    "rph": "pharmacist",
    "pharmd": "pharmacist",
    "dpt": "physical therapist",
    "pta": "physical therapist assistant",
    "ota": "occupational therapy assistant",
    "cota": "occupational therapy assistant",
    "slp": "speech language pathologist",
    "rrt": "respiratory therapist",
    "md": "physician",
    "do": "physician",
    "dds": "dentist",
    "dmd": "dentist",
    "rdh": "dental hygienist",
    "lcsw": "licensed clinical social worker",
    "lmsw": "social worker",
    "msw": "social worker",
    "lpc": "licensed professional counselor",
    "lmhc": "mental health counselor",
    "mft": "marriage and family therapist",
    "lmft": "marriage and family therapist",
    "bcba": "behavior analyst",
    "rbt": "behavior technician",
    "icu": "intensive care unit critical care",
    "er": "emergency room",
    "ed": "emergency department",
    "or": "operating room",
    "ob": "obstetrics",
    "nicu": "neonatal intensive care critical care",
    "picu": "pediatric intensive care critical care",
    "ltc": "long term care",
    "snf": "skilled nursing facility",
    "medsurg": "medical surgical",
    # business and finance
    "cpa": "certified public accountant",
    "ap": "accounts payable",
    "ar": "accounts receivable",
    "gl": "general ledger",
    "hr": "human resources",
    "hrbp": "human resources business partner",
    "hris": "human resources information systems",
    "ceo": "chief executive officer",
    "cfo": "chief financial officer",
    "coo": "chief operating officer",
    "cto": "chief technology officer",
    "cio": "chief information officer",
    "cmo": "chief marketing officer",
    "vp": "vice president",
    "svp": "senior vice president",
    "evp": "executive vice president",
    "avp": "assistant vice president",
    "gm": "general manager",
    "pm": "project manager",
    "pmo": "project management office",
    "ea": "executive assistant",
    "csr": "customer service representative",
    "sdr": "sales development representative",
    "bdr": "business development representative",
    "bd": "business development",
    "ae": "account executive",
    "b2b": "business",
    "b2c": "consumer",
    # computing and engineering
    "it": "information technology",
    "qa": "quality assurance",
    "qc": "quality control",
    "swe": "software engineer",
    "sde": "software development engineer",
    "sre": "site reliability engineer",
    "dba": "database administrator",
    "sysadmin": "systems administrator",
    "devops": "development operations",
    "ui": "user interface",
    "ux": "user experience",
    "bi": "business intelligence",
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "cad": "computer aided design",
    "cnc": "computer numerical control",
    "hvac": "heating air conditioning",
    "hvacr": "heating air conditioning refrigeration",
    "ehs": "environmental health and safety",
    "plc": "programmable logic controller",
    # transport, trades, other
    "cdla": "tractor trailer truck driver",
    "cdlb": "truck driver",
    "cdl": "commercial truck driver",
    "otr": "over the road",
    "esl": "english as a second language",
    "sped": "special education",
    "k12": "school",
    "ta": "teaching assistant",
    "para": "paraprofessional",
}

# Acronyms written with "&".
AMPERSAND_ACRONYMS: dict[str, str] = {
    "fp&a": "financial planning and analysis",
    "a&p": "airframe and powerplant aircraft",
    "r&d": "research and development",
    "p&c": "property and casualty insurance",
    "m&a": "mergers and acquisitions",
    "l&d": "training and development",
    "ob/gyn": "obstetrics gynecology",
    "h&s": "health and safety",
    "f&b": "food and beverage",
}

# Abbreviated words (the whole token).
ABBREVIATIONS: dict[str, str] = {
    "sr": "senior",
    "snr": "senior",
    "jr": "junior",
    "mgr": "manager",
    "mngr": "manager",
    "dir": "director",
    "asst": "assistant",
    "assoc": "associate",
    "admin": "administrative",
    "exec": "executive",
    "eng": "engineer",
    "engr": "engineer",
    "tech": "technician",
    "techs": "technician",
    "rep": "representative",
    "reps": "representative",
    "coord": "coordinator",
    "spec": "specialist",
    "supv": "supervisor",
    "supvr": "supervisor",
    "dev": "developer",
    "acct": "account",
    "svc": "service",
    "svcs": "services",
    "mfg": "manufacturing",
    "maint": "maintenance",
    "ops": "operations",
    "mkt": "marketing",
    "mktg": "marketing",
    "prod": "production",
    "intl": "international",
    "med": "medical",
    "surg": "surgical",
}

# Words that never name an occupation: seniority, schedule, shift, contract, perks.
NOISE_WORDS = frozenset(
    [
        "senior",
        "junior",
        "lead",
        "sr",
        "jr",
        "i",
        "ii",
        "iii",
        "iv",
        "v",
        "vi",
        "1",
        "2",
        "3",
        "4",
        "5",
        "level",
        "tier",
        "grade",
        "entry",
        "experienced",
        "expert",
        "trainee",
        "apprentice",
        "journeyman",
        "journeymen",
        "part",
        "full",
        "time",
        "parttime",
        "fulltime",
        "ft",
        "pt",
        "prn",
        "per",
        "diem",
        "temp",
        "temporary",
        "contract",
        "contractor",
        "seasonal",
        "permanent",
        "perm",
        "hourly",
        "salaried",
        "remote",
        "hybrid",
        "onsite",
        "site",
        "virtual",
        "night",
        "nights",
        "day",
        "days",
        "evening",
        "evenings",
        "weekend",
        "weekends",
        "overnight",
        "overnights",
        "swing",
        "graveyard",
        "shift",
        "shifts",
        "1st",
        "2nd",
        "3rd",
        "4th",
        "first",
        "second",
        "third",
        "12hr",
        "8hr",
        "10hr",
        "hr",
        "hrs",
        "hour",
        "hours",
        "home",
        "weekly",
        "daily",
        "local",
        "regional",
        "otr",
        "over",
        "road",
        "dedicated",
        "bonus",
        "sign",
        "signon",
        "immediate",
        "immediately",
        "urgent",
        "urgently",
        "hiring",
        "now",
        "new",
        "grad",
        "graduate",
        "opportunity",
        "opportunities",
        "position",
        "job",
        "openings",
        "opening",
        "needed",
        "wanted",
    ]
)
SENIORITY = frozenset(["senior", "junior", "lead", "sr", "jr", "principal"])
# Keep "over the road" etc. out only as a phrase: these words alone can be occupational.
_PHRASES = [
    r"\b(?:sign[- ]?on|signing|retention) bonus\b",
    r"\bhome (?:weekly|daily|every \w+|most nights|weekends?)\b",
    r"\bover the road\b",
    r"\bper diem\b",
    r"\bwork from home\b",
    r"(?:up to |starting at )?\$\s?[\d,.]+k?(?:\s*(?:-|to)\s*\$?\s?[\d,.]+k?)?"
    r"(?:\s*(?:/|per|an|a)\s*(?:hr|hour|year|yr|week|wk|mile))?",
    r"\b\d+\s*(?:k|cpm)\b",
    r"\breq(?:uisition)?\s*#?\s*\d+\b",
    r"#\s*\d+",
    r"\b(?:day|night|evening|weekend|swing|rotating|overnight|graveyard)\s+shifts?\b",
    r"\b(?:1st|2nd|3rd|first|second|third)\s+shift\b",
    r"\b\d{1,2}\s*(?:hr|hour)s?\b",
]
_PHRASE_RE = re.compile("|".join(_PHRASES), re.IGNORECASE)
_US_STATES = frozenset(
    [
        "al",
        "ak",
        "az",
        "ar",
        "ca",
        "co",
        "ct",
        "de",
        "fl",
        "ga",
        "hi",
        "id",
        "il",
        "in",
        "ia",
        "ks",
        "ky",
        "la",
        "me",
        "md",
        "ma",
        "mi",
        "mn",
        "ms",
        "mo",
        "mt",
        "ne",
        "nv",
        "nh",
        "nj",
        "nm",
        "ny",
        "nc",
        "nd",
        "oh",
        "ok",
        "or",
        "pa",
        "ri",
        "sc",
        "sd",
        "tn",
        "tx",
        "ut",
        "vt",
        "va",
        "wa",
        "wv",
        "wi",
        "wy",
        "dc",
    ]
)
# ", Dallas, TX" / "in Austin TX" at the end of a title.
_LOCATION_RE = re.compile(
    r"(?:[-–|,@]|\bin\b)\s*[A-Z][A-Za-z.' ]{1,30},?\s+("
    + "|".join(s.upper() for s in sorted(_US_STATES))
    + r")\b\.?\s*$"
)
_ASSISTANT_TO_RE = re.compile(r"\b(?:personal |executive )?assistant to (?:the )?\w.*$")
_HEAD_OF_RE = re.compile(r"^head of (.+)$")
_DIRECTOR_OF_RE = re.compile(r"^(director|manager|vice president|supervisor|chief) of (.+)$")
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[&/'-][a-z0-9]+)*")


def _ascii(text: str) -> str:
    if text.isascii():  # nothing to decompose (the common case; saves a pass per character)
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def _expand(token: str, n_tokens: int) -> str:
    """One token → its expansion (acronym or abbreviation) or itself."""
    if "&" in token:
        return AMPERSAND_ACRONYMS.get(token, token.replace("&", " and "))
    key = re.sub(r"[/'-]", "", token)
    if key in ("pt", "ft") and n_tokens == 1:
        return "physical therapist" if key == "pt" else token
    if key in ACRONYMS:
        return ACRONYMS[key]
    if token in ABBREVIATIONS:
        return ABBREVIATIONS[token]
    if "-" in token or "/" in token:
        parts = re.split(r"[-/]", token)
        return " ".join(_expand(p, n_tokens) for p in parts if p)
    return token


@lru_cache(maxsize=65536)
def normalize_title(title: str, strip_noise: bool = True) -> str:
    """Lowercase, acronyms expanded, seniority/shift/schedule/location noise removed.

    O*NET's own titles are normalised with ``strip_noise=False``: there "Lead" or "Senior" can
    be part of the occupation ("Senior Pastor"). Returns "" for text with no occupational word
    (e.g. "Part-Time Night Shift").
    """
    text = _ascii(str(title)).strip()
    # "IT" in capitals is information technology; lowercase "it" is a pronoun.
    text = re.sub(r"\bIT\b", " information technology ", text)
    text = _LOCATION_RE.sub(" ", text)
    text = text.lower()
    text = _PHRASE_RE.sub(" ", text)
    # "and/or" is a conjunction, not "and" + the acronym OR (operating room)
    text = re.sub(r"\band\s*/\s*or\b", " and ", text)
    text = re.sub(r"\s+&\s+", " and ", text)  # "Food & Beverage"; "FP&A" stays a token
    text = re.sub(r"[()\[\]{},;:|!?*\"+•·–—]", " ", text)
    text = re.sub(r"\s-\s|\s-|-\s", " ", text)
    text = text.replace(".", " ")
    raw = _TOKEN_RE.findall(text)
    words: list[str] = []
    for tok in raw:
        words.extend(_expand(tok, len(raw)).split())
    words = [_singular(w[:-2] if w.endswith("'s") else w) for w in words]
    if strip_noise:
        kept = [w for w in words if w not in NOISE_WORDS]
        # A title made only of such words ("Principal", "Lead") keeps them.
        words = kept if kept or not any(w in SENIORITY for w in words) else words
    out = " ".join(words)
    out = _assistant_to(out)
    match = _HEAD_OF_RE.match(out)
    if match:
        out = f"{match.group(1)} director"
    match = _DIRECTOR_OF_RE.match(out)
    if match:
        out = f"{match.group(2)} {match.group(1)}"
    return re.sub(r"\s+", " ", out).strip()


def _singular(word: str) -> str:
    """Crude singular ("Cashiers" → "cashier"); applied to index and query alike, so an
    over-stemmed word ("economics" → "economic") still matches itself."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _assistant_to(text: str) -> str:
    """ "assistant to the CEO / director / president" is an executive assistant."""
    if _ASSISTANT_TO_RE.search(text):
        return _ASSISTANT_TO_RE.sub("executive assistant", text)
    return text


def head_noun(normalized: str) -> str:
    """Last word of a normalised title (the head noun in English titles); used for grouping."""
    words = normalized.split()
    return words[-1] if words else ""
