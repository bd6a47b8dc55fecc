"""O*NET-SOC 2010 task statements (O*NET 20.1) on O*NET-SOC 2019 codes.

The O*NET Center's taxonomy crosswalk links 1,110 O*NET-SOC 2010 codes to 1,012 O*NET-SOC 2019
codes. Most links are one-to-one or merges (several 2010 codes into one 2019 code): every task of
such a code has exactly one 2019 code. A 2010 code that was split has several 2019 targets, and a
task statement belongs to one occupation, so each task of a split code is placed by this rule,
recorded per task in ``code_mapping``:

``one_target``        the 2010 code has a single 2019 code.
``kept_task``         split code; the task ID is still in the later release, under one of the
                      targets: it goes there (the later release says where it went).
``most_similar``      split code, task gone (with an encoder): the target holding the later
                      statement most similar to it (cosine of MiniLM embeddings), so a
                      fundraising task of Public Relations and Fundraising Managers goes to
                      Fundraising Managers. Without an encoder, or when no target has
                      statements in the later release, the rules below apply.
``same_code``         split code, task gone; one of the targets has the same code as the 2010
                      code (the residual occupation, e.g. 11-9199.00 Managers, All Other).
``most_kept_tasks``   split code, task gone, no same-code target: the target that received most
                      of the code's kept tasks (ties: the lowest code).
``first_target``      split code, no kept task anywhere: the lowest target code.

A 2010 code missing from the crosswalk is never dropped: its tasks keep ``onet_soc_code`` NA,
``code_mapping = 'unmapped'``, and :func:`mapping_report` counts them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = ["map_2010_tasks", "mapping_report"]


def map_2010_tasks(
    tasks_2010: pd.DataFrame,
    crosswalk: pd.DataFrame,
    later: pd.DataFrame,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> pd.DataFrame:
    """``tasks_2010`` (from :func:`laborlens.sources.onet.read_task_statements_2010`) with
    ``onet_soc_code`` (O*NET-SOC 2019) and ``code_mapping`` added; rows and order kept.

    ``crosswalk`` is :func:`laborlens.sources.crosswalks.read_onet_2010_to_2019`; ``later`` is the
    later release's task statements (onet_soc_code, task_id, task), used to place tasks of split
    codes; ``embed`` (texts -> L2-normalised vectors) enables the ``most_similar`` rule.
    """
    links = crosswalk[["onet_2010_code", "onet_2019_code"]].drop_duplicates()
    targets = links.groupby("onet_2010_code")["onet_2019_code"].agg(lambda s: sorted(set(s)))
    later_code = later.drop_duplicates("task_id").set_index("task_id")["onet_soc_code"]

    out = tasks_2010.copy()
    cand = out["onet_2010_code"].map(targets)
    kept_at = out["task_id"].map(later_code)
    codes: list[object] = []
    how: list[str] = []
    # Where the kept tasks of each split code went, for the most_kept_tasks rule.
    kept_counts = (
        pd.DataFrame({"c10": out["onet_2010_code"], "c19": kept_at})
        .dropna()
        .value_counts()
    )
    for c10, options, kept in zip(out["onet_2010_code"], cand, kept_at, strict=True):
        if not isinstance(options, list):
            codes.append(pd.NA)
            how.append("unmapped")
        elif len(options) == 1:
            codes.append(options[0])
            how.append("one_target")
        elif isinstance(kept, str) and kept in options:
            codes.append(kept)
            how.append("kept_task")
        elif c10 in options:
            codes.append(c10)
            how.append("same_code")
        else:
            counts = [(int(kept_counts.get((c10, o), 0)), o) for o in options]
            best = max(n for n, _ in counts)
            if best > 0:
                codes.append(min(o for n, o in counts if n == best))
                how.append("most_kept_tasks")
            else:
                codes.append(options[0])
                how.append("first_target")
    out["onet_soc_code"] = pd.array(codes, dtype="string")
    out["code_mapping"] = pd.array(how, dtype="string")
    if embed is not None:
        _place_by_similarity(out, cand, later, embed)
    return out


def _place_by_similarity(out, cand, later, embed) -> None:
    """Re-place the dropped tasks of split codes at the target with the most similar later
    statement (``most_similar``)."""
    gone = out["code_mapping"].isin(["same_code", "most_kept_tasks", "first_target"])
    if not gone.any():
        return
    targets = sorted({t for opts in cand[gone] for t in opts})
    pool = later[later["onet_soc_code"].isin(targets)]
    if pool.empty:
        return
    texts = out.loc[gone, "task"].astype(str).tolist() + pool["task"].astype(str).tolist()
    vectors = np.asarray(embed(texts), dtype=np.float32)
    mine, theirs = vectors[: int(gone.sum())], vectors[int(gone.sum()) :]
    pool_codes = pool["onet_soc_code"].to_numpy(dtype=object)
    for k, (row, options) in enumerate(zip(out.index[gone], cand[gone], strict=True)):
        have = np.isin(pool_codes, options)
        if not have.any():
            continue
        sims = theirs[have] @ mine[k]
        out.at[row, "onet_soc_code"] = pool_codes[have][int(np.argmax(sims))]
        out.at[row, "code_mapping"] = "most_similar"


def mapping_report(mapped: pd.DataFrame) -> pd.DataFrame:
    """Per ``code_mapping`` rule: the number of O*NET-SOC 2010 codes and of task statements.

    ``unmapped`` always has a row (zero when every code is in the crosswalk), so a report never
    hides that the check was made.
    """
    grouped = mapped.groupby("code_mapping", dropna=False).agg(
        codes_2010=("onet_2010_code", "nunique"), tasks=("task_id", "size")
    )
    grouped = grouped.reindex(
        sorted(set(grouped.index) | {"unmapped"}), fill_value=0
    ).reset_index()
    unmapped = mapped.loc[mapped["code_mapping"] == "unmapped", "onet_2010_code"]
    grouped["codes"] = grouped["code_mapping"].map(
        {"unmapped": ", ".join(sorted(unmapped.unique()))}
    )
    return grouped
