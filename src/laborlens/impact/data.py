"""Everything the impact engine reads, loaded once from the database and the mirror."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from laborlens.config import Settings
from laborlens.db.connection import connect, query, require_tables, table_names
from laborlens.exposure.rubric import AUTOMATION_LEVELS, LABEL_SOURCES, label_probabilities


@dataclass
class ImpactData:
    """The inputs of every impact table.

    tasks
        Per exposure source, one row per task: onet_soc_code, task_id, task, task_type,
        p_E1, p_E2 (0/1 for label sources), sorted by occupation then task.
    automation
        Per automation source (``model``, ``gpt4``, ``human``), onet_soc_code, task_id,
        task_type and ``score``: the T0–T4 level / 4 (the model's expected level / 4).
    """

    tasks: dict[str, pd.DataFrame]
    automation: dict[str, pd.DataFrame]
    occupations: pd.DataFrame
    crosswalk: pd.DataFrame
    oews: dict[int, pd.DataFrame]
    oews_total: dict[int, float]
    majors: pd.DataFrame
    paper_match: pd.DataFrame
    settings: Settings | None = None
    published: pd.DataFrame | None = None
    aei_collaboration: pd.DataFrame | None = None
    _areas: pd.DataFrame | None = field(default=None, repr=False)

    def areas(self) -> pd.DataFrame:
        """OEWS May 2025 state and metro rows (total and detailed), loaded on first use."""
        if self._areas is None:
            with connect(self.settings.db_path) as con:
                self._areas = _read_areas(con)
        return self._areas


def _read_areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return query(
        con,
        "SELECT area_type, area_code, area_name, state_abbr, soc_code, o_group, "
        "employment FROM oews_areas_2025 "
        "WHERE area_type IN ('state', 'metro') AND o_group IN ('total', 'detailed')",
    )


def _require(con: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    require_tables(con, names, needed_by="the impact tables")


def load(settings: Settings) -> ImpactData:
    """Read the impact inputs; the model source is present only in a database built with models."""
    with connect(settings.db_path) as con:
        return load_from_connection(con, settings, areas=False)


def load_from_connection(
    con: duckdb.DuckDBPyConnection, settings: Settings, *, areas: bool = True
) -> ImpactData:
    """:func:`load` on an open connection (the build's temporary database, say).

    With ``areas`` the state and metro rows are read now, from ``con``; without, they are read
    on first use from ``settings.db_path``, which is a different database during a build.
    """
    _require(
        con,
        [
            "exposure_labels",
            "automation_labels",
            "onet_tasks",
            "occupations",
            "onet_soc_crosswalk",
            "oews_national_2021",
            "oews_national_2025",
            "soc_structure",
        ],
    )
    present = set(table_names(con))
    labels = query(
        con,
        "SELECT onet_soc_code, task_id, task, task_type, human_exposure, gpt4_exposure "
        "FROM exposure_labels ORDER BY onet_soc_code, task_id",
    )
    tasks: dict[str, pd.DataFrame] = {}
    # human and GPT-4 labels enter the engine like model output: p(E1), p(E2) of each label
    for source in LABEL_SOURCES:
        t = labels[["onet_soc_code", "task_id", "task", "task_type"]].copy()
        t["p_E1"], t["p_E2"] = label_probabilities(labels[f"{source}_exposure"])
        tasks[source] = t
    automation: dict[str, pd.DataFrame] = {}
    auto = query(
        con,
        "SELECT onet_soc_code, task_id, task_type, gpt4_automation, human_automation "
        "FROM automation_labels ORDER BY onet_soc_code, task_id",
    )
    for source in ("gpt4", "human"):
        col = f"{source}_automation"
        a = auto[auto[col].notna()][["onet_soc_code", "task_id", "task_type"]].copy()
        a["score"] = auto.loc[a.index, col].map(AUTOMATION_LEVELS).astype(float) / 4.0
        automation[source] = a.reset_index(drop=True)
    if "task_exposure_model" in present:
        tasks["model"] = query(
            con,
            "SELECT m.onet_soc_code, m.task_id, t.task, t.task_type, m.p_E1, m.p_E2 "
            "FROM task_exposure_model m JOIN onet_tasks t USING (onet_soc_code, task_id) "
            "ORDER BY m.onet_soc_code, m.task_id",
        )
    if "task_automation_model" in present:
        automation["model"] = query(
            con,
            "SELECT m.onet_soc_code, m.task_id, t.task_type, m.automation_score AS score "
            "FROM task_automation_model m JOIN onet_tasks t USING (onet_soc_code, task_id) "
            "ORDER BY m.onet_soc_code, m.task_id",
        )
    occupations = query(
        con,
        "SELECT onet_soc_code, title, job_zone, nem_code, soc_major_code FROM occupations",
    )
    # the paper's occupations (O*NET 27.2) include a few codes O*NET 29.3 retired; their
    # titles come from the published file so the title link can still find them
    published = query(con, "SELECT onet_soc_code, title FROM published_occupation_exposure")
    crosswalk = query(con, "SELECT onet_soc_code, nem_code FROM onet_soc_crosswalk")
    oews, totals = {}, {}
    for year in (2021, 2025):
        frame = query(con, f"SELECT * FROM oews_national_{year}")
        totals[year] = float(frame.loc[frame["o_group"] == "total", "employment"].iloc[0])
        detailed = frame[frame["o_group"] == "detailed"].drop_duplicates("soc_code")
        oews[year] = detailed.reset_index(drop=True)
    majors = query(con, "SELECT soc_code, title FROM soc_structure WHERE level = 'major'")
    titles = pd.concat([occupations[["onet_soc_code", "title"]], published]).drop_duplicates(
        "onet_soc_code"
    )
    # the paper's own match and the AEI shares were read into the database at build time, so
    # query-time impact needs no mirror
    _require(con, ["impact_paper_match"])
    match = query(con, "SELECT * FROM impact_paper_match")
    match = match.merge(
        titles.drop_duplicates("title").rename(columns={"title": "onet_title"}),
        on="onet_title",
        how="left",
    )
    return ImpactData(
        tasks=tasks,
        automation=automation,
        occupations=occupations,
        crosswalk=crosswalk,
        oews=oews,
        oews_total=totals,
        majors=majors,
        paper_match=match,
        settings=settings,
        published=query(con, "SELECT * FROM published_occupation_exposure")
        if "published_occupation_exposure" in present
        else None,
        aei_collaboration=query(con, "SELECT * FROM impact_aei_collaboration")
        if "impact_aei_collaboration" in present
        else None,
        _areas=_read_areas(con) if areas else None,
    )
