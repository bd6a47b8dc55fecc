"""Build the title index at database build time, and calibrate the coder on held-out titles.

Tables written (see the titles capability, ``titles/capability.py``):

``title_index``            one row per (occupation, normalised title) from O*NET occupation
                           titles, alternate titles, their short forms and reported titles
``title_token_vectors``    every distinct token of those titles with its IDF and its MiniLM
                           vector (~10k short texts: about 10 s cold on 2 cores, then cached by
                           ``embed_cached``); the coder's static semantic embedding
``title_occupation_prior`` log employment share of each occupation (OEWS May 2025)
``title_coder_params``     the fitted weights, prior strength, temperature and the held-out
                           evaluation

Held-out evaluation: alternate and reported titles are grouped by (occupation, head noun), so
"Staff Accountant" and "Senior Accountant" of one occupation fall in the same group; 10 % of
groups are removed from the index (lexical and semantic: the held-out coder's static encoder only
knows the tokens of the remaining titles); their alternate and incumbent-reported titles become
queries. Half of the held-out groups fit the weights (grid, top-1) and the temperature (NLL), the
other half is reported.
"""

from __future__ import annotations

from collections import Counter

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

from laborlens.capability import BuildContext
from laborlens.titles.coder import StaticEncoder, TitleCoder
from laborlens.titles.normalize import head_noun, normalize_title

SEMANTIC_SOURCES = ("occupation", "short", "reported")
HELDOUT_FRACTION = 0.10
MAX_QUERIES = 3000
TOKEN_MAX_LENGTH = 16


def title_entries(con) -> pd.DataFrame:
    """All index titles: onet_soc_code, title, normalized, source, group_key, semantic."""
    parts = [
        con.execute(
            "SELECT onet_soc_code, title, 'occupation' AS source FROM onet_occupations"
        ).df(),
        con.execute(
            "SELECT onet_soc_code, alternate_title AS title, 'alternate' AS source "
            "FROM onet_alternate_titles"
        ).df(),
        con.execute(
            "SELECT onet_soc_code, short_title AS title, 'short' AS source "
            "FROM onet_alternate_titles WHERE short_title IS NOT NULL"
        ).df(),
        con.execute(
            "SELECT onet_soc_code, reported_title AS title, 'reported' AS source "
            "FROM onet_reported_titles"
        ).df(),
    ]
    frame = pd.concat(parts, ignore_index=True)
    frame["title"] = frame["title"].astype(str)
    # O*NET's own titles keep "Senior", "Lead": they can be part of the occupation there.
    frame["normalized"] = [normalize_title(t, strip_noise=False) for t in frame["title"]]
    frame = frame[frame["normalized"] != ""]
    rank = {s: i for i, s in enumerate(("occupation", "reported", "short", "alternate"))}
    frame = (
        frame.assign(_r=frame["source"].map(rank))
        .sort_values(["onet_soc_code", "_r", "title"])
        .drop_duplicates(["onet_soc_code", "normalized"])
        .drop(columns="_r")
        .reset_index(drop=True)
    )
    frame["group_key"] = frame["onet_soc_code"] + "|" + frame["normalized"].map(head_noun)
    frame["semantic"] = frame["source"].isin(SEMANTIC_SOURCES)
    frame.insert(0, "entry_id", np.arange(len(frame), dtype=np.int64))
    return frame


def _occupations(con) -> pd.DataFrame:
    """Occupations with a log prior from OEWS May 2025 employment (uniform without OEWS).

    Employment published for an OEWS code is split equally among the O*NET codes under it;
    occupations without published employment get the smallest published share."""
    occ = con.execute(
        "SELECT onet_soc_code, title AS occupation_title, nem_code, "
        "coalesce(soc_2018_code, substr(onet_soc_code, 1, 7)) AS soc_2018_code FROM occupations"
    ).df()
    # a missing OEWS table is a build error, never a silently uniform prior
    emp = dict(
        con.execute(
            "SELECT soc_code, employment FROM oews_national_2025 WHERE employment > 0"
        ).fetchall()
    )
    key = occ["nem_code"].where(occ["nem_code"].isin(emp), occ["soc_2018_code"])
    value = key.map(emp).astype(float)
    share = value / key.map(key.value_counts()).astype(float)
    floor = share.min() if share.notna().any() else 1.0
    share = share.fillna(floor)
    occ["log_prior"] = np.log(share / share.sum())
    return occ.drop(columns="nem_code")


