"""Posting titles as scraped: noise out, leadership and supervision read off.

Job-board titles carry hiring-event dates, sign-on bonuses, pay ranges, requisition numbers,
schedules and employer names. :func:`clean_title` removes what can be recognised without a list
of employers (the title coder's normaliser does the rest: seniority, shifts, states, acronyms).
:func:`title_role` says whether the title names a leader of a field ("vp of engineering",
"director of nursing", "head of growth", "chief information officer") or a first-line
supervisor ("foreman", "shift supervisor"); the posting coder then adds the managerial reading
of the field as a candidate and uses the role as evidence with a fitted weight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Phrases removed before the title coder sees the title (all lower case).
_NOISE = [
    r"\bhiring event\b(?:\s+on)?(?:\s+\d{1,2}\s*[/ -]\s*\d{1,2}(?:\s*[/ -]\s*\d{2,4})?)?",
    r"\b(?:open house|job fair|walk[- ]?in interviews?|interviews? on the spot)\b",
    r"\b(?:now hiring|we are hiring|hiring now|hiring immediately|immediate (?:start|hire))\b",
    r"\b\$?\d+(?:\.\d+)?\s*k?\s*(?:sign(?:ing)?[- ]?on|retention|hiring|referral)\s*bonus\b",
    r"\b(?:sign(?:ing)?[- ]?on|retention|hiring|referral|quarterly|annual)\s*bonus\b",
    r"\b(?:plus|\+)?\s*(?:bonus|commission|tips|ote|equity|benefits|per diem)\b",
    r"\bup to\b",
    r"\$?\d+(?:[.,]\d+)?\s*k\b(?:\s*(?:-|to)?\s*\$?\d+(?:[.,]\d+)?\s*k\b)?",
    r"\$\s?\d[\d,.]*(?:\s*(?:-|to)\s*\$?\s?\d[\d,.]*)?(?:\s*(?:/|per|an|a)\s*(?:hr|hour|year|yr))?",
    r"\b\d{1,3}(?:\.\d{2})?\s+\d{1,3}(?:\.\d{2})?\s+(?:hr|hour|an hour)\b",
    r"\b\d{1,3}(?:\.\d{2})?\s*(?:/\s*)?(?:hr|hour|an hour|per hour)\b",
    r"\b(?:req(?:uisition)?|job|posting)\s*(?:id|no|number|#)?\s*[:#]?\s*[a-z]*-?\d{3,}\b",
    r"#\s*[a-z]*-?\d+\b",
    r"\b\d{4,}\b",
    r"\b(?:m|mon|monday)\s*(?:-|to)?\s*(?:f|fri|friday)\b",
    r"\b\d{1,2}\s*(?:am|pm)\s*(?:-|to)?\s*\d{1,2}\s*(?:am|pm)\b",
    r"\b(?:full|part)[- ]?time\b",
    r"\b(?:weekly|daily|same day|instant) pay\b",
    r"\b(?:all|rotating|day|night|evening|weekend|overnight)\s+shifts?\b",
    r"\b\d+\s*x\s*\d+s?\b|\b(?:3|4)\s+12s\b|\b12s\b",
    r"\b(?:work from home|wfh|remote us|remote usa|us remote|anywhere in the us)\b",
    r"\b(?:paid training|no experience(?: needed| required)?|entry level)\b",
    r"\b(?:w2 only|no c2c|contract to hire|c2h)\b",
]
_NOISE_RE = re.compile("|".join(f"(?:{p})" for p in _NOISE))
# Leaders of a field: the occupation is the field's manager, not an assistant or a specialist.
_LEADER_RE = re.compile(
    r"\b(?:s?e?vp|avp|vice president|vice pres|v p|director|dir|head|chief|c[a-z]o|"
    r"general manager|gm|president|executive director|managing director)\b"
)
_SUPERVISOR_RE = re.compile(
    r"\b(?:supervisor|foreman|forewoman|foreperson|crew leader|crew lead|shift lead|"
    r"team lead|lead hand|superintendent)\b"
)
_MANAGER_RE = re.compile(r"\b(?:manager|mgr|administrator|principal)\b")
# Leadership words that do not name the field: removed to find it ("vp of engineering" →
# "engineering").
_LEADER_WORDS = re.compile(
    r"\b(?:s?e?vp|avp|vice|president|pres|v p|director|dir|head|chief|of|the|for|and|"
    r"global|executive|senior|sr|associate|assistant|deputy|regional|national|area|group|"
    r"managing|general|manager|gm|officer)\b"
)
_ASSISTANT_RE = re.compile(r"\b(?:assistant|secretary|coordinator|admin|administrative)\b")
_C_LEVEL = {
    "ceo": "chief executive",
    "cfo": "financial",
    "coo": "operations",
    "cto": "technology",
    "cio": "information technology",
    "cmo": "marketing",
    "cno": "nursing",
    "chro": "human resources",
    "cpo": "product",
    "ciso": "information security",
    "cso": "security",
}


@dataclass(frozen=True)
class TitleRole:
    """What a posting title says about the job's level."""

    leader: bool  # leads a field (director, VP, head, chief, manager)
    supervisor: bool  # first-line supervisor of workers
    field: str  # the field led ("engineering"), "" when none


def clean_title(title: str) -> str:
    """The posting title without hiring-event dates, bonuses, pay, requisition numbers,
    schedules and similar noise (lower case; the title coder normalises further)."""
    text = str(title or "").lower()
    text = re.sub(r"[|•·–—]", " - ", text)
    text = _NOISE_RE.sub(" ", text)
    text = re.sub(r"\(\s*[-,/ ]*\s*\)", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" -,/|")
    return text


def title_role(title: str) -> TitleRole:
    """Leader / supervisor reading of a (cleaned) posting title."""
    text = re.sub(r"[^a-z0-9 ]+", " ", str(title or "").lower())
    field = ""
    for acronym, name in _C_LEVEL.items():
        if re.search(rf"\b{acronym}\b", text):
            field = name
            break
    leader = bool(_LEADER_RE.search(text)) or bool(field)
    manager = bool(_MANAGER_RE.search(text))
    assistant = bool(_ASSISTANT_RE.search(text)) and not re.search(
        r"\bassistant (?:director|manager|vice president|vp|principal|superintendent)\b", text
    )
    if leader and not assistant:
        rest = _LEADER_WORDS.sub(" ", text)
        rest = re.sub(r"\b(?:c[a-z]o|of)\b", " ", rest)
        field = field or re.sub(r"\s+", " ", rest).strip()
    supervisor = (bool(_SUPERVISOR_RE.search(text)) and not leader) or bool(
        re.search(r"\bassistant (?:store |shift |restaurant |department )?manager\b", text)
    )
    return TitleRole(
        leader=(leader or manager) and not assistant and not supervisor,
        supervisor=supervisor,
        field=field if leader and not assistant else "",
    )
