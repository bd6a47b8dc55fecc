"""Compute the report's tables from the database and write them with a self-contained HTML page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from laborlens._version import __version__
from laborlens.capability import report_sections
from laborlens.config import Settings
from laborlens.db.build import Progress, build
from laborlens.db.connection import connect
from laborlens.db.queries import EXPOSURE_SOURCES, occupation_exposure
from laborlens.io import staged_folder, write_table
from laborlens.labor import (
    Coverage,
    by_major_group,
    share_of_workers,
    soc_exposure,
    with_employment,
)


@dataclass
class ReportResult:
    """Where the report went and the headline numbers it holds."""

    out_dir: Path
    html: Path
    tables: dict[str, Path] = field(default_factory=dict)
    coverage: dict[str, Coverage] = field(default_factory=dict)


def compute_tables(
    settings: Settings, weighting: str = "paper"
) -> tuple[dict, dict[str, Coverage]]:
    """All report tables as DataFrames, keyed by file stem, plus coverage per exposure source."""
    with connect(settings.db_path) as con:
        crosswalk = con.execute("SELECT onet_soc_code, nem_code FROM onet_soc_crosswalk").df()
        oews = con.execute("SELECT * FROM oews_national_2025").df()
        majors = con.execute("SELECT soc_code, title FROM soc_structure WHERE level = 'major'").df()
        occupations = con.execute(
            "SELECT onet_soc_code, title, job_zone, soc_2018_code, soc_major_title FROM occupations"
        ).df()
        present = {
            r[0] for r in con.execute("SELECT DISTINCT source FROM occupation_exposure").fetchall()
        }
        scores = {
            s: occupation_exposure(con, s, weighting) for s in EXPOSURE_SOURCES if s in present
        }
        sources = con.execute(
            "SELECT name, table_name, path, release, publisher, license, attribution, sha256, "
            "loaded_rows FROM sources ORDER BY name"
        ).df()

    tables: dict[str, pd.DataFrame] = {}
    coverage: dict[str, Coverage] = {}
    occ = occupations[["onet_soc_code", "title", "job_zone", "soc_2018_code", "soc_major_title"]]
    for s, frame in scores.items():
        occ = occ.merge(
            frame[["onet_soc_code", "alpha", "beta", "gamma"]].rename(
                columns={m: f"{s}_{m}" for m in ("alpha", "beta", "gamma")}
            ),
            on="onet_soc_code",
            how="outer",
        )
    tables["occupation_exposure"] = occ.sort_values("onet_soc_code", ignore_index=True)

    shares, groups, socs = [], [], []
    for s, frame in scores.items():
        joined, cov = with_employment(soc_exposure(frame, crosswalk), oews)
        coverage[s] = cov
        g = by_major_group(joined, majors)
        g.insert(0, "source", s)
        groups.append(g)
        sh = share_of_workers(joined)
        sh.insert(0, "source", s)
        shares.append(sh)
        j = joined.copy()
        j.insert(0, "source", s)
        socs.append(j)
    tables["exposure_by_major_group"] = pd.concat(groups, ignore_index=True)
    tables["share_of_workers_exposed"] = pd.concat(shares, ignore_index=True)
    tables["soc_exposure_wages"] = pd.concat(socs, ignore_index=True)
    tables["coverage"] = pd.DataFrame(
        [
            {
                "source": s,
                "occupations_scored": c.occupations_scored,
                "occupations_total": c.occupations_total,
                "employment_scored": c.employment_scored,
                "employment_total": c.employment_total,
                "employment_share": c.employment_share,
            }
            for s, c in coverage.items()
        ]
    )
    tables["sources"] = sources
    return tables, coverage


def make_report(
    settings: Settings,
    out_dir: str | Path,
    *,
    weighting: str = "paper",
    progress: Progress | None = None,
) -> ReportResult:
    """Build the database if needed, then write ``report.html`` and tables to ``out_dir``.

    The files are written into a temporary folder and moved into ``out_dir`` at the end, so a
    failure leaves no half-written report.
    """
    from laborlens.report import figures  # plotly loads only when a report is drawn

    out_dir = Path(out_dir)
    build(settings, progress=progress)
    report = progress or (lambda *_: None)
    report("computing report tables", 0, 3)
    tables, coverage = compute_tables(settings, weighting)
    report("drawing charts", 1, 3)
    charts = figures.all_figures(tables)
    sections = [s for cap in report_sections() if (s := cap.make_section(settings)) is not None]
    for section in sections:
        tables.update(section.tables)
    report("writing files", 2, 3)
    with staged_folder(out_dir) as staging:
        written: dict[str, Path] = {}
        (staging / "tables").mkdir()
        for stem, frame in tables.items():
            write_table(frame, staging / "tables" / f"{stem}.csv")
            write_table(frame, staging / "tables" / f"{stem}.parquet")
            written[stem] = out_dir / "tables" / f"{stem}.csv"
        html = figures.render_html(
            tables=tables,
            charts=charts,
            coverage=coverage,
            sections=sections,
            weighting=weighting,
            version=__version__,
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
        (staging / "report.html").write_text(html, encoding="utf-8")
    report("done", 3, 3)
    return ReportResult(out_dir, out_dir / "report.html", written, coverage)
