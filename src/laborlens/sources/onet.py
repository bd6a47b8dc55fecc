"""O*NET 29.3 parsers: each accepts the O*NET text layout (tab-separated ``.txt``) and the Excel
layout (``.xlsx``) of the same file, which share their column headers.

Returned frames are tidy, with snake_case columns; O*NET-SOC 2019 codes are ``onet_soc_code``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from laborlens.exceptions import LayoutError
from laborlens.sources.tabular import Col, check_unique, read_table

CODE = Col("O*NET-SOC Code", "onet_soc_code", "onet_soc")
DATE = Col("Date", "date", required=False)
DOMAIN = Col("Domain Source", "domain_source", required=False)


def read_occupations(path: str | Path) -> pd.DataFrame:
    """``Occupation Data``: onet_soc_code, title, description (1,016 O*NET-SOC 2019 codes)."""
    cols = [CODE, Col("Title", "title"), Col("Description", "description")]
    return check_unique(read_table(path, cols), ["onet_soc_code"], path)


def read_job_zones(path: str | Path) -> pd.DataFrame:
    """``Job Zones``: onet_soc_code, job_zone (1–5), date, domain_source."""
    cols = [CODE, Col("Job Zone", "job_zone", "int"), DATE, DOMAIN]
    frame = check_unique(read_table(path, cols), ["onet_soc_code"], path)
    bad = ~frame["job_zone"].between(1, 5)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        msg = f"expected a job zone from 1 to 5, found {frame['job_zone'].iloc[i]}"
        raise LayoutError(path, msg, row=i + 2, column="Job Zone")
    return frame


def read_task_statements(path: str | Path) -> pd.DataFrame:
    """``Task Statements``: onet_soc_code, task_id, task, task_type (Core/Supplemental/None),
    incumbents_responding, date, domain_source."""
    return _read_tasks(path, CODE)


def read_task_statements_2010(path: str | Path) -> pd.DataFrame:
    """``Task Statements`` of a release on the O*NET-SOC 2010 taxonomy (O*NET 20.1, October
    2015, as converted to CSV): onet_2010_code, title, task_id, task, task_type,
    incumbents_responding, date, domain_source.

    The codes are O*NET-SOC 2010 codes; :func:`laborlens.emerging.crosswalk.map_2010_tasks`
    puts them on O*NET-SOC 2019 codes. Raises LayoutError on a missing column, a malformed
    code or task ID, an unknown task type or a repeated (code, task ID).
    """
    code = Col("O*NET-SOC Code", "onet_2010_code", "onet_soc")
    return _read_tasks(path, code, title=True)


def _read_tasks(path: str | Path, code: Col, *, title: bool = False) -> pd.DataFrame:
    cols = [
        code,
        *([Col("Title", "title")] if title else []),
        Col("Task ID", "task_id", "int"),
        Col("Task", "task"),
        Col("Task Type", "task_type", required=False),
        Col("Incumbents Responding", "incumbents_responding", "float", required=False),
        DATE,
        DOMAIN,
    ]
    frame = read_table(path, cols)
    bad = frame["task_type"].notna() & ~frame["task_type"].isin(["Core", "Supplemental"])
    if bad.any():
        i = int(bad.to_numpy().argmax())
        msg = f"expected 'Core', 'Supplemental' or blank, found {frame['task_type'].iloc[i]!r}"
        raise LayoutError(path, msg, row=i + 2, column="Task Type")
    return check_unique(frame, [code.name, "task_id"], path)


def read_emerging_tasks(path: str | Path) -> pd.DataFrame:
    """``Emerging Tasks``: statements O*NET collected from incumbents and has under review, each
    a new task or a revision of a current one (295 in O*NET 29.3).

    Returns onet_soc_code, title, task, category (``New`` or ``Revision``), original_task_id
    (Int64; the revised task, blank for new ones), original_task, date, domain_source. Raises
    LayoutError on a missing column, an unknown category, or a revision without its original
    task (or a new task with one).
    """
    cols = [
        CODE,
        Col("Title", "title"),
        Col("Task", "task"),
        Col("Category", "category"),
        Col("Original Task ID", "original_task_id", "float", required=False),
        Col("Original Task", "original_task", required=False),
        DATE,
        DOMAIN,
    ]
    frame = read_table(path, cols)
    bad = ~frame["category"].isin(["New", "Revision"])
    if bad.any():
        i = int(bad.to_numpy().argmax())
        msg = f"expected 'New' or 'Revision', found {frame['category'].iloc[i]!r}"
        raise LayoutError(path, msg, row=i + 2, column="Category")
    has_original = frame["original_task_id"].notna() & frame["original_task"].notna()
    revision = frame["category"] == "Revision"
    odd = revision != has_original
    if odd.any():
        i = int(odd.to_numpy().argmax())
        want = "an original task ID and text" if revision.iloc[i] else "no original task"
        msg = f"a {frame['category'].iloc[i]} task needs {want}"
        raise LayoutError(path, msg, row=i + 2, column="Original Task ID")
    ids = frame["original_task_id"]
    frac = ids.notna() & (ids % 1 != 0)
    if frac.any():
        i = int(frac.to_numpy().argmax())
        msg = f"expected a whole task ID, found {ids.iloc[i]!r}"
        raise LayoutError(path, msg, row=i + 2, column="Original Task ID")
    frame["original_task_id"] = ids.astype("Int64")
    return frame


def read_alternate_titles(path: str | Path) -> pd.DataFrame:
    """``Alternate Titles``: onet_soc_code, alternate_title, short_title, sources."""
    cols = [
        CODE,
        Col("Alternate Title", "alternate_title"),
        Col("Short Title", "short_title", required=False),
        Col("Source(s)", "sources", required=False),
    ]
    return read_table(path, cols)


def read_reported_titles(path: str | Path) -> pd.DataFrame:
    """``Sample of Reported Titles``: onet_soc_code, reported_title, shown_in_my_next_move."""
    cols = [
        CODE,
        Col("Reported Job Title", "reported_title"),
        Col("Shown in My Next Move", "shown_in_my_next_move", "flag", required=False),
    ]
    return read_table(path, cols)


def read_ratings(path: str | Path) -> pd.DataFrame:
    """``Skills`` or ``Knowledge``: one row per occupation, element and scale, as in the file.

    Columns: onet_soc_code, element_id, element_name, scale_id (IM importance 1–5, LV level 0–7),
    data_value, n, standard_error, lower_ci, upper_ci, recommend_suppress, not_relevant, date,
    domain_source. :func:`ratings_wide` puts importance and level side by side.
    """
    cols = [
        CODE,
        Col("Element ID", "element_id"),
        Col("Element Name", "element_name"),
        Col("Scale ID", "scale_id"),
        Col("Data Value", "data_value", "float"),
        Col("N", "n", "float", required=False),
        Col("Standard Error", "standard_error", "float", required=False),
        Col("Lower CI Bound", "lower_ci", "float", required=False),
        Col("Upper CI Bound", "upper_ci", "float", required=False),
        Col("Recommend Suppress", "recommend_suppress", "flag", required=False),
        Col("Not Relevant", "not_relevant", "flag", required=False),
        DATE,
        DOMAIN,
    ]
    long = read_table(path, cols)
    bad = ~long["scale_id"].isin(["IM", "LV"])
    if bad.any():
        i = int(bad.to_numpy().argmax())
        msg = f"expected scale 'IM' or 'LV', found {long['scale_id'].iloc[i]!r}"
        raise LayoutError(path, msg, row=i + 2, column="Scale ID")
    return check_unique(long, ["onet_soc_code", "element_id", "scale_id"], path)


def ratings_wide(long: pd.DataFrame) -> pd.DataFrame:
    """Importance and level side by side: onet_soc_code, element_id, element_name, importance,
    level, level_not_relevant, recommend_suppress (either scale flagged)."""
    keys = ["onet_soc_code", "element_id"]
    im = long[long["scale_id"] == "IM"].set_index(keys)
    lv = long[long["scale_id"] == "LV"].set_index(keys).reindex(im.index)
    wide = pd.DataFrame(
        {
            "element_name": im["element_name"],
            "importance": im["data_value"],
            "level": lv["data_value"],
            "level_not_relevant": lv["not_relevant"].fillna(False),
            "recommend_suppress": im["recommend_suppress"].fillna(False)
            | lv["recommend_suppress"].fillna(False),
        }
    )
    return wide.reset_index()


def read_technology_skills(path: str | Path) -> pd.DataFrame:
    """``Technology Skills``: onet_soc_code, example, commodity_code, commodity_title,
    hot_technology, in_demand."""
    cols = [
        CODE,
        Col("Example", "example"),
        Col("Commodity Code", "commodity_code", "int"),
        Col("Commodity Title", "commodity_title"),
        Col("Hot Technology", "hot_technology", "flag"),
        Col("In Demand", "in_demand", "flag", required=False),
    ]
    return read_table(path, cols)


def read_tasks_to_dwas(path: str | Path) -> pd.DataFrame:
    """``Tasks to DWAs``: onet_soc_code, task_id, dwa_id, date, domain_source."""
    cols = [CODE, Col("Task ID", "task_id", "int"), Col("DWA ID", "dwa_id"), DATE, DOMAIN]
    return check_unique(read_table(path, cols), ["onet_soc_code", "task_id", "dwa_id"], path)


def read_dwa_reference(path: str | Path) -> pd.DataFrame:
    """``DWA Reference``: dwa_id, dwa_title, iwa_id, gwa_id (the parent Element ID)."""
    cols = [
        Col("Element ID", "gwa_id"),
        Col("IWA ID", "iwa_id"),
        Col("DWA ID", "dwa_id"),
        Col("DWA Title", "dwa_title"),
    ]
    frame = read_table(path, cols)[["dwa_id", "dwa_title", "iwa_id", "gwa_id"]]
    return check_unique(frame, ["dwa_id"], path)


def read_iwa_reference(path: str | Path) -> pd.DataFrame:
    """``IWA Reference``: iwa_id, iwa_title, gwa_id, gwa_title (Generalized Work Activity)."""
    cols = [
        Col("Element ID", "gwa_id"),
        Col("Element Name", "gwa_title"),
        Col("IWA ID", "iwa_id"),
        Col("IWA Title", "iwa_title"),
    ]
    frame = read_table(path, cols)[["iwa_id", "iwa_title", "gwa_id", "gwa_title"]]
    return check_unique(frame, ["iwa_id"], path)


def read_content_model(path: str | Path) -> pd.DataFrame:
    """``Content Model Reference``: element_id, element_name, description."""
    cols = [
        Col("Element ID", "element_id"),
        Col("Element Name", "element_name"),
        Col("Description", "description"),
    ]
    return check_unique(read_table(path, cols), ["element_id"], path)
