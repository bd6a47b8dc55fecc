"""Why a rating: the most similar human-labelled training tasks and the words that moved it.

Neighbours are looked up in the model's own feature space (stored with the model at fit time:
the TF-IDF word and title features of ``tfidf``, the pooled network features of ``cnn`` and
``gru``, the sentence embeddings of ``minilm`` / ``minilm-ft``), by cosine similarity.

Word contributions explain the **rated class** (the label the model gave). For the linear
``tfidf`` model they are exact: the rated class's centred, temperature-scaled logit splits
additively over the task's words, the title and the intercept. For the neural models they are
occlusions: log p(rated class) with the whole task minus log p(rated class) with the word left
out. Either way a positive contribution is a word that pushed towards the rating given, a
negative one a word that pulled away from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from laborlens.exceptions import LaborlensError
from laborlens.models.base import ExposureModel, prepare_inputs
from laborlens.models.evaluate import task_score

_WORDLIKE = re.compile(r"\w")


@dataclass
class Explanation:
    """One rated statement, its neighbours and its word contributions."""

    task: str
    title: str
    label: str
    proba: dict[str, float]
    score: float
    method: str
    words: list[tuple[str, float]] = field(default_factory=list)
    title_contribution: float | None = None
    neighbours: list[dict] = field(default_factory=list)

    def top_words(self, n: int = 5) -> list[tuple[str, float]]:
        """The ``n`` words with the largest absolute contribution, largest first."""
        return sorted(self.words, key=lambda wc: -abs(wc[1]))[:n]


def _rated(model: ExposureModel, proba: np.ndarray) -> np.ndarray:
    return (proba * np.asarray(model.decision_weights_)).argmax(axis=1)


def _occlusion(model: ExposureModel, task: str, title: str, cls: int) -> list[tuple[str, float]]:
    tokens = task.split()
    variants, positions = [], []
    for i, tok in enumerate(tokens):
        rest = " ".join(tokens[:i] + tokens[i + 1 :])
        if _WORDLIKE.search(tok) and rest.strip():
            variants.append(rest)
            positions.append(i)
    out = [(tok, 0.0) for tok in tokens]
    if not variants:
        return out
    frame = pd.DataFrame({"task": [task, *variants], "title": [title] * (len(variants) + 1)})
    logp = np.log(np.clip(model.predict_proba(frame)[:, cls], 1e-12, None))
    for i, lp in zip(positions, logp[1:], strict=True):
        out[i] = (tokens[i], float(logp[0] - lp))
    return out


def nearest_training_tasks(
    model: ExposureModel, X: pd.DataFrame | list[str], k: int = 5
) -> list[list[dict]]:
    """For each row, the ``k`` most similar training tasks: task, title, human label, cosine."""
    index = getattr(model, "neighbours_", None)
    if index is None:
        msg = (
            f"this {model.arch} model was saved without its training-task index; retrain it "
            "with this version of laborlens to get neighbours"
        )
        raise LaborlensError(msg)
    from sklearn.preprocessing import normalize

    tasks, titles = prepare_inputs(X)
    query = normalize(model._neighbour_features(model.state_, tasks, titles))
    vectors = index["vectors"]
    out = []
    for s in range(0, len(tasks), 256):
        q = query[s : s + 256]
        if isinstance(vectors, np.ndarray):
            sims = np.asarray(q, dtype=np.float32) @ vectors.astype(np.float32).T
        else:
            sims = (q @ vectors.T).toarray()
        top = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        for r, row in enumerate(top):
            out.append(
                [
                    {
                        "task": index["tasks"][j],
                        "title": index["titles"][j],
                        "label": index["labels"][j],
                        "similarity": float(sims[r, j]),
                    }
                    for j in row
                ]
            )
    return out


def explain(
    model: ExposureModel, X: pd.DataFrame | list[str], neighbours: int = 5
) -> list[Explanation]:
    """Explain the rating of every row of ``X`` (a ``task`` column, optionally ``title``)."""
    tasks, titles = prepare_inputs(X)
    frame = pd.DataFrame({"task": tasks, "title": titles})
    proba = model.predict_proba(frame)
    rated = _rated(model, proba)
    scores = task_score(proba, model.target)
    near = nearest_training_tasks(model, frame, neighbours) if neighbours else [[]] * len(tasks)
    linear = hasattr(model, "word_contributions")
    rows = model.row_features(tasks, titles) if linear else None
    out = []
    for i, (task, title) in enumerate(zip(tasks, titles, strict=True)):
        cls = int(rated[i])
        if linear:
            parts = model.word_contributions(task, title, cls, x=rows[i])
            words, title_c, method = parts["words"], parts["title"], "exact (linear)"
        else:
            words, title_c, method = _occlusion(model, task, title, cls), None, "occlusion"
        out.append(
            Explanation(
                task=task,
                title=title,
                label=model.classes_[cls],
                proba={c: float(p) for c, p in zip(model.classes_, proba[i], strict=True)},
                score=float(scores[i]),
                method=method,
                words=words,
                title_contribution=title_c,
                neighbours=near[i],
            )
        )
    return out


def explain_columns(explanations: list[Explanation], n_words: int = 5) -> pd.DataFrame:
    """Two text columns for a scored table: ``top_words`` ("word +0.52; …", sign = towards or
    away from the rating) and ``similar_tasks`` ("E1 (0.61) Title: task | …")."""
    return pd.DataFrame(
        {
            "top_words": [
                "; ".join(f"{w.strip('.,;:()')} {c:+.2f}" for w, c in e.top_words(n_words))
                for e in explanations
            ],
            "similar_tasks": [
                " | ".join(
                    f"{n['label']} ({n['similarity']:.2f}) {n['title']}: {n['task']}"
                    for n in e.neighbours
                )
                for e in explanations
            ],
        }
    )
