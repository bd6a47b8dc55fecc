"""``laborlens occupations``: occupation-level exposure tables."""

from __future__ import annotations

from typing import Annotated

import typer

from laborlens.cli._common import (
    DbOption,
    Output,
    handle_errors,
    output_options,
    settings_from,
)
from laborlens.exceptions import ConfigError

app = typer.Typer(help="Occupation-level tables and one-page summaries.", no_args_is_help=True)


@app.command("exposure")
@handle_errors
@output_options
def occupations_exposure(
    source: Annotated[
        str,
        typer.Option(
            help="human or gpt4 labels (O*NET 27.2 tasks), or model (every O*NET 29.3 occupation)"
        ),
    ] = "human",
    weighting: Annotated[str, typer.Option(help="Task weighting: paper, equal or core")] = "paper",
    db: DbOption = None,
) -> Output:
    """α, β, γ of every O*NET-SOC occupation (columns onet_soc_code, title, alpha, beta, gamma).

    Example: laborlens occupations exposure --source model -o occ.csv
    """
    from laborlens.db.connection import connect
    from laborlens.db.queries import occupation_exposure

    with connect(settings_from(db=db).db_path) as con:
        frame = occupation_exposure(con, source, weighting)
    frame = frame[["onet_soc_code", "title", "alpha", "beta", "gamma"]]
    return Output(
        frame,
        title=f"Exposure of {len(frame)} occupations ({source} labels, {weighting} weighting)",
        written="Wrote {n} occupations to {path}",
    )


def _pct(x, signed: bool = False) -> str:
    if x is None:
        return "–"
    return f"{100 * x:+.0f} points".replace("-", "−") if signed else f"{100 * x:.0f} %"


def _money(x, signed: bool = False) -> str:
    if x is None:
        return "–"
    return f"{'+' if x >= 0 else '−'}${abs(x):,.0f}" if signed else f"${x:,.0f}"


def render_summary(s: dict) -> list[str]:
    """The one-page summary as plain lines (no colour, no tables: it reads the same in a file)."""
    from laborlens.occupations.summary import ordinal

    lines = [
        f"{s['title']} ({s['onet_soc_code']}) · {s['soc_major_title'] or 'no SOC group'} · "
        f"job zone {s['job_zone'] if s['job_zone'] is not None else '–'}",
        s["description"] or "",
        "",
        "Exposure: share of tasks a large language model could speed up by half or more",
    ]
    for e in s["exposure"]:
        lines.append(
            f"  {e['source_name']:<17} {_pct(e['beta']):>5}  (directly {_pct(e['alpha'])}, "
            f"counting software fully {_pct(e['gamma'])}; {e['n_tasks']} tasks)"
        )
    lines.append(f"  {s['caveat']}")
    if s["public_measures"]:
        lines.append("Public AI measures: this occupation's percentile among occupations")
        for m in s["public_measures"]:
            pct = "–" if m["percentile"] is None else ordinal(m["percentile"])
            lines.append(f"  {m['label']:<34} {pct:>5}")
    lines.append(f"  Agreement: {s['agreement']['verdict']}.")
    who = {"model": "the laborlens model's", "human": "the human raters'"}.get(
        s["tasks_scored_by"] or "", ""
    )
    for key, head in (("tasks_most_exposed", "most"), ("tasks_least_exposed", "least")):
        if s[key]:
            lines.append(f"Tasks {head} exposed ({who} rating):")
            lines += [f"  {_pct(t['score']):>5}  {t['task']}" for t in s[key]]
    emp = s["employment"]
    lines.append("Employment and wages (OEWS May 2025; projections 2024–34):")
    workers = "–" if emp["employment"] is None else f"{emp['employment']:,.0f}"
    wage = _money(emp["median_wage"])
    if emp["median_wage_topcoded"]:
        wage += " or more (top-coded)"
    growth = emp["growth_percent_2024_34"]
    growth = "–" if growth is None else f"{growth:+.1f} %"
    openings = emp["openings_per_year"]
    openings = "–" if openings is None else f"{openings:,.0f}"
    lines.append(
        f"  {workers} workers · median annual wage {wage} · projected growth {growth} · "
        f"{openings} openings a year"
    )
    trends = s["trends"]
    note = trends.get("summary", "see --format json") if trends["available"] else trends["note"]
    lines.append(f"Trends: {note}")
    if s["career_moves"]:
        lines.append(
            "Best career moves (feasibility; change in share of tasks exposed; in median wage):"
        )
        for i, m in enumerate(s["career_moves"], start=1):
            tech = ", ".join(m["technology_to_learn"])
            beta = _pct(m["beta_change"], signed=True)
            wage = _money(m["median_wage_change"], signed=True)
            lines.append(
                f"  {i}. {m['title']}: {m['feasibility']} ({m['feasibility_reason']}); "
                f"{beta}, {wage}" + (f"; technology to learn: {tech}" if tech else "")
            )
    return lines


@app.command("show")
@handle_errors
def occupations_show(
    occupation: Annotated[str, typer.Argument(help="An O*NET-SOC or SOC code, or a job title")],
    tasks: Annotated[int, typer.Option(min=1, help="Tasks listed as most and least exposed")] = 5,
    moves: Annotated[int, typer.Option(min=1, help="Career moves listed")] = 5,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    db: DbOption = None,
) -> None:
    """A one-page summary: exposure by every measure and how far they agree, the tasks most and
    least exposed, employment and wages, and the best career moves.

    Example: laborlens occupations show cashier

    Example: laborlens occupations show 29-1141.00 --format json
    """
    from laborlens.db.connection import connect
    from laborlens.jsonutil import dumps
    from laborlens.occupations.summary import occupation_summary

    if fmt not in ("text", "json"):
        msg = f"--format must be text or json; got {fmt!r}"
        raise ConfigError(msg)
    with connect(settings_from(db=db).db_path) as con:
        summary = occupation_summary(con, occupation, n_tasks=tasks, n_moves=moves)
    if fmt == "json":
        typer.echo(dumps(summary, indent=2))  # unwrapped: a JSON document
        return
    from laborlens.cli._common import out

    for line in render_summary(summary):
        out.print(line, highlight=False, soft_wrap=True)  # long lines stay whole in a file
