"""The impact section of ``laborlens report``: charts, tables and the methods paragraph."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from laborlens.capability import Section
from laborlens.charts import chart_html
from laborlens.config import Settings
from laborlens.exposure.rubric import (
    MEASURE_NAMES,
    MEASURE_SYMBOLS,
    MEASURES,
    SOURCE_NAMES,
    WEIGHTING_NAMES,
)
from laborlens.impact.choices import PAPER_CHOICES, Choices
from laborlens.impact.report import SOURCES_USED, impact_tables
from laborlens.sources.registry import get_source

N_DRAWS = 1000


def _pct(x: float) -> str:
    return "–" if pd.isna(x) else f"{100 * x:.1f} %"


def _bars(frame: pd.DataFrame, label: str, col: str, title: str, *, horizontal=False, height=420):
    err = {
        "type": "data",
        "symmetric": False,
        "array": frame[f"{col}_hi"] - frame[col],
        "arrayminus": frame[col] - frame[f"{col}_lo"],
    }
    fig = go.Figure()
    if horizontal:
        fig.add_bar(y=frame[label], x=frame[col], orientation="h", error_x=err)
    else:
        fig.add_bar(x=frame[label], y=frame[col], error_y=err)
    fig.update_layout(title=title, height=height)
    return fig


def _table(frame: pd.DataFrame, cols: dict[str, str], pct: tuple[str, ...] = ()) -> str:
    head = "".join(f"<th>{html.escape(v)}</th>" for v in cols.values())
    body = []
    for row in frame.to_dict("records"):
        cells = []
        for c in cols:
            v = row[c]
            if c in pct:
                text = _pct(v)
            elif isinstance(v, float):
                # Counts of workers are large; correlations and other fractions are not.
                text = "–" if pd.isna(v) else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}")
            else:
                text = str(v)
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


CAVEAT = (
    '<p class="caveat">Exposure is not job loss: these are workers whose tasks a language model '
    "could speed up, whether that ends up automating the work, changing it or leaving it as it "
    "is.</p>"
)


def _scheme_name(scheme: str) -> str:
    """``automation_human`` → "Automation potential, Human raters" (chart labels in words)."""
    kind, _, source = scheme.partition("_")
    what = {"exposure": "Exposure", "automation": "Automation potential"}.get(kind, kind)
    return f"{what}, {SOURCE_NAMES.get(source, source)}"


def _measure_label(measure: str) -> str:
    return f"{MEASURE_NAMES[measure]} ({MEASURE_SYMBOLS[measure]})"


def _plain_choices(choices: Choices) -> str:
    return (
        f"{SOURCE_NAMES[choices.source]}, {_measure_label(choices.measure)}, "
        f"{WEIGHTING_NAMES[choices.weighting]}, OEWS May {choices.vintage} employment"
    )


def _ci(row, col: str) -> str:
    return f"{_pct(row[col])} (95 % interval {_pct(row[col + '_lo'])} – {_pct(row[col + '_hi'])})"


def impact_section(settings: Settings, choices: Choices | None = None) -> Section:
    """Headline shares, distributions, reproduction, sensitivity, ILO classes, skills shift."""
    choices = choices or Choices()
    t = impact_tables(settings, choices, n_draws=N_DRAWS)
    head = t["impact_all_workers"].iloc[0]
    bill = t["impact_wage_bill"].iloc[0]
    m = MEASURE_NAMES[choices.measure]
    unscored_units = int(head["units_total"] - head["units_covered"])
    parts = [
        f"<p>Ratings and choices: <b>{html.escape(_plain_choices(choices))}</b>. "
        f"Workers whose occupation has ≥ 10 % of tasks exposed: {_ci(head, 'share_ge_0.1')}; "
        f"≥ 50 %: {_ci(head, 'share_ge_0.5')}. The average worker's {m}: "
        f"{_ci(head, 'mean_exposure')}; share of the wage bill in exposed tasks: "
        f"{_ci(bill, 'mean_exposure')}. Coverage: {head['employment_covered']:,.0f} of "
        f"{head['employment_total']:,.0f} workers ({_pct(head['employment_share_covered'])}); "
        f"{head['employment_unscored']:,.0f} work in {unscored_units}"
        f" OEWS occupations without a score, {head['employment_unpublished']:,.0f} are not "
        "published by occupation. Intervals: 95 % percentile bootstrap, "
        f"{N_DRAWS} draws resampling tasks within occupations.</p>",
        CAVEAT,
        "<h3>By source of ratings</h3>",
        _table(
            t["impact_headline_by_source"].assign(
                source=lambda f: f["source"].map(SOURCE_NAMES).fillna(f["source"])
            ),
            {
                "source": "ratings",
                "share_ge_0.1": "≥ 10 % of tasks",
                "share_ge_0.1_lo": "from",
                "share_ge_0.1_hi": "to",
                "share_ge_0.5": "≥ 50 % of tasks",
                "share_ge_0.5_lo": "from",
                "share_ge_0.5_hi": "to",
                "employment_share_covered": "employment covered",
            },
            pct=(
                "share_ge_0.1",
                "share_ge_0.1_lo",
                "share_ge_0.1_hi",
                "share_ge_0.5",
                "share_ge_0.5_lo",
                "share_ge_0.5_hi",
                "employment_share_covered",
            ),
        ),
    ]
    mg = t["impact_major_group"].dropna(subset=["mean_exposure"]).sort_values("mean_exposure")
    parts.append(
        chart_html(
            _bars(
                mg,
                "soc_major_title",
                "mean_exposure",
                f"{m.capitalize()} by occupation group (workers' average, 95 % interval)",
                horizontal=True,
                height=720,
            )
        )
    )
    wd = t["impact_wage_decile"]
    wd = wd[wd["wage_decile"] > 0]
    parts.append(
        chart_html(
            _bars(
                wd,
                "label",
                "mean_exposure",
                f"{m.capitalize()} by wage tenth (workers ranked by their occupation's median "
                "wage)",
            )
        )
    )
    jz = t["impact_job_zone"].dropna(subset=["mean_exposure"])
    parts.append(
        chart_html(
            _bars(
                jz,
                "label",
                "share_ge_0.5",
                "Share of workers with ≥ 50 % of tasks exposed by job zone",
            )
        )
    )
    st = t["impact_state"].dropna(subset=["mean_exposure"]).sort_values("mean_exposure")
    parts.append(
        chart_html(
            _bars(
                st,
                "area_name",
                "mean_exposure",
                f"{m.capitalize()} by state (workers' average, OEWS May 2025)",
                horizontal=True,
                height=1100,
            )
        )
    )
    metro = t["impact_metro"].dropna(subset=["mean_exposure"])
    metro = metro.nlargest(40, "employment_total").sort_values("mean_exposure")
    parts.append(
        chart_html(
            _bars(
                metro,
                "area_name",
                "mean_exposure",
                f"{m.capitalize()} in the 40 largest metro areas",
                horizontal=True,
                height=900,
            )
        )
    )
    st_cov = t["impact_state"]
    st_share = st_cov["employment_covered"].sum() / st_cov["employment_total"].sum()
    parts.append(
        f"<p>States: covered employment {_pct(st_share)}"
        f" of the states' published totals; OEWS suppresses "
        f"{st_cov['employment_unpublished'].sum():,.0f} jobs in state × occupation cells, "
        "counted as uncovered.</p>"
    )
    # reproduction and sensitivity
    rep = t["impact_reproduction"].head(8)
    pub = t["impact_published_headline"]
    pub = pub[(pub["source"] == "human") & (pub["measure"] == "beta")]
    parts += [
        "<details><summary>Technical detail: reproducing the paper, and how much the headline "
        "depends on the choices</summary>",
        "<h3>Reproducing the paper's headline</h3>",
        "<p>Eloundou et al. report that about 80 % of US workers have ≥ 10 % and about 19 % have"
        " ≥ 50 % of their tasks exposed (human β, OEWS May 2021). Straight from the published "
        "files (occ_level.csv scores, the paper's title match to OEWS May 2021): "
        + "; ".join(
            f"≥ {r.threshold:.0%} {_pct(r.share)} ({r.comparison} comparison)"
            for r in pub.itertuples()
        )
        + f". The closest choice set here is {html.escape(PAPER_CHOICES.label())}.</p>",
        _table(
            rep.assign(source=lambda f: f["source"].map(SOURCE_NAMES).fillna(f["source"])),
            {
                "source": "ratings",
                "weighting": "weighting",
                "measure": "measure",
                "link": "link",
                "share_ge_0.1": "≥ 10 %",
                "share_ge_0.5": "≥ 50 %",
                "residual_0.5": "residual (≥ 50 %)",
            },
            pct=("share_ge_0.1", "share_ge_0.5", "residual_0.5"),
        ),
    ]
    grid = t["impact_sensitivity"]
    # one box per measure and source: α, β and γ answer different questions, so pooling them
    # would read as one wide range ("3 %–60 % exposed")
    fig = go.Figure()
    for source, g in grid.groupby("source", sort=False):
        fig.add_box(
            x=g["measure"].map(MEASURE_SYMBOLS) + " " + g["measure"].map(MEASURE_NAMES),
            y=g["share_ge_0.5"],
            name=SOURCE_NAMES.get(source, source),
            boxpoints="all",
            text=g["weighting"]
            + " weighting, OEWS May "
            + g["vintage"].astype(str)
            + ", "
            + g["link"]
            + " link",
        )
    fig.update_layout(
        title="Share of workers with ≥ 50 % of tasks exposed, per measure, across the other "
        "choices (weighting × OEWS year × link)",
        boxmode="group",
        yaxis_tickformat=".0%",
        xaxis={
            "categoryorder": "array",
            "categoryarray": [f"{MEASURE_SYMBOLS[m]} {MEASURE_NAMES[m]}" for m in MEASURES],
        },
        height=480,
    )
    parts += [chart_html(fig), "</details>"]
    # automation vs augmentation
    ilo = t["impact_ilo_employment"]
    fig = go.Figure()
    for cls, g in ilo.groupby("ilo_class", sort=False):
        fig.add_bar(
            y=g["scheme"].map(_scheme_name),
            x=g["share_of_covered_employment"],
            name=cls,
            orientation="h",
        )
    fig.update_layout(
        barmode="stack",
        title="Employment by ILO class (Gmyrek et al. 2023 method) for each task rating",
        xaxis_tickformat=".0%",
        yaxis_automargin=True,
        height=460,
    )
    parts += [
        "<h3>Automation versus augmentation</h3>",
        "<p>Occupations whose tasks are uniformly highly rated fall in the <i>automation</i> "
        "class; those with a mix of high and low ratings in the <i>augmentation</i> class, where "
        "the technology more likely changes the work than replaces it.</p>",
        chart_html(fig),
        '<p class="caveat">"Automation potential" describes what the tasks could allow, not '
        "jobs that will be cut.</p>",
    ]
    aei = t["impact_aei_by_class"]
    aei = aei[aei["scheme"].isin(["exposure_model", "automation_model", "exposure_human"])]
    fig = go.Figure()
    for scheme, g in aei.groupby("scheme"):
        fig.add_bar(x=g["ilo_class"], y=g["mean_aei_automation_share"], name=_scheme_name(scheme))
    fig.update_layout(
        title="Observed automation share of Claude.ai conversations (AEI, "
        "2026-02) by our ILO class",
        yaxis_tickformat=".0%",
        height=420,
    )
    parts.append(chart_html(fig))
    parts.append(
        _table(
            t["impact_aei_agreement"].assign(scheme=lambda f: f["scheme"].map(_scheme_name)),
            {
                "scheme": "task rating",
                "tasks_matched": "tasks matched",
                "occupations_matched": "occupations",
                "employment_matched": "employment",
                "spearman_task": "Spearman (tasks)",
                "spearman_occupation": "Spearman (occupations)",
            },
        )
    )
    # skills shift
    sk = t["impact_skills_shift"]
    show = pd.concat([sk.head(10), sk.tail(10)]).sort_values("gap")
    fig = go.Figure(
        go.Bar(y=show["element_name"] + " (" + show["kind"] + ")", x=show["gap"], orientation="h")
    )
    fig.update_layout(
        title="Skills and knowledge: importance in the most exposed third of "
        "employment minus the least exposed third",
        height=620,
    )
    parts += ["<h3>Skills shift</h3>", chart_html(fig)]
    tech = t["impact_technology_shift"]
    show = pd.concat([tech.head(10), tech.tail(10)]).sort_values("gap")
    fig = go.Figure(go.Bar(y=show["commodity_title"], x=show["gap"], orientation="h"))
    fig.update_layout(
        title="Technology skills: share of users' employment in the most minus "
        "the least exposed third",
        height=620,
    )
    parts.append(chart_html(fig))
    parts.append("<details><summary>Methods and sources (impact)</summary>")
    parts.append(_methods(choices))
    parts.append("</details>")
    return Section("impact", "Labor-market impact", "\n".join(parts), t)


def _methods(choices: Choices) -> str:
    scores = (
        "the default laborlens model, expected values over O*NET 29.3 tasks"
        if choices.source == "model"
        else "E-rubric labels of the paper, O*NET 27.2 tasks"
    )
    licenses = []
    for name in SOURCES_USED:
        s = get_source(name)
        licenses.append(
            f"<li>{html.escape(s.path)}: {html.escape(s.publisher)}, "
            f"{html.escape(s.release)}; license: {html.escape(s.license)}</li>"
        )
    return (
        "<h3>Methods (impact)</h3><p>"
        f"Task scores: {choices.source} ({scores}); "
        f"task weighting: {choices.weighting}; measure: {choices.measure} "
        "(α = E1, β = E1 + ½E2, γ = E1 + E2); "
        f"threshold: {choices.threshold:g}; employment: OEWS May {choices.vintage} national "
        "(states and metro areas: OEWS May 2025); "
        f"link: {choices.link} (O*NET-SOC 2019 occupations to OEWS codes via the BLS NEM "
        "crosswalk, the unweighted mean of the O*NET occupations sharing a code; groups are "
        "employment-weighted). Wage deciles split employment into tenths by median annual wage; "
        "job zone of an OEWS code is the most common job zone of its O*NET occupations. "
        "Uncertainty: percentile bootstrap resampling tasks within occupations (model scores: "
        "labels also drawn from the predicted probabilities). ILO classes: automation potential "
        "mean ≥ 0.6 and SD < 0.2; augmentation potential mean < 0.4 and mean + SD > 0.5. Full "
        "method: docs/impact.md.</p><p>Sources and licenses:</p><ul>" + "".join(licenses) + "</ul>"
    )
