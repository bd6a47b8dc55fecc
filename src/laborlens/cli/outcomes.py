"""``laborlens outcomes``: employment, wages and hiring over time by exposure (docs/outcomes.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from laborlens.cli._common import (
    DbOption,
    Output,
    check_output_path,
    handle_errors,
    out_print,
    output_options,
    settings_from,
    to_json,
)

app = typer.Typer(
    help="Is exposure already showing? OEWS 2017-2025 panel, trends by exposure group, "
    "occupational-mix change, Indeed postings, who is exposed.",
    no_args_is_help=True,
)

CAVEAT = (
    "OEWS pools three years of survey panels (changes show late and smoothed); 2020 is a "
    "pandemic year; exposure is not job loss."
)


@app.command("panel")
@handle_errors
@output_options
def outcomes_panel(db: DbOption = None) -> Output:
    """OEWS May 2017-2025 on SOC 2018 detailed codes: soc_2018_code, title, year, employment,
    mean_wage, median_wage, rule (how the code was harmonized), sources, share_year.

    Example: laborlens outcomes panel -o panel.csv
    """
    from laborlens.outcomes import api

    settings = settings_from(db=db)
    frame = api.panel(settings)
    cov = api.panel_coverage(settings)
    notes = [
        f"{int(r.year)}: coverage {r.coverage:.3%} of {r.oews_total:,.0f} "
        f"({int(r.unmapped_codes)} unmapped codes)"
        for r in cov.itertuples()
    ]
    return Output(frame, title="Harmonized OEWS panel (first 20 rows)", display=frame.head(20),
                  notes=notes, written="Wrote {n} occupation-years to {path}")


@app.command("trends")
@handle_errors
@output_options
def outcomes_trends(
    measure: Annotated[str, typer.Option("--measure", help="Measure, as in `measures compare`")],
    groups: Annotated[int, typer.Option("--groups", help="Exposure groups (quantiles of workers)")]
    = 5,
    summary: Annotated[
        Path | None, typer.Option("--summary", help="Write the summary here (JSON)")
    ] = None,
    db: DbOption = None,
) -> Output:
    """Employment and median-wage index (May 2022 = 100) per exposure group and year; the
    summary has pre/post growth, difference-in-trends (bootstrap and major-group FE), placebo
    and slopes, each {"estimate", "ci_low", "ci_high", "n"}.

    Example: laborlens outcomes trends --measure beta_human -o trends.csv --summary s.json
    """
    from laborlens.outcomes import api

    check_output_path(summary, (".json",))
    frame, doc = api.trends(settings_from(db=db), measure, groups)
    if summary is not None:
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_text(to_json(doc) + "\n", encoding="utf-8")
    d = doc["diff_in_trends"]
    notes = [
        f"difference-in-trends (top vs bottom group, pp a year): {d['estimate']:+.2f} "
        f"[{d['ci_low']:+.2f}, {d['ci_high']:+.2f}]; placebo {doc['placebo']['estimate']:+.2f} "
        f"[{doc['placebo']['ci_low']:+.2f}, {doc['placebo']['ci_high']:+.2f}]",
        CAVEAT,
    ]
    if summary is not None:
        notes.append(f"Wrote the summary to {summary}")
    return Output(frame, title=f"Trends by exposure group, {measure}", notes=notes,
                  document={"trends": frame.to_dict(orient="records"), "summary": doc})


@app.command("dissimilarity")
@handle_errors
@output_options
def outcomes_dissimilarity(db: DbOption = None) -> Output:
    """Occupational-mix dissimilarity (half the sum of absolute share differences) for every
    pair of years.

    Example: laborlens outcomes dissimilarity -o dissimilarity.csv
    """
    from laborlens.outcomes import api

    frame = api.dissimilarity(settings_from(db=db))
    return Output(frame, title="Occupational-mix dissimilarity between OEWS years")


@app.command("postings")
@handle_errors
def outcomes_postings(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the three CSV files")
    ],
    db: DbOption = None,
) -> None:
    """Indeed sectors' postings change against exposure, the slopes, and the AI-mention share
    by country: sector_postings.csv, postings_slopes.csv, ai_share.csv in the folder.

    Example: laborlens outcomes postings -o postings/
    """
    from laborlens.exceptions import ConfigError
    from laborlens.outcomes import api

    if output.exists() and not output.is_dir():
        msg = f"{output} is a file; expected a folder for the postings tables"
        raise ConfigError(msg)
    from laborlens.io import staged_folder, write_table

    tables = api.postings(settings_from(db=db))
    with staged_folder(output) as staging:  # the one writer; all tables or none
        for name, frame in tables.items():
            write_table(frame, staging / f"{name}.csv")
    for name, frame in tables.items():
        out_print(f"Wrote {len(frame)} rows to {output / f'{name}.csv'}")


@app.command("demographics")
@handle_errors
@output_options
def outcomes_demographics(db: DbOption = None) -> Output:
    """Per measure and exposure group (quintiles of CPS workers): share aged 20-24 and 55+
    (CPS 2025), women, White, Black, Asian, Hispanic or Latino (CPS 2022), in percent.

    Example: laborlens outcomes demographics -o demographics.csv
    """
    from laborlens.outcomes import api

    frame = api.demographics(settings_from(db=db))
    return Output(frame, title="Who is exposed: CPS workers by exposure group")
