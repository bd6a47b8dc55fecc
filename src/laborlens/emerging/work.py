"""Emerging task statements, new and growing occupations, and AI work itself."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from laborlens.emerging.analysis import DRAWS, SEED

__all__ = [
    "AI_TASK_ABBREVIATIONS",
    "AI_TASK_PATTERN",
    "AI_TECH_PATTERN",
    "ai_share_by_release",
    "compare_emerging",
    "mentions_ai",
    "mentions_ai_tech",
    "new_soc_codes",
]

#: Phrases that make a task statement "AI work" (case-insensitive): artificial intelligence,
#: machine learning and its methods, data science.
AI_TASK_PATTERN = re.compile(
    r"artificial intelligence|machine[- ]learning|deep learning|neural network|"
    r"natural language processing|computer vision|large language model|"
    r"generative (?:AI|artificial|model)|chatbot|predictive model|data scien|data mining|"
    r"big data",
    re.IGNORECASE,
)
#: The abbreviations, matched as upper-case words only (``ai`` is part of other words).
AI_TASK_ABBREVIATIONS = re.compile(r"\bAI\b|\bML\b|\bNLP\b|\bLLMs?\b")

#: Technology-skill examples that are AI / machine-learning / data-science tools (O*NET names
#: them by product: "OpenAI ChatGPT", "TensorFlow", "Neural network modeling software"), or
#: the upper-case word AI.
AI_TECH_PATTERN = re.compile(
    r"machine learning|artificial intelligence|deep learning|neural ?network|NeuralShell|"
    r"OpenAI|ChatGPT|TensorFlow|PyTorch|Keras|scikit-learn|Hugging Face|Anthropic|"
    r"RapidMiner|Warehouse Miner|XLMiner|Intelligent Miner|Enterprise Miner|KNIME|DataRobot|"
    r"H2O\.ai|IBM Watson\b(?! Wyatt)|Databricks",
    re.IGNORECASE,
)


def mentions_ai(text: pd.Series) -> pd.Series:
    """True where a statement mentions AI, machine learning or data science
    (:data:`AI_TASK_PATTERN` or :data:`AI_TASK_ABBREVIATIONS`)."""
    s = text.astype("string").fillna("")
    hit = s.str.contains(AI_TASK_PATTERN, regex=True) | s.str.contains(
        AI_TASK_ABBREVIATIONS, regex=True
    )
    return hit.astype(bool)


def mentions_ai_tech(example: pd.Series) -> pd.Series:
    """True where a technology-skill example is an AI / ML / data-science tool."""
    s = example.astype("string").fillna("")
    hit = s.str.contains(AI_TECH_PATTERN, regex=True) | s.str.contains(r"\bAI\b", regex=True)
    return hit.astype(bool)


def ai_share_by_release(releases: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per release: statements, occupations, statements mentioning AI and their share, and the
    occupations with at least one such statement."""
    rows = []
    for release, frame in releases.items():
        ai = mentions_ai(frame["task"])
        rows.append(
            {
                "release": release,
                "statements": len(frame),
                "occupations": int(frame["onet_soc_code"].nunique()),
                "ai_statements": int(ai.sum()),
                "ai_share": float(ai.mean()) if len(frame) else np.nan,
                "ai_occupations": int(frame.loc[ai.to_numpy(), "onet_soc_code"].nunique()),
            }
        )
    return pd.DataFrame(rows)


