"""Search occupations by code, title or alternate title, fast enough for suggest-as-you-type.

Matches are ranked by where the query matched (code, occupation title, then O*NET's alternate
and reported titles) and how (exact, or every query word beginning a word); ties go to the
occupation with more workers. A title query with fewer literal matches than asked for is
completed by the job-title coder, which tolerates typos and synonyms (a code query is not).
"""

from __future__ import annotations

import bisect
import re

import duckdb
import numpy as np

from laborlens.exceptions import SearchQueryError

MAX_QUERY_CHARS = 200
SIMILAR_MAX = 5  # suggestions from the title coder when too few titles match literally
SIMILAR_RATIO = 0.7  # ... each at least this fraction as probable as the coder's best
_CODE = re.compile(r"^\d{2}-?\d{0,4}(\.\d{0,2})?$")
_WORD = re.compile(r"[a-z0-9]+")
# (exact, every query word begins a word): an occupation's own title beats its alternates
_RANKS = {"title": (90.0, 70.0), "alternate": (60.0, 45.0)}


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


class OccupationSearch:
    """In-memory index over the ``occupations``, alternate and reported title tables.

    Each query word must begin a word of the matched title ("soft dev" finds "Software
    Developers"; "rn" finds "RN Educator" but not "Government"). Words are looked up in a
    sorted vocabulary, so a query costs a few set intersections, not a scan.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        occ = con.execute(
            """
            SELECT o.onet_soc_code, o.title, coalesce(f.employment, 0) AS employment
            FROM occupations o LEFT JOIN career_facts f USING (onet_soc_code)
            ORDER BY o.onet_soc_code
            """
        ).fetchall()
        self.codes = [r[0] for r in occ]
        self.titles = [r[1] for r in occ]
        self.employment = np.array([r[2] for r in occ], dtype=float)
        position = {c: i for i, c in enumerate(self.codes)}
        alts = con.execute(
            """
            SELECT onet_soc_code, alternate_title FROM onet_alternate_titles
            UNION
            SELECT onet_soc_code, reported_title FROM onet_reported_titles
            ORDER BY 1, 2
            """
        ).fetchall()
        entries = [(i, "title", t) for i, t in enumerate(self.titles)]
        entries += [(position[c], "alternate", t) for c, t in alts if c in position and t]
        self._occ = np.array([e[0] for e in entries], dtype=np.int32)
        self._kind = [e[1] for e in entries]
        self._text = [e[2] for e in entries]
        self._folded = [_fold(e[2]) for e in entries]
        postings: dict[str, list[int]] = {}
        for k, f in enumerate(self._folded):
            for w in set(f.split()):
                postings.setdefault(w, []).append(k)
        self._vocab = sorted(postings)
        self._postings = [np.array(postings[w], dtype=np.int32) for w in self._vocab]
        self._coder = None

    def attach_coder(self, coder) -> None:
        """Use a :class:`~laborlens.titles.coder.TitleCoder` for queries with no literal match."""
        self._coder = coder

    def _entries_with_prefix(self, word: str) -> np.ndarray:
        lo = bisect.bisect_left(self._vocab, word)
        hi = bisect.bisect_left(self._vocab, word + "\uffff")
        if lo == hi:
            return np.zeros(0, dtype=np.int32)
        return np.unique(np.concatenate(self._postings[lo:hi]))

    def search(self, text: str, limit: int = 10) -> list[dict]:
        """Best matches first: onet_soc_code, title, matched (the text that matched), match
        (``code``, ``title``, ``alternate`` or ``similar``) and score."""
        q = (text or "").strip()
        if not q:
            msg = "the search text is empty; give part of a title or an O*NET-SOC code"
            raise SearchQueryError(msg)
        if len(q) > MAX_QUERY_CHARS:
            msg = f"the search text has {len(q)} characters; at most {MAX_QUERY_CHARS} allowed"
            raise SearchQueryError(msg)
        best: dict[int, tuple[float, str, str]] = {}
        is_code = bool(_CODE.match(q))
        if is_code:
            digits = q.replace("-", "")
            for i, c in enumerate(self.codes):
                if c.replace("-", "").startswith(digits):
                    best[i] = (100.0, "code", c)
        folded = _fold(q)
        words = folded.split()
        if words:
            hits = self._entries_with_prefix(words[0])
            for w in words[1:]:
                hits = np.intersect1d(hits, self._entries_with_prefix(w), assume_unique=True)
            for k in hits.tolist():
                i, kind = int(self._occ[k]), self._kind[k]
                score = _RANKS[kind][0 if self._folded[k] == folded else 1]
                if i not in best or score > best[i][0]:
                    best[i] = (score, kind, self._text[k])
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -self.employment[kv[0]]))
        out = [
            {
                "onet_soc_code": self.codes[i],
                "title": self.titles[i],
                "matched": raw,
                "match": kind,
                "score": score,
            }
            for i, (score, kind, raw) in ranked[:limit]
        ]
        # a code has no similar titles: the coder would offer frequent unrelated occupations
        if len(out) < limit and self._coder is not None and words and not is_code:
            seen = {o["onet_soc_code"] for o in out}
            # the coder ranks typos well even where its calibrated probability is low
            coded = self._coder.code_one(q, top=min(limit, SIMILAR_MAX))
            coded = coded.dropna(subset=["onet_soc_code"])
            floor = SIMILAR_RATIO * float(coded["probability"].max()) if len(coded) else 0.0
            for row in coded.itertuples():
                if row.onet_soc_code in seen or len(out) >= limit or row.probability < floor:
                    continue
                out.append(
                    {
                        "onet_soc_code": row.onet_soc_code,
                        "title": row.occupation_title,
                        "matched": q,
                        "match": "similar",
                        "score": round(float(row.probability) * 30, 3),
                    }
                )
        return out
