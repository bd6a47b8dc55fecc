"""JSON endpoints under ``/api``: thin wrappers over the library, one per question a user asks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool

from laborlens import __version__
from laborlens.jsonutil import clean_json
from laborlens.service.jsonbody import StrictJSONRoute
from laborlens.service.schemas import (
    NOT_BLANK,
    Health,
    PostingRequest,
    Problem,
    ScoreRequest,
    ScoreResponse,
    SearchHit,
    TitleCode,
    TitlesRequest,
    TitlesResponse,
)
from laborlens.service.store import Store

Source = Literal["human", "gpt4", "model"]
Objective = Literal["similarity", "balanced", "safer", "pay", "growth"]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "missing or wrong API key"},
    404: {"model": Problem, "description": "no such occupation"},
    413: {"model": Problem, "description": "request body or batch too large"},
    422: {"model": Problem, "description": "invalid input; the message names the field"},
    503: {"model": Problem, "description": "the database or models lack what this needs"},
}
# FastAPI answers 400 itself when a body cannot be parsed at all (bytes that are not UTF-8)
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": Problem,
        "description": "the body could not be parsed at all (bytes that are not UTF-8)",
    }
}
Code = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        description="O*NET-SOC code (15-1252.00), SOC code (15-1252) or an exact title",
    ),
]

router = APIRouter(prefix="/api", responses=ERRORS, route_class=StrictJSONRoute)


async def store(request: Request) -> AsyncIterator[Store]:
    # async: FastAPI would run a plain function in the thread pool for each request. The
    # request uses this one store (one build) throughout, even if the served one is switched.
    s = request.app.state.served.get()
    try:
        yield s
    finally:
        s.release()


def limits(request: Request):
    return request.app.state.config


StoreDep = Annotated[Store, Depends(store)]


def _check_batch(n: int, request: Request, what: str) -> None:
    cap = limits(request).max_batch
    if n > cap:
        raise HTTPException(413, f"{what}: {n} items in one request; at most {cap} allowed")


@router.get("/health", response_model=Health, tags=["service"])
def health(s: StoreDep, request: Request) -> Health:
    """Which database is served, when it was built, and which capabilities it has; ``stale``
    when the file was replaced and the new build is not (yet) served."""
    import datetime as dt

    served = request.app.state.served
    note = None
    if served.replaced_at is not None:
        when = dt.datetime.fromtimestamp(served.replaced_at, dt.UTC).isoformat(timespec="seconds")
        note = (
            f"the database file was replaced or deleted at {when}; still serving the build "
            + (
                f"below: the new one could not be loaded ({served.reload_error})"
                if served.reload_error
                else "below until the new one has loaded"
            )
        )
    elif served.switched_at is not None:
        when = dt.datetime.fromtimestamp(served.switched_at, dt.UTC).isoformat(timespec="seconds")
        note = f"switched to this build at {when}"
    return Health(
        stale=served.replaced_at is not None,
        reload=note,
        status="ok",
        database=str(s.settings.db_path),
        schema_version=s.build_info.get("schema_version"),
        built_at=s.build_info.get("built_at"),
        laborlens_version=__version__,
        models=s.models_available(),
        title_coder=s.has("title_index"),
        impact_aggregates=s.has("impact_aggregates"),
    )


@router.get("/occupations", response_model=list[SearchHit], tags=["occupations"])
def search_occupations(
    s: StoreDep,
    q: Annotated[
        str,
        Query(min_length=1, max_length=200, pattern=NOT_BLANK, description="title words or code"),
    ],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[dict]:
    """Occupations whose code, title or an alternate title matches ``q`` (every word begins a
    word of the title), then similar titles from the job-title coder."""
    if s.has("title_index"):
        s.coder()
    return s.search_index.search(q, limit)


@router.get("/occupations/{code}", tags=["occupations"])
async def occupation(s: StoreDep, code: Code) -> dict:
    """Facts, exposure by source and weighting, every public measure, national employment and
    wages (OEWS May 2025) and projections."""
    # An O*NET-SOC code is answered from memory on the event loop: a hop to the thread pool
    # would cost more than the lookup. Anything else is resolved by queries, in a thread.
    found = s.profiles.get(code) if s.profiles is not None else None
    if found is not None:
        return found
    return await run_in_threadpool(_occupation, s, code)


def _occupation(s: Store, code: str) -> dict:
    from laborlens.occupations import occupation_profile

    with s.cursor() as cur:
        resolved = _resolve(s, cur, code)
        if s.profiles is not None:
            return s.profiles.profile(cur, resolved)
        return occupation_profile(cur, resolved, s.measures)


@router.get("/occupations/{code}/tasks", tags=["occupations"])
def occupation_tasks(s: StoreDep, code: Code) -> dict:
    """The O*NET tasks with human and GPT-4 labels and the model's ratings."""
    from laborlens.occupations import occupation_tasks as tasks

    with s.cursor() as cur:
        return tasks(cur, _resolve(s, cur, code))


