"""Classify every task statement between two O*NET releases: new, removed, revised, unchanged.

Task IDs are unique across an O*NET release (one ID, one occupation), so the first pass is by ID:

``unchanged``  the ID is in both releases with the same text (whitespace-trimmed);
``revised``    the ID is in both with different text (``revision_kind = 'same_id'``);
``removed``    the ID is only in the earlier release;
``new``        the ID is only in the later release.

O*NET sometimes retires an ID and issues a new one for what is the same statement reworded (or
unchanged). The second pass pairs such statements: within one O*NET-SOC 2019 occupation, a
removed and a new statement whose sentence embeddings (all-MiniLM-L6-v2, cosine) reach
:data:`SIMILAR_THRESHOLD` are paired greedily, most similar first, each statement at most once,
and become a revision: ``revision_kind = 'new_id_same_text'`` when the two wordings are
identical (whitespace aside; O*NET re-issued the statement under a new ID),
``'new_id_similar_text'`` otherwise. Comparing only within an occupation
keeps it fast (a few hundred products per occupation) and avoids pairing unrelated occupations'
boilerplate. ``id_status`` keeps the first-pass status, so counts by ID alone stay available.

A revision gives two rows: ``revised_old`` (earlier wording, earlier release) and
``revised_new`` (later wording), linked by ``matched_task_id``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

__all__ = ["SIMILAR_THRESHOLD", "STATUSES", "classify_change", "counts_by_status"]

#: Cosine similarity at or above which a removed and a new statement of the same occupation are
#: one statement reworded. Chosen on O*NET 20.1 -> 29.3 (docs/emerging.md): 0.85 keeps most
#: same-ID rewordings (their median similarity is about 0.93) while distinct statements of one
#: occupation rarely come that close.
SIMILAR_THRESHOLD = 0.85

STATUSES = ("new", "removed", "revised_old", "revised_new", "unchanged")

Embed = Callable[[list[str]], np.ndarray]

COLUMNS = [
    "comparison",
    "onet_soc_code",
    "task_id",
    "task",
    "status",
    "release",
    "id_status",
    "revision_kind",
    "matched_task_id",
    "similarity",
]


def _norm(text: pd.Series) -> pd.Series:
    return text.astype("string").str.split().str.join(" ")


def classify_change(
    old: pd.DataFrame,
    new: pd.DataFrame,
    *,
    old_release: str,
    new_release: str,
    embed: Embed | None = None,
    threshold: float = SIMILAR_THRESHOLD,
) -> pd.DataFrame:
    """One row per statement (two per revision) of the change from ``old`` to ``new``.

    ``old`` and ``new`` have onet_soc_code (O*NET-SOC 2019), task_id and task, one row per task
    ID. Without ``embed`` only identical texts under new IDs are paired. ``similarity`` is the
    cosine of the two wordings of a new-ID pair (1 for identical text; NaN for same-ID
    revisions, which are not embedded).

    Returns the columns :data:`COLUMNS`: comparison (``"20.1->29.3"``), onet_soc_code, task_id,
    task, status, release, id_status, revision_kind, matched_task_id, similarity.
    """
    for name, frame in (("old", old), ("new", new)):
        dup = frame["task_id"].duplicated()
        if dup.any():
            tid = frame.loc[dup, "task_id"].iloc[0]
            msg = f"{name} release has task ID {tid} more than once; expected one row per ID"
            raise ValueError(msg)
    comparison = f"{old_release}->{new_release}"
    o = old[["onet_soc_code", "task_id", "task"]].set_index("task_id")
    n = new[["onet_soc_code", "task_id", "task"]].set_index("task_id")
    both = o.index.intersection(n.index)
    same = _norm(o.loc[both, "task"]).to_numpy() == _norm(n.loc[both, "task"]).to_numpy()
    unchanged_ids, revised_ids = both[same], both[~same]
    removed_ids = o.index.difference(n.index)
    new_ids = n.index.difference(o.index)

    def rows(src, ids, status, release, id_status, kind=None, matched=None):
        part = src.loc[ids].reset_index()
        part["status"] = status
        part["release"] = release
        part["id_status"] = id_status
        part["revision_kind"] = kind
        part["matched_task_id"] = pd.array(
            ids if matched is None else matched, dtype="Int64"
        ) if kind else pd.array([pd.NA] * len(ids), dtype="Int64")
        return part

    revised_old = rows(o, revised_ids, "revised_old", old_release, "revised", "same_id")
    revised_new = rows(n, revised_ids, "revised_new", new_release, "revised", "same_id")
    # A same-ID revision sits under the later release's occupation.
    revised_old["onet_soc_code"] = n.loc[revised_ids, "onet_soc_code"].to_numpy()
    parts = [
        rows(n, unchanged_ids, "unchanged", new_release, "unchanged"),
        revised_old,
        revised_new,
        rows(o, removed_ids, "removed", old_release, "removed"),
        rows(n, new_ids, "new", new_release, "new"),
    ]
    out = pd.concat(parts, ignore_index=True)
    out["similarity"] = np.nan
    out.insert(0, "comparison", comparison)
    out = _pair_similar(out, embed, threshold)
    out["revision_kind"] = out["revision_kind"].astype("string")
    out["task"] = out["task"].astype("string")
    order = {s: i for i, s in enumerate(STATUSES)}
    out = out.assign(_o=out["status"].map(order)).sort_values(
        ["onet_soc_code", "_o", "task_id"], kind="stable"
    )
    return out.drop(columns="_o").reset_index(drop=True)[COLUMNS]


def _apply_pairs(out: pd.DataFrame, pairs: list[tuple[int, int, str, float]]) -> None:
    """Mark (removed row, new row, kind, similarity) pairs as revisions, in one assignment."""
    if not pairs:
        return
    i, j, kind, sim = (list(x) for x in zip(*pairs, strict=True))
    out.loc[i, "status"] = "revised_old"
    out.loc[j, "status"] = "revised_new"
    for rows, other in ((i, j), (j, i)):
        out.loc[rows, "revision_kind"] = kind
        out.loc[rows, "similarity"] = sim
        out.loc[rows, "matched_task_id"] = out.loc[other, "task_id"].to_numpy()


def _pair_similar(out: pd.DataFrame, embed: Embed | None, threshold: float) -> pd.DataFrame:
    """Second pass: a removed and a new statement of one occupation with the same text
    (whitespace aside) are paired first, without embeddings; then, with ``embed``, the rest
    with cosine >= threshold, most similar first, each statement at most once."""
    norm = _norm(out["task"])
    cand = out[out["status"].isin(["removed", "new"])]
    pairs: list[tuple[int, int, str, float]] = []
    for _, group in cand.groupby(["onet_soc_code", norm[cand.index]], sort=False):
        r = group.index[group["status"] == "removed"]
        a = group.index[group["status"] == "new"]
        pairs += [(i, j, "new_id_same_text", 1.0) for i, j in zip(r, a, strict=False)]
    _apply_pairs(out, pairs)
    exact = len(pairs)
    pairs = []
    if embed is not None:
        removed = out["status"] == "removed"
        added = out["status"] == "new"
        both = set(out.loc[removed, "onet_soc_code"]) & set(out.loc[added, "onet_soc_code"])
        need = (removed | added) & out["onet_soc_code"].isin(both)
        texts = out.loc[need, "task"].astype(str).tolist()
        vectors = np.asarray(embed(texts), dtype=np.float32) if texts else np.zeros((0, 1))
        vec = dict(zip(out.index[need], vectors, strict=True))
        for _, group in out[need].groupby("onet_soc_code", sort=False):
            r = group.index[group["status"] == "removed"]
            a = group.index[group["status"] == "new"]
            sims = np.stack([vec[i] for i in r]) @ np.stack([vec[j] for j in a]).T
            ri, ai = np.nonzero(sims >= threshold)
            used_r: set[int] = set()
            used_a: set[int] = set()
            for k in np.argsort(-sims[ri, ai], kind="stable"):
                x, y = int(ri[k]), int(ai[k])
                if x in used_r or y in used_a:
                    continue
                used_r.add(x)
                used_a.add(y)
                pairs.append((r[x], a[y], "new_id_similar_text", float(sims[x, y])))
        _apply_pairs(out, pairs)
    log.info(
        "paired %d removed/new statements with the same text and %d with cosine >= %.2f",
        exact,
        len(pairs),
        threshold,
    )
    return out


def counts_by_status(change: pd.DataFrame) -> dict[str, int]:
    """Statements per status (a revision counts once in each of revised_old and revised_new)."""
    counts = change["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}
