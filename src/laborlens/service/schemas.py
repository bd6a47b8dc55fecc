"""Request and response bodies of the REST API (they make its OpenAPI schema)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

MAX_STATEMENT_CHARS = 2000
MAX_TITLE_CHARS = 300


# At least one character that str.strip() keeps: Python's whitespace spelled out, because
# "\S" means something else in JSON Schema's (ECMA-262) regex than in Python's
NOT_BLANK = r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def _number_not_bool_or_text(value: Any) -> Any:
    if isinstance(value, bool | str):
        kind, msg = "int_type", "Input should be a valid integer"
        raise PydanticCustomError(kind, msg)
    return value


# JSON Schema's integer: 3 and 3.0 are integers, true and "3" are not
JsonInt = Annotated[int, BeforeValidator(_number_not_bool_or_text), Field(strict=False)]


class Strict(BaseModel):
    # strict: a JSON value of another type is rejected as its schema says, never coerced
    # (false is not the number 0)
    model_config = ConfigDict(extra="forbid", strict=True)


class Health(BaseModel):
    status: str
    database: str
    schema_version: str | None
    built_at: str | None
    laborlens_version: str
    models: bool
    title_coder: bool
    impact_aggregates: bool
    stale: bool = Field(
        default=False,
        description="the database file was replaced (or deleted) and this server still answers "
        "from the build described here; `reload` says why",
    )
    reload: str | None = Field(default=None, description="state of a switch to a new build")


class SearchHit(BaseModel):
    onet_soc_code: str
    title: str
    matched: str = Field(description="the code or title text that matched")
    match: str = Field(description="code, title, alternate or similar (the title coder)")
    score: float


class TaskIn(Strict):
    statement: str = Field(min_length=1, max_length=MAX_STATEMENT_CHARS, pattern=NOT_BLANK)
    title: str | None = Field(
        default=None, max_length=MAX_TITLE_CHARS, description="occupation title, if known"
    )


class ScoreRequest(Strict):
    tasks: list[TaskIn] = Field(min_length=1, description="task statements to rate")


class TaskScore(BaseModel):
    statement: str
    exposure: str = Field(description="E0, E1 or E2 (Eloundou et al. rubric)")
    p_E0: float
    p_E1: float
    p_E2: float
    beta: float = Field(description="P(E1) + ½ P(E2)")
    automation: str = Field(description="T0–T4")
    p_T0: float
    p_T1: float
    p_T2: float
    p_T3: float
    p_T4: float
    automation_score: float = Field(description="expected automation level / 4")


class ScoreResponse(BaseModel):
    model: dict[str, str]
    scores: list[TaskScore]


class TitlesRequest(Strict):
    titles: list[Annotated[str, Field(max_length=MAX_TITLE_CHARS)]] = Field(min_length=1)
    top: JsonInt = Field(default=5, ge=1, le=50)
    min_probability: float = Field(default=0.0, ge=0.0, le=1.0)


class TitleCode(BaseModel):
    title: str
    rank: int | None
    onet_soc_code: str | None
    soc_2018_code: str | None
    occupation_title: str | None
    probability: float | None


class TitlesResponse(BaseModel):
    results: list[TitleCode]


class PostingRequest(Strict):
    text: str = Field(
        min_length=1, pattern=NOT_BLANK, description="the posting, plain text or HTML"
    )
    title: str | None = Field(default=None, max_length=MAX_TITLE_CHARS)
    top: JsonInt = Field(default=3, ge=1, le=10)
    min_probability: float = Field(
        default=0.0, ge=0.0, le=1.0, description="list no occupation below this (abstain)"
    )


class Problem(BaseModel):
    detail: Any
    error: str | None = None
    candidates: list[dict] | None = Field(default=None, description="at most 20")
    candidates_total: int | None = None
