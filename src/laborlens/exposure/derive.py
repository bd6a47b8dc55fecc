"""Build step of the exposure capability: occupations, α/β/γ per source, model task ratings."""

from __future__ import annotations

import duckdb
import pandas as pd

from laborlens.capability import BuildContext
from laborlens.db.connection import write_table
from laborlens.exposure.occupation import WEIGHTINGS, occupation_exposure


def derive_exposure(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """Create ``occupations``, ``occupation_exposure`` and (with models) the task ratings."""
    con.execute(
        """
        CREATE TABLE occupations AS
        SELECT o.onet_soc_code, o.title, o.description, z.job_zone,
               x.soc_2018_code, s.title AS soc_2018_title, x.nem_code,
               s.major_code AS soc_major_code, m.title AS soc_major_title
        FROM onet_occupations o
        LEFT JOIN onet_job_zones z USING (onet_soc_code)
        LEFT JOIN onet_soc_crosswalk x USING (onet_soc_code)
        LEFT JOIN soc_structure s ON s.soc_code = x.soc_2018_code
        LEFT JOIN soc_structure m ON m.soc_code = s.major_code
        ORDER BY o.onet_soc_code
        """
    )
    labels = con.execute("SELECT * FROM exposure_labels").df()
    parts = []
    for source, column in (("human", "human_exposure"), ("gpt4", "gpt4_exposure")):
        for weighting in WEIGHTINGS:
            part = occupation_exposure(labels, label=column, weighting=weighting)
            part.insert(1, "source", source)
            part.insert(2, "weighting", weighting)
            parts.append(part)
    if ctx.models:
        from laborlens.models.scoring import score_frame

        tasks = con.execute(
            "SELECT t.onet_soc_code, t.task_id, t.task AS Task, o.title AS Title, t.task_type "
            "FROM onet_tasks t JOIN onet_occupations o USING (onet_soc_code) "
            "ORDER BY t.onet_soc_code, t.task_id"
        ).df()
        scored = {t: score_frame(m, tasks) for t, m in ctx.models.items()}
        for model_target, frame in scored.items():
            write_table(
                con,
                f"task_{model_target}_model",
                frame.drop(columns=["Task", "Title", "task_type"]),
            )
        for weighting in WEIGHTINGS:
            part = occupation_exposure(scored["exposure"], label="model", weighting=weighting)
            part.insert(1, "source", "model")
            part.insert(2, "weighting", weighting)
            parts.append(part)
    write_table(con, "occupation_exposure", pd.concat(parts, ignore_index=True))
