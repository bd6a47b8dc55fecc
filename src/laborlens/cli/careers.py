"""``laborlens careers``: where a worker can go, and what to learn."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from laborlens.cli._common import (
    DbOption,
    Output,
    handle_errors,
    out,
    out_print,
    output_options,
    settings_from,
    to_json,
)
from laborlens.exceptions import ConfigError

app = typer.Typer(
    help="Career transitions: where a worker can go, and what to learn.", no_args_is_help=True
)

BetaSourceOption = Annotated[
    str | None, typer.Option(help="Exposure measure: model, human or gpt4")
]


def _parse_weights(items: list[str] | None) -> dict[str, float]:
    """``--weight term=value`` options as a dict; a malformed one names the expected form."""
    weights = {}
    for item in items or []:
        term, sep, value = item.partition("=")
        try:
            weights[term.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            msg = f"--weight {item!r}: expected TERM=NUMBER, e.g. exposure=2"
            raise ConfigError(msg) from None
    return weights


def _fmt(value: float | None, digits: int = 2, *, sign: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"




@app.command("recommend")
@handle_errors
def careers_recommend(
    occupation: Annotated[str, typer.Argument(help="O*NET-SOC or SOC code, or a job title")],
    top: Annotated[int, typer.Option(help="How many recommendations (at most 50)")] = 10,
    objective: Annotated[
        str, typer.Option(help="similarity, balanced, safer, pay or growth")
    ] = "balanced",
    weight: Annotated[
        list[str] | None,
        typer.Option(
            "--weight",
            help="Override a term's weight, e.g. --weight exposure=2 (terms: similarity, "
            "exposure, wage, growth, openings, education)",
        ),
    ] = None,
    beta_source: BetaSourceOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    db: DbOption = None,
) -> None:
    """Occupations within reach of OCCUPATION, ranked by an objective, each explained.

    Example: laborlens careers recommend 43-4051.00 --objective safer --top 5
    """
    from laborlens.careers.recommend import plural, recommend_careers

    if fmt not in ("table", "json"):
        msg = f"--format {fmt!r}: expected table or json"
        raise ConfigError(msg)
    rec = recommend_careers(
        occupation,
        top=top,
        objective=objective,
        weights=_parse_weights(weight),
        beta_source=beta_source,
        settings=settings_from(db=db),
    )
    if fmt == "json":
        print(to_json(rec.to_dict()))
        return
    o = rec.origin
    table = Table(
        "#",
        "code",
        "title",
        "similarity",
        "score",
        "feasibility",
        "Δβ",
        "Δ wage",
        "Δ zone",
        title=f"From {o['onet_soc_code']} {o['title']} (β {_fmt(o['beta'])}, "
        f"wage {_fmt(o['median_wage'], 0)}) — objective {rec.objective}",
    )
    notes = []
    for i in rec.items:
        d = i["deltas"]
        gaps = ", ".join(
            f"{g['element']} {g['level_from']:.1f}→{g['level_to']:.1f}" for g in i["level_gaps"][:3]
        )
        tech = ", ".join(t["name"] for t in i["technology_to_learn"]["top"][:3])
        shared = i["shared_activities"]
        activities = plural(shared["count"], "shared activity")
        notes.append(
            f"{i['rank']}. {i['title']} ({i['feasibility']}: {i['feasibility_reason']}): "
            f"{activities}"
            + (f" (e.g. {shared['top'][0]})" if shared["top"] else "")
            + (f"; level gaps: {gaps}" if gaps else "")
            + (f"; technology to learn: {tech}" if tech else "")
        )
        table.add_row(
            str(i["rank"]),
            i["onet_soc_code"],
            i["title"],
            f"{i['similarity']:.3f}",
            f"{i['score']:.3f}",
            i["feasibility"],
            _fmt(d["beta"], 2, sign=True),
            _fmt(d["median_wage"], 0, sign=True),
            _fmt(d["job_zone"], 0, sign=True),
        )
    out.print(table)
    for note in notes:
        out_print(note)


@app.command("reskill")
@handle_errors
@output_options
def careers_reskill(
    beta_above: Annotated[float, typer.Option(help="Exposed occupations: β at least")] = 0.5,
    beta_below: Annotated[float, typer.Option(help="Destinations: β at most")] = 0.35,
    min_similarity: Annotated[float, typer.Option(help="Transition score at least")] = 0.55,
    gap_tolerance: Annotated[
        float, typer.Option(help="Level points (0–7) a worker can bridge without training")
    ] = 1.0,
    top: Annotated[int, typer.Option(help="Rows to print")] = 15,
    beta_source: BetaSourceOption = None,
    db: DbOption = None,
) -> Output:
    """Skills and knowledge that open the most employment in less exposed occupations.

    Example: laborlens careers reskill --beta-above 0.5 -o reskill.csv
    """
    from laborlens.careers.reskilling import reskilling_priorities

    result = reskilling_priorities(
        beta_above=beta_above,
        beta_below=beta_below,
        min_similarity=min_similarity,
        gap_tolerance=gap_tolerance,
        beta_source=beta_source,
        settings=settings_from(db=db),
    )
    s = result.summary
    shown = result.table.head(top)[
        ["rank", "element", "domain", "pairs_opened", "pairs_blocked", "jobs_per_worker",
         "workers_helped"]
    ].rename(
        columns={
            "rank": "#",
            "pairs_opened": "moves opened",
            "pairs_blocked": "moves blocked",
            "jobs_per_worker": "jobs per exposed worker",
            "workers_helped": "workers helped",
        }
    )
    return Output(
        result.table,
        display=shown,
        title=f"{s['exposed_occupations']} occupations with β ≥ {beta_above} "
        f"({s['exposed_workers']:,.0f} workers, β source {s['beta_source']}); "
        f"{s['moves_considered']} moves, {s['moves_reachable_now']} reachable now",
        written="Wrote {n} elements to {path}",
    )
