"""``laborlens measures``: every public AI exposure measure on one key (SOC 2018)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from laborlens.cli._common import (
    DbOption,
    Output,
    handle_errors,
    out,
    output_options,
    settings_from,
)

app = typer.Typer(
    help="Public AI exposure measures on one key (SOC 2018): compare, show one occupation.",
    no_args_is_help=True,
)

_SHORT = {
    "beta_human": "β hum",
    "beta_gpt4": "β gpt4",
    "beta_model": "β mod",
    "aioe": "aioe",
    "lm_aioe": "lm_aioe",
    "ms_ai_applicability": "ms",
    "aei_task_usage": "aei",
    "ilo_2025": "ilo",
    "frey_osborne": "f&o",
}


def _matrix_table(matrix, title: str) -> Table:
    cols = [_SHORT.get(c, c) for c in matrix.columns]
    table = Table("", *cols, title=title)
    for name, row in matrix.iterrows():
        cells = ("–" if v != v else f"{v:.2f}" for v in row)
        table.add_row(_SHORT.get(name, name), *cells)
    table.caption = ", ".join(f"{_SHORT.get(c, c)} = {c}" for c in matrix.columns)
    return table


@app.command("compare")
@handle_errors
@output_options
def measures_compare(db: DbOption = None) -> Output:
    """One row per SOC 2018 code (soc_2018_code, title, employment, a column per measure);
    prints coverage and the Pearson and Spearman correlation matrices.

    Example: laborlens measures compare -o measures.csv
    """
    from laborlens.measures.analysis import correlation_matrix
    from laborlens.measures.core import load_measures

    wide, cov = load_measures(settings_from(db=db))
    coverage = Table(
        "measure", "codes", "employment covered", "uncovered", "share", title="Coverage"
    )
    for r in cov.itertuples():
        coverage.add_row(
            r.measure,
            f"{r.codes_covered}/{r.codes_total}",
            f"{r.employment_covered:,.0f}",
            f"{r.employment_uncovered:,.0f}",
            f"{r.employment_share:.1%}",
        )
    tables = [coverage]
    for method, title in (("pearson", "Pearson"), ("spearman", "Spearman")):
        matrix = correlation_matrix(wide, method)
        tables.append(_matrix_table(matrix, f"{title} correlation (pairwise complete)"))
    return Output(
        wide,
        title="Measures by SOC 2018 occupation (first 20 rows; -o FILE for all)",
        display=wide.head(20),
        tables=tables,
        written=f"Wrote {{n}} SOC 2018 occupations × {len(wide.columns) - 3} measures to {{path}}",
    )


@app.command("show")
@handle_errors
def measures_show(
    code: Annotated[str, typer.Argument(help="SOC 2018 code (15-1252) or O*NET-SOC (15-1252.00)")],
    db: DbOption = None,
) -> None:
    """Every measure of one occupation side by side, with its percentile among covered codes.

    Example: laborlens measures show 15-1252
    """
    from laborlens.careers.resolve import ONET_CODE, occupation_candidates
    from laborlens.db.connection import connect
    from laborlens.measures.analysis import measures_for
    from laborlens.measures.core import load_measures

    settings = settings_from(db=db)
    if ONET_CODE.match(code.strip()):
        # an O*NET-SOC code must exist (15-1252.99 is not 15-1252): checked, not truncated
        with connect(settings.db_path) as con:
            occupation_candidates(con, code)
    wide, _ = load_measures(settings)
    frame = measures_for(wide, code)
    a = frame.attrs
    emp = "–" if a["employment"] != a["employment"] else f"{a['employment']:,.0f}"
    table = Table(
        "measure",
        "value",
        "percentile",
        "published on",
        title=f"{a['soc_2018_code']} {a['title']} (employment {emp})",
    )
    for r in frame.itertuples():
        missing = r.value != r.value
        table.add_row(
            r.label,
            "–" if missing else f"{r.value:.3f}",
            "–" if missing else f"{r.percentile:.0f}",
            r.native_key,
        )
    out.print(table)