@router.get("/occupations/{code}/summary", tags=["occupations"])
def occupation_summary(
    s: StoreDep,
    code: Code,
    tasks: Annotated[int, Query(ge=1, le=20, description="tasks listed as most and least exposed")]
    = 5,
    moves: Annotated[int, Query(ge=1, le=20, description="career moves listed")] = 5,
) -> dict:
    """The one-page summary behind ``laborlens occupations show``: the share of tasks exposed
    by every source and every public measure with how far they agree, the tasks most and least
    exposed, employment, wages and their trends, and the best career moves."""
    from laborlens.occupations.summary import occupation_summary as summary

    with s.cursor() as cur:
        return _jsonable(summary(cur, _resolve(s, cur, code), n_tasks=tasks, n_moves=moves))


@router.get("/occupations/{code}/geography", tags=["occupations"])
def occupation_geography(
    s: StoreDep, code: Code, level: Literal["state", "metro"] = "state"
) -> dict:
    """Employment and wages by state or metro area (OEWS May 2025)."""
    from laborlens.occupations import occupation_geography as geography

    with s.cursor() as cur:
        return geography(cur, _resolve(s, cur, code), level)


@router.get("/occupations/{code}/transitions", tags=["careers"])
def occupation_transitions(
    s: StoreDep,
    code: Code,
    objective: Objective = "balanced",
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict:
    """Occupations a worker could move to, with the reasons (same as ``/careers/recommend``)."""
    return _recommend(s, code, objective, top, None)


@router.get("/careers/recommend", tags=["careers"])
def careers(
    s: StoreDep,
    occupation: Annotated[str, Query(min_length=1, max_length=200)],
    objective: Objective = "balanced",
    top: Annotated[int, Query(ge=1, le=50)] = 10,
    beta_source: Source | None = None,
) -> dict:
    """Career moves from an occupation given by code or job title."""
    return _recommend(s, occupation, objective, top, beta_source)


def _resolve(s: Store, cur, text: str) -> str:
    """The O*NET-SOC code ``text`` means. Free text may go through the title coder, which
    serves one thread at a time (its cache is shared), so it resolves under the coder's lock;
    a code never reaches the coder and takes no lock."""
    from laborlens.careers.resolve import CODE_LIKE, resolve_occupation

    if CODE_LIKE.match(text.strip()):
        return resolve_occupation(cur, text)
    # this store's coder (loaded before taking the lock): the build this request reads
    coder = s.coder() if s.has("title_index") else None
    with s.coder_lock:
        return resolve_occupation(cur, text, coder=coder)


def _recommend(s: Store, occupation: str, objective: str, top: int, beta_source) -> dict:
    from laborlens.careers.recommend import recommend_careers

    with s.cursor() as cur:
        rec = recommend_careers(
            _resolve(s, cur, occupation),
            top=top,
            objective=objective,
            beta_source=beta_source,
            con=cur,
        )
    return _jsonable(rec.to_dict())


@router.post("/score", response_model=ScoreResponse, tags=["models"], responses=BODY_ERRORS)
async def score(s: StoreDep, body: ScoreRequest, request: Request) -> ScoreResponse:
    """Rate task statements: exposure (E0/E1/E2) and automation level (T0–T4), with calibrated
    probabilities, from the default models. Concurrent requests are scored together in one
    batch (same results as one by one)."""
    _check_batch(len(body.tasks), request, "tasks")
    exposure, automation = s.models() if s.models_loaded else await run_in_threadpool(s.models)
    frame = pd.DataFrame(
        {"Task": [t.statement for t in body.tasks], "Title": [t.title for t in body.tasks]}
    )
    out = await s.batcher().score(frame)

    def respond() -> ScoreResponse:
        return ScoreResponse(
            model={"exposure": exposure.arch, "automation": automation.arch},
            scores=out.to_dict("records"),
        )

    # a large answer is built off the event loop, which other requests need meanwhile
    return respond() if len(out) <= 64 else await run_in_threadpool(respond)


@router.post("/titles/code", response_model=TitlesResponse, tags=["titles"], responses=BODY_ERRORS)
def code_titles(s: StoreDep, body: TitlesRequest, request: Request) -> TitlesResponse:
    """Job titles → ranked O*NET-SOC codes with calibrated probabilities (no code below
    ``min_probability``: the title is then returned with empty fields)."""
    _check_batch(len(body.titles), request, "titles")
    cap = limits(request).max_results
    if len(body.titles) * body.top > cap:
        msg = (
            f"{len(body.titles)} titles × top {body.top} = {len(body.titles) * body.top} results; "
            f"at most {cap} per request: send fewer titles or a smaller top"
        )
        raise HTTPException(413, msg)
    coder = s.coder()
    with s.coder_lock:
        frame = coder.code(body.titles, top=body.top, min_probability=body.min_probability)
    return TitlesResponse(results=[TitleCode(**r) for r in _jsonable(frame.to_dict("records"))])


@router.get("/titles/code", response_model=TitlesResponse, tags=["titles"])
def code_title(
    s: StoreDep,
    title: Annotated[str, Query(min_length=1, max_length=300)],
    top: Annotated[int, Query(ge=1, le=50)] = 5,
    min_probability: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
) -> TitlesResponse:
    """One job title (see the POST form for batches)."""
    coder = s.coder()
    with s.coder_lock:
        frame = coder.code_one(title, top=top, min_probability=min_probability)
    return TitlesResponse(results=[TitleCode(**r) for r in _jsonable(frame.to_dict("records"))])


@router.post("/postings/analyze", tags=["titles"], responses=BODY_ERRORS)
def analyze_posting(s: StoreDep, body: PostingRequest) -> dict:
    """A job posting → likely occupations, its task-like statements rated, a posting β with
    a 95 % interval, and how it differs from the occupation's O*NET tasks."""
    from laborlens.posting.analyze import analyze_posting as analyze

    models = s.models()
    coder = s.coder()
    # bytes, never str: a short string is taken as a file path by the library's reader. The
    # store's connection and coder: the build this request reads, whatever the file now is.
    with s.model_lock, s.coder_lock, s.cursor() as cur:
        result = analyze(
            body.text.encode("utf-8"),
            settings=s.settings,
            title=body.title,
            top=body.top,
            min_probability=body.min_probability,
            models=models,
            con=cur,
            coder=coder,
        )
    return _jsonable(result.to_dict())


@router.get("/measures", tags=["measures"])
def measures(s: StoreDep) -> dict:
    """Every public measure on SOC 2018: what it is, its source and its coverage."""
    from laborlens.measures.core import MEASURES

    cov = s.coverage.set_index("measure")
    rows = []
    for m in MEASURES:
        row = {k: getattr(m, k) for k in ("name", "label", "source", "vintage", "license")}
        row["meaning"] = m.meaning
        if m.name in cov.index:
            c = cov.loc[m.name]
            row |= {
                "codes_covered": c["codes_covered"],
                "employment_share": c["employment_share"],
            }
        rows.append(row)
    return {"measures": _jsonable(rows)}


@router.get("/measures/correlation", tags=["measures"])
def measures_correlation(
    s: StoreDep, method: Literal["pearson", "spearman", "weighted_pearson"] = "pearson"
) -> dict:
    """Correlation of every pair of measures over the SOC codes where both have a value, and
    the number of codes each pair is compared on."""
    from laborlens.measures.analysis import correlation_matrix, pair_counts

    corr = correlation_matrix(s.measures, method)
    n = pair_counts(s.measures, list(corr.columns))
    return {
        "method": method,
        "measures": list(corr.columns),
        "matrix": _jsonable(corr.to_numpy().tolist()),
        "pairs": _jsonable(n.to_numpy().tolist()),
    }


@router.get("/measures/table", tags=["measures"])
def measures_table(s: StoreDep) -> dict:
    """The wide table: one row per SOC 2018 code, one column per measure."""
    return {"rows": _jsonable(s.measures.to_dict("records"))}


@router.get("/impact", tags=["impact"])
def impact(s: StoreDep, source: Source = "human") -> dict:
    """Headline shares of workers by exposure with 95 % bootstrap intervals, and the same by
    SOC major group, wage decile and job zone (default choices; stored at build time)."""
    from laborlens.impact.store import stored_groups, stored_headline, stored_sources

    with s.cursor() as cur:
        return _jsonable(
            {
                "sources": stored_sources(cur),
                "headline": stored_headline(cur, source),
                **{
                    f"{b}s": stored_groups(cur, source, b)
                    for b in ("major_group", "wage_decile", "job_zone")
                },
            }
        )


@router.get("/impact/geography", tags=["impact"])
def impact_geography(
    s: StoreDep, source: Source = "human", level: Literal["state", "metro"] = "state"
) -> dict:
    """The headline statistics for every state or metro area, with intervals."""
    from laborlens.impact.store import stored_groups, stored_sources

    with s.cursor() as cur:
        return _jsonable(
            {
                "sources": stored_sources(cur),
                "source": source,
                "level": level,
                "areas": stored_groups(cur, source, level),
            }
        )


@router.get("/impact/occupations", tags=["impact"])
def impact_occupations(s: StoreDep, source: Source = "human") -> dict:
    """Per OEWS occupation: employment, wages and exposure score (the scatter's points)."""
    from laborlens.impact.store import stored_units

    with s.cursor() as cur:
        units = stored_units(cur, source)
    return {"source": source, "units": _jsonable(units.to_dict("records"))}


@router.get("/vulnerability", tags=["vulnerability"])
def vulnerability(s: StoreDep) -> dict:
    """Workers by exposure quartile × adaptive capacity (the default map stored at build time):
    national and major-group counts of high-exposure, low-capacity workers with 95 % intervals,
    the quartile grid and the index's sensitivity to each component."""
    from laborlens.vulnerability.store import stored_map

    with s.cursor() as cur:
        return _jsonable(stored_map(cur))


@router.get("/vulnerability/areas", tags=["vulnerability"])
def vulnerability_areas(s: StoreDep, level: Literal["state", "metro"] = "state") -> dict:
    """High-exposure, low-capacity workers in every state or metro (local wages and density),
    with 95 % intervals and coverage against the OEWS area totals."""
    from laborlens.vulnerability.store import stored_areas

    with s.cursor() as cur:
        return {"level": level, "areas": _jsonable(stored_areas(cur, level))}


@router.get("/emerging", tags=["emerging"])
def emerging(s: StoreDep) -> dict:
    """Task change between O*NET releases (counts by status and by task ID), β of new vs removed
    statements with 95 % bootstrap intervals, emerging statements against their occupations,
    AI shares (docs/emerging.md)."""
    from laborlens.emerging.query import summary

    if not s.has("emerging_summary"):
        raise HTTPException(404, "The database has no emerging-work tables (built with models).")
    with s.cursor() as cur:
        return _jsonable(summary(cur))


@router.get("/emerging/overview", tags=["emerging"])
def emerging_overview(s: StoreDep) -> dict:
    """Everything the dashboard's "New work" view shows: the summary of ``/emerging``, the
    difference in exposure of new vs removed statements by SOC major group, the occupations
    whose task content changed most, the largest changes both ways, emerging statements by
    occupation, occupations new since SOC 2010 and the fastest-growing ones, and AI work over
    releases and in job postings (docs/emerging.md)."""
    from laborlens.emerging.query import overview

    if not s.has("emerging_summary"):
        raise HTTPException(404, "The database has no emerging-work tables (built with models).")
    with s.cursor() as cur:
        return _jsonable(overview(cur))


@router.get("/emerging/tasks/{code}", tags=["emerging"])
def emerging_tasks(
    s: StoreDep,
    code: Code,
    old: Annotated[
        Literal["20.1", "29.3"],
        Query(alias="from", description="20.1: compare 20.1 -> 29.3; 29.3: compare 29.3 -> 30.1"),
    ] = "20.1",
) -> dict:
    """One occupation's new, removed, revised and emerging statements with their ratings, and
    its revisions as pairs of old and new wording (``revisions``).

    The database holds two comparisons, so ``from`` names one of them; the later release
    follows from it (every request the schema allows has an answer)."""
    from laborlens.emerging.query import revision_pairs, task_rows

    new = {"20.1": "29.3", "29.3": "30.1"}[old]

    if not s.has("emerging_task_change"):
        raise HTTPException(404, "The database has no emerging-work tables (built with models).")
    with s.cursor() as cur:
        # resolved as by every occupation endpoint: an unknown code is a 404 naming it
        resolved = _resolve(s, cur, code)
        rows = task_rows(cur, old, new, code=resolved)
        pairs = revision_pairs(cur, old, new, code=resolved)
    return {
        "code": resolved,
        "from": old,
        "to": new,
        "tasks": _jsonable(rows.to_dict("records")),
        "revisions": _jsonable(pairs.to_dict("records")),
    }


_jsonable = clean_json
