"""Task statements from posting text with or without punctuation and bullets.

Scraped postings arrive lower-cased, without punctuation or line breaks: "prepare journal entries
and account reconciliations assist with month end close prepare fixed asset schedules
requirements bachelors in accounting". :class:`Segmenter` cuts such text into task-like spans:

1. lines, bullets and sentences first (where the text has them);
2. then verb-led clauses: a new span starts at a word that begins O*NET task statements far more
   often than it appears inside them ("prepare", "assist", "monitor"; their -s/-ing forms too),
   unless it follows "to" (purpose: "to decide where to invest") or would leave a fragment;
3. requirement, benefit, pay and boilerplate phrases ("requirements", "years of experience",
   "we offer", "401k", "equal opportunity") end a span; spans that start with them, or that are
   shorter than 3 or longer than 40 words without a verb start, are dropped; long spans are cut
   into windows;
4. a span is kept when it starts with a task verb, or when its TF-IDF cosine with the nearest
   O*NET task statement of the posting's occupations is at least ``min_similarity``.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

import numpy as np

MIN_WORDS, MAX_WORDS, WINDOW = 3, 40, 20
# a line or sentence of at most this many words is kept whole: text with bullets or punctuation
# has already been cut into statements ("assess, plan, implement and evaluate nursing care" is
# one task); longer pieces (scraped text without punctuation) are cut at verbs
SHORT_PIECE = 24
# words after which a verb does not start a new task ("to decide", "will be", "the report")
_NO_SPLIT_AFTER = frozenset(
    re.findall(
        r"\w+",
        "to the a an of for our your their its this that these those be being been is are was "
        "were has have had do does not no on in at by from with as",
    )
)
_BOILERPLATE = re.compile(
    r"\b(?:requirements?|qualifications?|required|preferred|must have|must be|must pass|"
    r"you have|you bring|what you bring|what we offer|we offer|benefits?|perks|"
    r"\d+\s*\+?\s*(?:-\s*\d+\s*)?years?|years? of|experience (?:with|in) |"
    r"bachelor'?s?|masters?|degree|diploma|ged|certification|certified|license|licensure|"
    r"salary|compensation|pay|per hour|hourly|bonus|commission|401\s*\(?k\)?|pto|paid time off|"
    r"medical dental|dental|vision insurance|health insurance|tuition|discount|"
    r"equal opportunity|eoe|affirmative action|background check|drug screen|"
    r"apply|about us|who we are|join our team|our company|our team|we are (?:a|an|the|hiring)|"
    r"(?:work |your )?schedule(?: is|:)|shifts? (?:available|differential)|"
    r"full time|part time|\d+ hours|hours per week|travel up to|sign on|"
    r"(?:is|are) (?:a|an|the|one of)|we re|we have been|(?:we are |were )?looking for|"
    r"experience|(?:one|two|three|four|five|six|seven|eight|ten)\s*\+?\s*(?:or more )?years)\b"
)
_LEADING_NOISE = re.compile(
    r"^(?:(?:and|or|also|then|will|you will|you ll|youll|we need you to|responsible for|"
    r"responsibilities include|duties include|duties|responsibilities|job duties|"
    r"what you will do|what you ll do|in this role you will|the \w+ will|as a \w+ you will)\s+)+"
)
_TRAILING_NOISE = re.compile(
    r"(?:\s+(?:and|or|you|you will|will|we|to|the|a|an|of|with|for|as|in|our|is|are))+$"
)
_SPLIT_RE = re.compile(r"(?<=[.!?;])\s+|\s+[•·▪◦]\s+|\s+-\s+(?=[a-zA-Z])")
_BULLET_RE = re.compile(r"^\s*(?:[-*•·▪◦]|\d+[.)])\s*")
_WORD_RE = re.compile(r"[a-z0-9][a-z0-9'+#/&-]*")


def task_verbs(tasks: list[str], min_count: int = 3, min_share: float = 0.3) -> frozenset[str]:
    """Words that begin O*NET task statements (≥ ``min_count`` times and in ≥ ``min_share`` of
    their occurrences), with their -s, -es and -ing forms."""
    first, every = Counter(), Counter()
    for t in tasks:
        words = _WORD_RE.findall(t.lower())
        if words:
            first[words[0]] += 1
            every.update(words)
    base = {w for w, c in first.items() if c >= min_count and c / every[w] >= min_share}
    forms = set(base)
    for w in base:
        stem = w[:-1] if w.endswith("e") and not w.endswith("ee") else w
        inflected = [
            w + "es" if w.endswith(("s", "sh", "ch", "x", "z")) else w + "s",
            stem + "ing",
        ]
        if w.endswith("y") and len(w) > 3:
            inflected.append(w[:-1] + "ies")
        # "reports", "schedules", "training": inside task statements these are nouns
        forms.update(f for f in inflected if every[f] < min_count)
    return frozenset(forms)


class Segmenter:
    """Cut posting text into task-like statements (see the module docstring)."""

    def __init__(self, verbs: frozenset[str]) -> None:
        self.verbs = verbs

    def spans(self, text: str) -> list[str]:
        """Candidate spans (before the O*NET similarity check), in order, de-duplicated."""
        out: list[str] = []
        for line in text.splitlines():
            line = _BULLET_RE.sub("", line).strip()
            if not line or line.endswith(":"):
                continue
            for piece in _SPLIT_RE.split(line):
                out.extend(self._clauses(piece))
        return list(dict.fromkeys(out))

    def _clauses(self, piece: str) -> list[str]:
        words = _WORD_RE.findall(piece.lower())
        if not words:
            return []
        # verb-led cut points; a short piece (a bullet, a sentence) is one statement already
        starts = [0]
        for i in range(1 if len(words) > SHORT_PIECE else len(words), len(words)):
            w, prev = words[i], words[i - 1]
            if w not in self.verbs or prev in _NO_SPLIT_AFTER:
                continue
            if prev in ("and", "or") and i - starts[-1] < 4:
                continue  # "cut and assemble lumber": one task
            if i - starts[-1] < 2:
                continue
            starts.append(i)
        starts.append(len(words))
        # "inspect damaged property and write estimates": a short clause after "and" / "or"
        # stays with the task before it
        merged = [starts[0]]
        for a, b in itertools.pairwise(starts):
            if a and b - a < MIN_WORDS and words[a - 1] in ("and", "or"):
                continue
            if a:
                merged.append(a)
        starts = [*merged, len(words)]
        spans = []
        for a, b in itertools.pairwise(starts):
            span = " ".join(words[a:b])
            m = _BOILERPLATE.search(span)
            if m:
                span = span[: m.start()]
            span = _LEADING_NOISE.sub("", span.strip())
            span = _TRAILING_NOISE.sub("", span).strip()
            n = len(span.split())
            if n < MIN_WORDS:
                continue
            if n > MAX_WORDS:
                ws = span.split()
                spans.extend(" ".join(ws[k : k + WINDOW]) for k in range(0, n, WINDOW // 2)
                             if len(ws[k : k + WINDOW]) >= MIN_WORDS)
                continue
            spans.append(span)
        return spans

    def starts_with_verb(self, span: str) -> bool:
        first = span.split(" ", 1)[0]
        return first in self.verbs


def select(
    spans: list[str],
    verb_led: list[bool],
    similarity: np.ndarray,
    min_similarity: float,
    verb_min_similarity: float | None = None,
) -> list[int]:
    """Indices of the spans kept: verb-led with some O*NET support (cosine at least
    ``verb_min_similarity``, default half of ``min_similarity``), or similar enough."""
    verb_min = min_similarity / 2 if verb_min_similarity is None else verb_min_similarity
    keep = []
    for i, (v, s) in enumerate(zip(verb_led, similarity, strict=True)):
        if (v and s >= verb_min) or s >= min_similarity:
            keep.append(i)
    return keep



def restore(spans: list[str], text: str) -> list[str]:
    """``spans`` (lower-case words of ``text``, as :meth:`Segmenter.spans` gives them) as
    written in ``text``: case and the punctuation between their words kept ("Administer
    medications, intravenous fluids"). A span not found as consecutive words of the text is
    returned as it is."""
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer: offsets would shift
        return list(spans)
    tokens = [(m.group(0), m.start(), m.end()) for m in _WORD_RE.finditer(low)]
    where: dict[str, list[int]] = {}
    for k, (word, _, _) in enumerate(tokens):
        where.setdefault(word, []).append(k)
    out = []
    for span in spans:
        words = span.split()
        found = span
        for k in where.get(words[0], []) if words else []:
            if k + len(words) <= len(tokens) and all(
                tokens[k + n][0] == w for n, w in enumerate(words)
            ):
                found = text[tokens[k][1] : tokens[k + len(words) - 1][2]]
                break
        out.append(found)
    return out