def token_vectors(entries: pd.DataFrame, settings) -> tuple[list[str], np.ndarray]:
    """Every distinct token of the index titles and its MiniLM vector (disk-cached)."""
    from laborlens.models.encoder import embed_cached

    tokens = sorted({w for n in entries["normalized"] for w in n.split()})
    return tokens, embed_cached(tokens, settings.cache_dir, max_length=TOKEN_MAX_LENGTH)


def static_encoder(entries: pd.DataFrame, tokens: list[str], vectors: np.ndarray) -> StaticEncoder:
    """The static encoder over the tokens of ``entries`` (IDF over their distinct titles); a
    token absent from ``entries`` is unknown, as it would be for a query."""
    texts = entries["normalized"].drop_duplicates()
    df = Counter(w for n in texts for w in set(n.split()))
    keep = [i for i, t in enumerate(tokens) if t in df]
    kept = [tokens[i] for i in keep]
    idf = np.log((1 + len(texts)) / (1 + np.array([df[t] for t in kept], float))) + 1
    return StaticEncoder(kept, idf.astype(np.float32), vectors[keep])


def _nll(logits: np.ndarray, y: np.ndarray) -> float:
    return float(-log_softmax(logits, axis=1)[np.arange(len(y)), y].mean())


def _fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    res = minimize_scalar(
        lambda lt: _nll(scores / np.exp(lt), y), bounds=(np.log(1e-3), 0.0), method="bounded"
    )
    return float(np.exp(res.x))


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10):
    """ECE of top-1 probabilities (equal-width bins) and the reliability table."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    rows, ece = [], 0.0
    for b in range(bins):
        m = which == b
        if m.any():
            gap = abs(confidence[m].mean() - correct[m].mean())
            ece += m.mean() * gap
            rows.append(
                (edges[b], edges[b + 1], int(m.sum()), confidence[m].mean(), correct[m].mean())
            )
    table = pd.DataFrame(rows, columns=["low", "high", "n", "mean_probability", "accuracy"])
    return float(ece), table


def heldout_split(entries: pd.DataFrame, seed: int = 0):
    """(index entries, query frame with the set of true occupations, query halves)."""
    rng = np.random.default_rng(seed)
    candidates = entries.loc[entries["source"] != "occupation", "group_key"].unique()
    held = set(rng.choice(candidates, int(len(candidates) * HELDOUT_FRACTION), replace=False))
    not_occ = entries["source"] != "occupation"
    in_group = entries["group_key"].isin(held) & not_occ
    # The same title listed under other occupations leaves the index too (no exact-match leak),
    # and every occupation listing it counts as correct.
    held_norms = set(entries.loc[in_group, "normalized"])
    in_held = in_group | (entries["normalized"].isin(held_norms) & not_occ)
    train = entries[~in_held]
    # Queries: alternate titles and incumbent-reported titles (the job-board-like ones).
    queries = entries[in_group & entries["source"].isin(("alternate", "reported"))]
    queries = queries.assign(query=[normalize_title(t) for t in queries["title"]])
    queries = queries[queries["query"] != ""]
    listed = (
        entries[entries["normalized"].isin(held_norms)]
        .groupby("normalized")["onet_soc_code"]
        .agg(set)
    )
    truth = queries.groupby("query").apply(
        lambda g: (
            set().union(*(listed.get(n, set()) for n in g["normalized"])) | set(g["onet_soc_code"])
        )
    )
    first = queries.groupby("query")[["group_key", "source"]].first()
    q = pd.DataFrame(
        {
            "query": truth.index,
            "truth": truth.to_numpy(),
            "group": first["group_key"].to_numpy(),
            "source": first["source"].to_numpy(),
        }
    )
    if len(q) > MAX_QUERIES:
        q = q.sample(MAX_QUERIES, random_state=seed).reset_index(drop=True)
    groups = q["group"].unique()
    calib_groups = set(rng.choice(groups, len(groups) // 2, replace=False))
    q["half"] = np.where(q["group"].isin(calib_groups), "calibration", "evaluation")
    return train, q


def _first_true(coder: TitleCoder, truth: pd.Series) -> np.ndarray:
    """Index of one true occupation per query (the first), for the likelihood."""
    idx = {c: i for i, c in enumerate(coder.occupations["onet_soc_code"])}
    return np.array([min(idx[c] for c in s if c in idx) for s in truth])


GRID = {
    "alternate_weight": (0.7, 0.8, 0.9, 1.0),
    "char_weight": (0.4, 0.6, 0.8),
    "semantic_weight": (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0),
    # in similarity units: the prior is added to the score before dividing by the temperature
    "prior": (0.0, 0.005, 0.01, 0.02, 0.04),
}


def fit_and_evaluate(entries, tokens, vectors, occupations) -> tuple[dict, dict]:
    """Fit weights, prior strength and temperature on one held-out half; evaluate on the other.

    The held-out coder is built without the held-out titles, lexically and semantically (its
    static encoder knows only the tokens of the remaining titles)."""
    train, q = heldout_split(entries)
    coder = TitleCoder(train, occupations, static_encoder(train, tokens, vectors))
    norms = q["query"].tolist()
    lex = {a: ([], []) for a in GRID["char_weight"]}
    sems = []
    for start in range(0, len(norms), 256):
        chunk = norms[start : start + 256]
        for a, (main, alt) in lex.items():
            m, al = coder.lexical_parts(chunk, a)
            main.append(m)
            alt.append(al)
        sems.append(coder.semantic(chunk))
    lex = {a: (np.concatenate(m), np.concatenate(al)) for a, (m, al) in lex.items()}
    sem = np.concatenate(sems)
    y = _first_true(coder, q["truth"])
    codes = coder.occupations["onet_soc_code"].to_numpy()
    pos = {c: i for i, c in enumerate(codes)}
    truth_mask = np.zeros(sem.shape, dtype=bool)
    for r, s in enumerate(q["truth"]):
        truth_mask[r, [pos[c] for c in s if c in pos]] = True
    cal = (q["half"] == "calibration").to_numpy()
    prior = coder.log_prior[None, :]

    def logits(params, rows):
        main, alt = lex[params["char_weight"]]
        lexical = np.maximum(main[rows], params["alternate_weight"] * alt[rows])
        return TitleCoder.combine(lexical, sem[rows], prior, params)

    best = None
    for alt in GRID["alternate_weight"]:
        for a in GRID["char_weight"]:
            for w in GRID["semantic_weight"]:
                for b in GRID["prior"]:
                    params = {
                        "alternate_weight": alt,
                        "char_weight": a,
                        "semantic_weight": w,
                        "temperature": 1.0,
                        "prior_weight": b,
                    }
                    score = logits(params, cal)
                    acc = truth_mask[cal][np.arange(cal.sum()), score.argmax(1)].mean()
                    if best is None or acc > best[0] + 1e-9:
                        best = (acc, params)
    params = best[1]
    raw = logits({**params, "prior_weight": 0.0}, cal)
    pr = params["prior_weight"]
    t = _fit_temperature(raw + pr * prior, y[cal])
    params = {**params, "temperature": t, "prior_weight": pr / t}
    ev = ~cal
    probs = softmax(logits(params, ev), axis=1)
    order = np.argsort(-probs, axis=1)[:, :3]
    hit = np.take_along_axis(truth_mask[ev], order, axis=1)
    ece, _ = expected_calibration_error(probs.max(1), hit[:, 0].astype(float))
    lexical_only = logits({**params, "semantic_weight": 0.0}, ev).argmax(1)
    source = q.loc[ev, "source"].to_numpy()
    soc = np.array([c[:7] for c in codes])
    true_soc = [{c[:7] for c in s} for s in q.loc[ev, "truth"]]
    metrics = {
        "heldout_queries": float(ev.sum()),
        "heldout_top1": float(hit[:, 0].mean()),
        "heldout_top3": float(hit.any(1).mean()),
        "heldout_top1_soc6": float(
            np.mean([soc[o[0]] in t for o, t in zip(order, true_soc, strict=True)])
        ),
        "heldout_top1_lexical_only": float(
            truth_mask[ev][np.arange(ev.sum()), lexical_only].mean()
        ),
        "heldout_ece": ece,
    }
    for src in ("reported", "alternate"):
        m = source == src
        metrics[f"heldout_{src}_queries"] = float(m.sum())
        metrics[f"heldout_{src}_top1"] = float(hit[m, 0].mean()) if m.any() else float("nan")
    return params, metrics


TITLE_SOURCE_TABLES = (
    "onet_occupations",
    "onet_alternate_titles",
    "onet_reported_titles",
    "onet_soc_crosswalk",
    "oews_national_2025",
)


def load_title_sources(path, settings, extra: tuple[str, ...] = ()) -> None:
    """Write a database with only the source tables the title index reads (plus ``extra``),
    loaded by the build's own readers, and the ``occupations`` link: the index without a
    full build, for tests and benchmarks."""
    from laborlens.db.tables import SOURCE_TABLES
    from laborlens.sources.fetch import fetch

    specs = {spec.name: spec for spec in SOURCE_TABLES}
    with duckdb.connect(str(path)) as con:
        for name in (*TITLE_SOURCE_TABLES, *extra):
            spec = specs[name]
            con.register("_frame", spec.reader(fetch(spec.source, settings)))
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _frame')
            con.unregister("_frame")
        con.execute(
            "CREATE TABLE occupations AS SELECT o.onet_soc_code, o.title, o.description, "
            "x.soc_2018_code, x.nem_code FROM onet_occupations o "
            "LEFT JOIN onet_soc_crosswalk x USING (onet_soc_code)"
        )


def build_title_tables(con, ctx: BuildContext) -> None:
    """Build step (titles capability): write title_index, title_token_vectors,
    title_occupation_prior and title_coder_params."""
    entries = title_entries(con)
    tokens, vectors = token_vectors(entries, ctx.settings)
    encoder = static_encoder(entries, tokens, vectors)
    occupations = _occupations(con)
    params, metrics = fit_and_evaluate(entries, tokens, vectors, occupations)
    con.register("_titles", entries)
    con.execute("CREATE TABLE title_index AS SELECT * FROM _titles")
    con.unregister("_titles")
    inv = sorted(encoder.vocab, key=encoder.vocab.get)
    dim = encoder.vectors.shape[1]
    arrow = pa.table(
        {
            "token": pa.array(inv),
            "idf": pa.array(encoder.idf),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(encoder.vectors.ravel()), dim),
        }
    )
    con.register("_tok", arrow)
    con.execute(
        "CREATE TABLE title_token_vectors AS SELECT token, idf, "
        f"vector::FLOAT[{dim}] AS vector FROM _tok"
    )
    con.unregister("_tok")
    values = pd.DataFrame(
        {
            "key": list(params) + list(metrics),
            "value": list(params.values()) + list(metrics.values()),
        }
    )
    prior = occupations[["onet_soc_code", "log_prior"]]
    con.register("_prior", prior)
    con.execute("CREATE TABLE title_occupation_prior AS SELECT * FROM _prior")
    con.unregister("_prior")
    con.register("_params", values)
    con.execute("CREATE TABLE title_coder_params AS SELECT * FROM _params")
    con.unregister("_params")