def compare_emerging(
    emerging: pd.DataFrame,
    current: pd.DataFrame,
    *,
    draws: int = DRAWS,
    seed: int = SEED,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Each rated emerging statement beside its occupation's current (O*NET 29.3) statements.

    ``emerging`` is rated (beta) with onet_soc_code, category, original_task_id; ``current``
    is the rated current statements (onet_soc_code, task_id, beta). Returns

    * the statements with ``occupation_beta`` (mean β of the occupation's current statements),
      ``beta_vs_occupation`` (difference), ``beta_percentile`` (share of the occupation's
      current statements with lower β) and, for revisions, ``original_beta``;
    * one row per occupation: emerging statements, their mean β, the current mean β and the
      difference;
    * overall: mean difference over statements with a cluster-bootstrap interval
      (occupations resampled with replacement, each with all its emerging statements).
    """
    cur = current.groupby("onet_soc_code")["beta"]
    occ_mean = cur.mean()
    by_occ = {k: np.sort(v.to_numpy(float)) for k, v in cur}
    out = emerging.copy()
    out["occupation_beta"] = out["onet_soc_code"].map(occ_mean)
    out["beta_vs_occupation"] = out["beta"] - out["occupation_beta"]
    out["beta_percentile"] = [
        float(np.searchsorted(by_occ[c], b) / len(by_occ[c])) if c in by_occ else np.nan
        for c, b in zip(out["onet_soc_code"], out["beta"], strict=True)
    ]
    original = current.drop_duplicates("task_id").set_index("task_id")["beta"]
    out["original_beta"] = out["original_task_id"].map(original).astype(float)
    occ = (
        out.groupby("onet_soc_code")
        .agg(
            title=("title", "first"),
            n_emerging=("task", "size"),
            n_new=("category", lambda s: int((s == "New").sum())),
            beta_emerging=("beta", "mean"),
            occupation_beta=("occupation_beta", "first"),
            automation_emerging=("automation", "mean"),
        )
        .reset_index()
    )
    occ["beta_vs_occupation"] = occ["beta_emerging"] - occ["occupation_beta"]
    # Cluster bootstrap: occupations resampled with replacement, each with all its statements.
    rng = np.random.default_rng(seed)
    known = out.dropna(subset=["beta_vs_occupation"])
    by = known.groupby("onet_soc_code")["beta_vs_occupation"]
    sums, sizes = by.sum().to_numpy(float), by.size().to_numpy(float)
    picks = rng.multinomial(len(sums), np.full(len(sums), 1 / len(sums)), size=draws)
    boot = (picks @ sums) / (picks @ sizes)
    overall = {
        "statements": len(out),
        "occupations": int(out["onet_soc_code"].nunique()),
        "statements_compared": len(known),
        "mean_beta_emerging": float(out["beta"].mean()),
        "mean_beta_vs_occupation": float(known["beta_vs_occupation"].mean()),
        "ci_low": float(np.quantile(boot, 0.025)),
        "ci_high": float(np.quantile(boot, 0.975)),
        "share_above_occupation_mean": float((known["beta_vs_occupation"] > 0).mean()),
    }
    return out, occ, overall


def new_soc_codes(soc_xwalk: pd.DataFrame) -> pd.DataFrame:
    """SOC 2018 detailed codes by how they arose from SOC 2010 (the BLS crosswalk):

    ``same``        the code existed in SOC 2010 and takes exactly that one code, whole;
    ``renumbered``  a new code that takes exactly one 2010 code, whole (content unchanged);
    ``split_off``   a new code carved out of a 2010 code that also feeds other 2018 codes;
    ``merged``      a code combining several 2010 codes;
    ``redefined``   an old code that gained or lost content.

    ``split_off`` and ``merged`` new codes are the occupations new since SOC 2010. Returns
    soc_2018_code, soc_2018_title, soc_change, soc_2010_codes (comma-separated).
    """
    x = soc_xwalk[["soc_2010_code", "soc_2018_code", "soc_2018_title"]].drop_duplicates()
    fan_out = x.groupby("soc_2010_code")["soc_2018_code"].nunique()
    old_codes = set(x["soc_2010_code"])
    rows = []
    for code, g in x.groupby("soc_2018_code"):
        sources = sorted(g["soc_2010_code"])
        whole = all(fan_out[s] == 1 for s in sources)
        if len(sources) == 1 and whole:
            kind = "same" if code in old_codes and sources[0] == code else "renumbered"
        elif code in old_codes:
            kind = "redefined"
        elif len(sources) > 1 and whole:
            kind = "merged"
        else:
            kind = "split_off"
        rows.append(
            {
                "soc_2018_code": code,
                "soc_2018_title": g["soc_2018_title"].iloc[0],
                "soc_change": kind,
                "soc_2010_codes": ", ".join(sources),
            }
        )
    return pd.DataFrame(rows)
