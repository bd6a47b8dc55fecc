"""Per-occupation feature matrices for career similarity, read from the built database.

Every matrix has one row per O*NET-SOC occupation in ``occupations`` (1,016 codes), in code
order. Occupations that O*NET does not describe in some respect (the "All Other" codes have no
ratings, tasks or technology skills) get a row of zeros there and ``False`` in the matching
``has_*`` mask, so the similarity can leave that component out instead of crashing.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from scipy import sparse

from laborlens.db.connection import query


@dataclass
class Features:
    """Everything the similarity needs, aligned on ``codes``."""

    codes: np.ndarray  # O*NET-SOC codes, sorted
    occupations: pd.DataFrame  # code, title, job_zone, soc_2018_code, nem_code, broad/minor
    elements: pd.DataFrame  # element_id, element_name, domain (skill|knowledge)
    importance: np.ndarray  # n × elements, IM 1–5 (0 where unrated)
    level: np.ndarray  # n × elements, LV 0–7 (0 where unrated)
    has_ratings: np.ndarray
    dwa: sparse.csr_matrix  # n × DWAs: tasks of the occupation linked to the DWA
    dwa_ids: np.ndarray
    dwa_titles: np.ndarray
    has_dwa: np.ndarray
    tech: sparse.csr_matrix  # n × technology examples, 0/1
    tech_names: np.ndarray
    has_tech: np.ndarray
    job_zone: np.ndarray  # float, NaN where unknown

    @property
    def n(self) -> int:
        return len(self.codes)

    def coverage(self) -> dict[str, int]:
        """How many occupations each kind of description covers."""
        return {
            "occupations": self.n,
            "skills_knowledge": int(self.has_ratings.sum()),
            "dwas": int(self.has_dwa.sum()),
            "technology": int(self.has_tech.sum()),
            "job_zone": int(np.isfinite(self.job_zone).sum()),
        }


def _incidence(pairs: pd.DataFrame, row: str, col: str, index: pd.Index, values=None):
    """Sparse occupation × item matrix from (occupation, item) rows; items sorted."""
    pairs = pairs[pairs[row].isin(index)]
    items = np.sort(pairs[col].unique())
    r = index.get_indexer(pairs[row])
    c = np.searchsorted(items, pairs[col].to_numpy())
    v = np.ones(len(pairs)) if values is None else pairs[values].to_numpy(float)
    m = sparse.csr_matrix((v, (r, c)), shape=(len(index), len(items)))
    m.sum_duplicates()
    return m, items


def load_features(con: duckdb.DuckDBPyConnection) -> Features:
    """Read occupations, skill/knowledge ratings, DWAs and technology skills from ``con``."""
    occ = query(
        con,
        """
        SELECT o.onet_soc_code, o.title, o.description, o.job_zone, o.soc_2018_code,
               o.nem_code, s.broad_code, s.minor_code, o.soc_major_code
        FROM occupations o LEFT JOIN soc_structure s ON s.soc_code = o.soc_2018_code
        ORDER BY o.onet_soc_code
        """,
    )
    index = pd.Index(occ["onet_soc_code"])
    ratings = query(
        con,
        """
        SELECT onet_soc_code, element_id, element_name, 'skill' AS domain, scale_id, data_value
        FROM onet_skills
        UNION ALL
        SELECT onet_soc_code, element_id, element_name, 'knowledge', scale_id, data_value
        FROM onet_knowledge
        """,
    )
    elements = (
        ratings[["element_id", "element_name", "domain"]]
        .drop_duplicates("element_id")
        .sort_values(["domain", "element_id"], ascending=[False, True], ignore_index=True)
    )
    eidx = pd.Index(elements["element_id"])
    mats = {}
    for scale in ("IM", "LV"):
        part = ratings[(ratings["scale_id"] == scale) & ratings["onet_soc_code"].isin(index)]
        m = np.zeros((len(index), len(eidx)))
        m[index.get_indexer(part["onet_soc_code"]), eidx.get_indexer(part["element_id"])] = part[
            "data_value"
        ].to_numpy(float)
        mats[scale] = m
    has_ratings = (mats["IM"] > 0).any(axis=1)

    links = query(
        con,
        "SELECT onet_soc_code, dwa_id, count(*) AS tasks FROM onet_tasks_to_dwas GROUP BY ALL",
    )
    dwa, dwa_ids = _incidence(links, "onet_soc_code", "dwa_id", index, "tasks")
    titles = query(con, "SELECT dwa_id, dwa_title FROM onet_dwas").set_index("dwa_id")["dwa_title"]
    dwa_titles = titles.reindex(dwa_ids).fillna(pd.Series(dwa_ids, index=dwa_ids)).to_numpy()

    tech_rows = query(con, "SELECT DISTINCT onet_soc_code, example FROM onet_technology_skills")
    tech, tech_names = _incidence(tech_rows, "onet_soc_code", "example", index)
    return Features(
        codes=index.to_numpy(),
        occupations=occ,
        elements=elements,
        importance=mats["IM"],
        level=mats["LV"],
        has_ratings=has_ratings,
        dwa=dwa,
        dwa_ids=dwa_ids,
        dwa_titles=dwa_titles,
        has_dwa=np.asarray(dwa.sum(axis=1)).ravel() > 0,
        tech=tech,
        tech_names=tech_names,
        has_tech=np.asarray(tech.sum(axis=1)).ravel() > 0,
        job_zone=occ["job_zone"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
    )
