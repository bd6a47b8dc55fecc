"""Build the title index at database build time, and calibrate the coder on held-out titles.

Tables written (see ``DERIVED_TABLES``):

``title_index``        one row per (occupation, normalised title) from O*NET occupation titles,
                       alternate titles, their short forms and reported titles
``title_embeddings``   MiniLM vectors of the index titles marked ``semantic`` (occupation, short
                       and reported titles: ~10k, a deduplicated subset; the 46k alternate titles
                       are matched lexically only, which keeps a cold build to about a minute)
``title_coder_params`` the fitted mixing weights, temperatures and the held-out evaluation

Held-out evaluation: alternate and reported titles are grouped by (occupation, head noun), so
"Staff Accountant" and "Senior Accountant" of one occupation fall in the same group; 10 % of
groups are removed from the index (lexical and semantic), their alternate titles become queries.
Half of the held-out groups fit the weights and temperatures, the other half is reported.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

from laborlens.titles.coder import DEFAULT_PARAMS, TitleCoder
from laborlens.titles.normalize import head_noun, normalize_title

SEMANTIC_SOURCES = ("occupation", "short", "reported")
HELDOUT_FRACTION = 0.10
MAX_QUERIES = 3000
EMBED_MAX_LENGTH = 64


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
    try:
        emp = dict(
            con.execute(
                "SELECT soc_code, employment FROM oews_national_2025 WHERE employment > 0"
            ).fetchall()
        )
    except duckdb.Error:
        emp = {}
    key = occ["nem_code"].where(occ["nem_code"].isin(emp), occ["soc_2018_code"])
    value = key.map(emp).astype(float)
    share = value / key.map(key.value_counts()).astype(float)
    floor = share.min() if share.notna().any() else 1.0
    share = share.fillna(floor)
    occ["log_prior"] = np.log(share / share.sum())
    return occ.drop(columns="nem_code")


def _embed(texts: list[str], settings) -> np.ndarray:
    from laborlens.models.encoder import embed_cached

    if not texts:
        return np.zeros((0, 384), np.float32)
    return embed_cached(texts, settings.cache_dir, max_length=EMBED_MAX_LENGTH)


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
    queries = entries[in_group & (entries["source"] == "alternate")]
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
    group = queries.groupby("query")["group_key"].first()
    q = pd.DataFrame({"query": truth.index, "truth": truth.to_numpy(), "group": group.to_numpy()})
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


def fit_and_evaluate(entries, embeddings, occupations, settings) -> tuple[dict, dict]:
    """Fit mixing weights and temperatures on one held-out half; evaluate on the other."""
    train, q = heldout_split(entries)
    sem_ids = entries.loc[entries["semantic"], "entry_id"].to_numpy()
    keep = np.isin(sem_ids, train.loc[train["semantic"], "entry_id"].to_numpy())
    coder = TitleCoder(train, embeddings[keep], occupations, DEFAULT_PARAMS)
    norms = q["query"].tolist()
    sem = coder.semantic(norms, _embed(norms, settings))
    lexical = {}
    for alt in (0.8, 0.9, 1.0):
        coder._entry_weight = np.where(coder.entries["source"] == "alternate", alt, 1.0)
        lexical[alt] = coder.lexical(norms)
    char, word = lexical[1.0]
    y = _first_true(coder, q["truth"])
    codes = coder.occupations["onet_soc_code"].to_numpy()
    truth_mask = np.zeros_like(char, dtype=bool)
    pos = {c: i for i, c in enumerate(codes)}
    for r, s in enumerate(q["truth"]):
        truth_mask[r, [pos[c] for c in s if c in pos]] = True
    cal = (q["half"] == "calibration").to_numpy()

    def top1(score, rows):
        return truth_mask[rows][np.arange(rows.sum()), score[rows].argmax(1)].mean()

    prior = coder.log_prior[None, :]
    best = None
    # The prior's weight is in temperature units: it is added to score / T, T ≈ 0.05–0.2.
    for alt, (char, word) in lexical.items():
        for a in (0.4, 0.6, 0.8):
            lex = a * char + (1 - a) * word
            for w in (0.0, 0.25, 0.5, 0.75, 1.0, 1.5):
                for b in (0.0, 0.005, 0.01, 0.02, 0.04):
                    acc = top1(lex + w * sem + b * prior, cal)
                    if best is None or acc > best[0] + 1e-9:
                        best = (acc, alt, a, w, b)
    _, alt, a, w, b = best
    char, word = lexical[alt]
    lex = a * char + (1 - a) * word
    combined = lex + w * sem
    t = _fit_temperature(combined[cal] + b * prior, y[cal])
    t_lex = _fit_temperature(lex[cal] + b * prior, y[cal])
    params = {
        "char_weight": a,
        "semantic_weight": w,
        "temperature": t,
        "temperature_lexical": t_lex,
        "gate": DEFAULT_PARAMS["gate"],
        "prior_weight": b / t,
        "alternate_weight": alt,
    }
    gated = lex.max(1) >= params["gate"]
    logits = np.where(gated[:, None], lex / t_lex, combined / t) + params["prior_weight"] * prior
    ev = ~cal
    probs = softmax(logits[ev], axis=1)
    order = np.argsort(-probs, axis=1)[:, :3]
    tm = truth_mask[ev]
    hit = np.take_along_axis(tm, order, axis=1)
    ece, _ = expected_calibration_error(probs.max(1), hit[:, 0].astype(float))
    metrics = {
        "heldout_queries": float(ev.sum()),
        "heldout_top1": float(hit[:, 0].mean()),
        "heldout_top3": float(hit.any(1).mean()),
        "heldout_top1_lexical_only": float(top1(lex, ev)),
        "heldout_ece": ece,
        "heldout_semantic_share": float((~gated[ev]).mean()),
    }
    soc = np.array([c[:7] for c in codes])
    true_soc = [{c[:7] for c in s} for s in q.loc[ev, "truth"]]
    metrics["heldout_top1_soc6"] = float(
        np.mean([soc[o[0]] in t for o, t in zip(order, true_soc, strict=True)])
    )
    return params, metrics


def build_title_tables(con, settings) -> None:
    """EXTRA_STEPS hook: write title_index, title_embeddings and title_coder_params."""
    entries = title_entries(con)
    semantic = entries[entries["semantic"]]
    embeddings = _embed(semantic["normalized"].tolist(), settings)
    occupations = _occupations(con)
    params, metrics = fit_and_evaluate(entries, embeddings, occupations, settings)
    con.register("_titles", entries)
    con.execute("CREATE TABLE title_index AS SELECT * FROM _titles")
    con.unregister("_titles")
    dim = embeddings.shape[1]
    arrow = pa.table(
        {
            "entry_id": pa.array(semantic["entry_id"].to_numpy()),
            "embedding": pa.FixedSizeListArray.from_arrays(
                pa.array(embeddings.astype(np.float32).ravel()), dim
            ),
        }
    )
    con.register("_emb", arrow)
    con.execute(
        f"CREATE TABLE title_embeddings AS SELECT entry_id, embedding::FLOAT[{dim}] AS embedding "
        "FROM _emb"
    )
    con.unregister("_emb")
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
