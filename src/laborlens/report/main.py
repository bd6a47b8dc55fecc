"""Compute the report's tables from the database and write them with a self-contained HTML page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from laborlens._version import __version__
from laborlens.capability import report_sections
from laborlens.config import Settings
from laborlens.db.build import Progress, build
from laborlens.db.connection import connect
from laborlens.db.queries import occupation_exposure
from laborlens.exposure.rubric import MEASURES, SOURCES
from laborlens.impact.choices import Choices
from laborlens.impact.data import load_from_connection
from laborlens.impact.run import compute_impact
from laborlens.io import staged_folder, write_table


@dataclass(frozen=True)
class Coverage:
    """How much of the workforce a result covers: OEWS detailed occupations with employment, and
    employment, with a score; the total includes employment OEWS publishes only in aggregate."""

    occupations_scored: int
    occupations_total: int
    employment_scored: float
    employment_total: float

    @property
    def employment_share(self) -> float:
        return self.employment_scored / self.employment_total if self.employment_total else np.nan


@dataclass
class ReportResult:
    """Where the report went and the headline numbers it holds."""

    out_dir: Path
    html: Path
    tables: dict[str, Path] = field(default_factory=dict)
    coverage: dict[str, Coverage] = field(default_factory=dict)


def _engine_tables(data, source: str, weighting: str) -> dict[str, dict[str, pd.DataFrame]]:
    """The impact engine's point estimates (no bootstrap, no geography) for each measure, with
    the default employment choices (OEWS May 2025, crosswalk link, thresholds 10 % and 50 %)."""
    return {
        m: compute_impact(
            data, Choices(source=source, weighting=weighting, measure=m), n_draws=0, geography=False
        ).tables
        for m in MEASURES
    }


def compute_tables(
    settings: Settings, weighting: str = "paper"
) -> tuple[dict, dict[str, Coverage]]:
    """All report tables as DataFrames, keyed by file stem, plus coverage per exposure source.

    Every employment figure comes from the impact engine (:func:`laborlens.impact.compute_impact`,
    the one that fills ``impact_aggregates``), so the report's headline equals the stored one.
    """
    with connect(settings.db_path) as con:
        data = load_from_connection(con, settings, areas=False)
        occupations = con.execute(
            "SELECT onet_soc_code, title, job_zone, soc_2018_code, soc_major_title FROM occupations"
        ).df()
        present = {
            r[0] for r in con.execute("SELECT DISTINCT source FROM occupation_exposure").fetchall()
        }
        scores = {s: occupation_exposure(con, s, weighting) for s in SOURCES if s in present}
        sources = con.execute(
            "SELECT name, table_name, path, release, publisher, license, attribution, sha256, "
            "loaded_rows FROM sources ORDER BY name"
        ).df()

    tables: dict[str, pd.DataFrame] = {}
    coverage: dict[str, Coverage] = {}
    occ = occupations[["onet_soc_code", "title", "job_zone", "soc_2018_code", "soc_major_title"]]
    for s, frame in scores.items():
        occ = occ.merge(
            frame[["onet_soc_code", *MEASURES]].rename(columns={m: f"{s}_{m}" for m in MEASURES}),
            on="onet_soc_code",
            how="outer",
        )
    tables["occupation_exposure"] = occ.sort_values("onet_soc_code", ignore_index=True)

    shares, groups, socs, covs = [], [], [], []
    for s in (s for s in SOURCES if s in data.tasks):
        engine = _engine_tables(data, s, weighting)
        head = engine["beta"]["all_workers"].iloc[0]
        coverage[s] = Coverage(
            occupations_scored=int(head["units_covered"]),
            occupations_total=int(head["units_total"]),
            employment_scored=float(head["employment_covered"]),
            employment_total=float(head["employment_total"]),
        )
        covs.append(
            {
                "source": s,
                "occupations_scored": coverage[s].occupations_scored,
                "occupations_total": coverage[s].occupations_total,
                "employment_scored": coverage[s].employment_scored,
                "employment_unscored": float(head["employment_unscored"]),
                "employment_unpublished": float(head["employment_unpublished"]),
                "employment_total": coverage[s].employment_total,
                "employment_share": coverage[s].employment_share,
            }
        )
        for m in MEASURES:
            row = engine[m]["all_workers"].iloc[0]
            for t in (0.1, 0.5):
                share = float(row[f"share_ge_{t:g}"])
                shares.append(
                    {
                        "source": s,
                        "measure": m,
                        "threshold": t,
                        "share_of_workers": share,
                        "workers": share * float(row["employment_covered"]),
                        "weighting": weighting,
                        "vintage": row["vintage"],
                        "link": row["link"],
                    }
                )
        g = engine["beta"]["major_group"][["soc_major_code", "soc_major_title"]].copy()
        for m in MEASURES:
            g[m] = engine[m]["major_group"]["mean_exposure"].to_numpy()
        mg = engine["beta"]["major_group"]
        g["employment"] = mg["employment_total"].to_numpy()
        g["employment_scored"] = mg["employment_covered"].to_numpy()
        g["occupations"] = mg["units_total"].to_numpy()
        g["occupations_scored"] = mg["units_covered"].to_numpy()
        g = g[g["employment"] > 0]  # SOC major groups OEWS publishes no employment for (military)
        g.insert(0, "source", s)
        groups.append(g.sort_values("beta", ascending=False, ignore_index=True))
        u = engine["beta"]["units"]
        j = pd.DataFrame(
            {
                "source": s,
                "nem_code": u["soc_code"],
                "title": u["title"],
                "employment": u["employment"],
                "a_median": u["a_median"].replace(np.inf, np.nan),
                "a_median_topcoded": np.isinf(u["a_median"].to_numpy(dtype="float64")),
            }
        )
        for m in MEASURES:
            j[m] = engine[m]["units"]["score"].to_numpy()
        j["n_onet"] = u["n_onet_occupations"].to_numpy()
        j["soc_major_code"] = u["soc_major_code"]
        socs.append(j)
    tables["exposure_by_major_group"] = pd.concat(groups, ignore_index=True)
    tables["share_of_workers_exposed"] = pd.DataFrame(shares)
    tables["soc_exposure_wages"] = pd.concat(socs, ignore_index=True)
    tables["coverage"] = pd.DataFrame(covs)
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
