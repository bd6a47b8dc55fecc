"""Exploration for issue 19: second stages over ``tfidf`` logits (kNN label features, DWA priors,
title neighbours), on the same 5 occupation-grouped folds as ``laborlens exposure evaluate``.

Stage 1 (cached per fold in ``--cache``): ``tfidf``'s out-of-fold logits inside each training
fold (3 inner grouped folds), its logits on the test fold, and the 30 nearest training tasks of
every task (other occupations only for training rows) in word and character TF-IDF space.
Stage 2: a small model over those logits and label features, fitted and given decision weights
inside the training fold only. Prints pooled out-of-fold κ, macro-F1, occupation r, accuracy.
The numbers are in docs/models.md ("Stacking on neighbours and O*NET work activities").

Usage: ``python bench/explore_stacking.py [--folds-to-run 5] [--cache /tmp/stacking]``
(about 3–5 minutes per fold on 2 idle cores for stage 1, then a few minutes per row).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import hstack
from scipy.special import softmax
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.preprocessing import normalize

from laborlens.models.base import fit_decision_weights, fit_temperature
from laborlens.models.data import read_labels
from laborlens.models.evaluate import _metrics
from laborlens.models.stacked import normalise_text, read_dwa_links

MIRROR = Path(
    os.environ.get("LABORLENS_MIRROR", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def vectorizers():
    return (
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            min_df=3,
            sublinear_tf=True,
            max_features=100_000,
        ),
        TfidfVectorizer(
            ngram_range=(1, 2), min_df=1, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
        ),
    )


def lr_logits(tasks, titles, y, tr, te):
    """``tfidf``'s features and classifier (C 2, title weight 0.5), no calibration."""
    v = vectorizers()
    pick = lambda seq, idx: [seq[i] for i in idx]  # noqa: E731
    x_tr = hstack(
        [
            v[0].fit_transform(pick(tasks, tr)),
            v[1].fit_transform(pick(tasks, tr)),
            0.5 * v[2].fit_transform(pick(titles, tr)),
        ]
    ).tocsr()
    x_te = hstack(
        [
            v[0].transform(pick(tasks, te)),
            v[1].transform(pick(tasks, te)),
            0.5 * v[2].transform(pick(titles, te)),
        ]
    ).tocsr()
    return LogisticRegression(C=2.0, max_iter=3000).fit(x_tr, y[tr]).decision_function(x_te)


def knn(a, b, mask=None, k=30, chunk=2000):
    """Top-``k`` cosine neighbours of the rows of ``a`` among the rows of ``b``; ``mask(S, s)``
    blanks forbidden pairs (same occupation) in a chunk starting at row ``s``."""
    a = normalize(a).tocsr()
    b = normalize(b).tocsr().T.tocsc()
    idx = np.zeros((a.shape[0], k), dtype=np.int32)
    sim = np.zeros((a.shape[0], k), dtype=np.float32)
    for s in range(0, a.shape[0], chunk):
        S = (a[s : s + chunk] @ b).toarray()
        if mask is not None:
            mask(S, s)
        part = np.argpartition(-S, k, axis=1)[:, :k]
        ps = np.take_along_axis(S, part, 1)
        order = np.argsort(-ps, axis=1)
        idx[s : s + chunk] = np.take_along_axis(part, order, 1)
        sim[s : s + chunk] = np.take_along_axis(ps, order, 1)
    return idx, sim


def stage1(frame, y, cache: Path, n_folds: int) -> list[dict]:
    tasks, titles = frame["task"].tolist(), [t or "_" for t in frame["title"].tolist()]
    g = frame["group"].to_numpy()
    out = []
    outer = GroupKFold(n_splits=5, shuffle=True, random_state=0)
    for k, (tr, te) in enumerate(outer.split(tasks, y, g)):
        if k >= n_folds:
            break
        path = cache / f"fold{k}.npz"
        if path.is_file():
            out.append(dict(np.load(path)))
            continue
        started = time.perf_counter()
        oof = np.zeros((len(tr), 3))
        inner = GroupKFold(n_splits=3, shuffle=True, random_state=0)
        for itr, ite in inner.split(tr, y[tr], g[tr]):
            oof[ite] = lr_logits(tasks, titles, y, tr[itr], tr[ite])
        fold = {"tr": tr, "te": te, "oof": oof, "test": lr_logits(tasks, titles, y, tr, te)}
        gtr = g[tr]

        def same(S, s, gtr=gtr):
            S[gtr[s : s + S.shape[0]][:, None] == gtr[None, :]] = -1

        for name, vec in (("w", vectorizers()[0]), ("c", vectorizers()[1])):
            a_tr = vec.fit_transform([tasks[i] for i in tr])
            a_te = vec.transform([tasks[i] for i in te])
            fold[f"{name}_tr_idx"], fold[f"{name}_tr_sim"] = knn(a_tr, a_tr, same)
            fold[f"{name}_te_idx"], fold[f"{name}_te_sim"] = knn(a_te, a_tr)
        np.savez(path, **fold)
        print(f"fold {k}: stage 1 in {time.perf_counter() - started:.0f} s", flush=True)
        out.append(fold)
    return out


def knn_features(idx, sim, y_tr, ks=(5, 20)):
    onehot = np.eye(3)[y_tr][idx]
    parts = []
    for k in ks:
        w = np.clip(sim[:, :k], 1e-6, None)
        parts += [
            (onehot[:, :k] * w[:, :, None]).sum(1) / w.sum(1, keepdims=True),
            sim[:, :k].mean(1, keepdims=True),
        ]
    return np.hstack([*parts, sim[:, :1]])


def title_knn(frame, y, tr, te, links, k=10):
    """Label distribution of the ``k`` training occupations with the nearest titles."""
    occ = (
        frame.iloc[tr]
        .assign(y=y[tr])
        .groupby("group")
        .agg(
            title=("title", "first"),
            p0=("y", lambda v: (v == 0).mean()),
            p1=("y", lambda v: (v == 1).mean()),
            p2=("y", lambda v: (v == 2).mean()),
        )
    )
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    titles = normalize(vec.fit_transform(occ["title"]))
    p, codes = occ[["p0", "p1", "p2"]].to_numpy(), occ.index.to_numpy()

    def feats(rows, exclude_own):
        u, inv = np.unique(frame["title"].iloc[rows].tolist(), return_inverse=True)
        S = (normalize(vec.transform(u)) @ titles.T).toarray()
        if exclude_own:
            own = pd.Series(frame["group"].iloc[rows].to_numpy()).groupby(inv).first().to_numpy()
            S[own[:, None] == codes[None, :]] = -1
        top = np.argsort(-S, 1)[:, :k]
        s = np.take_along_axis(S, top, 1)
        w = np.clip(s, 1e-6, None)
        f = (p[top] * w[:, :, None]).sum(1) / w.sum(1, keepdims=True)
        return np.hstack([f, s[:, :1], p[top[:, 0]]])[inv]

    return feats(tr, True), feats(te, False)


def dwa_prior(frame, y, tr, te, links, m=3, alpha=2.0):
    """The ``tfidf-dwa`` features (laborlens.models.stacked), on one fold."""
    from laborlens.models.stacked import TfidfDwa

    model = TfidfDwa(n_dwas=m, alpha=alpha)
    model.classes_ = ["E0", "E1", "E2"]
    model.dwa_links = links
    tasks = frame["task"].tolist()
    index = model._dwa_index([tasks[i] for i in tr], y[tr], frame["group"].to_numpy()[tr])
    a = model._dwa_features(index, [tasks[i] for i in tr], own_rows=np.arange(len(tr)))
    return a, model._dwa_features(index, [tasks[i] for i in te])


EXTRAS = {"title": title_knn, "dwa": dwa_prior}


def run(name, frame, y, folds, links, make=None, spaces=(), extra=(), cache={}):  # noqa: B006
    g = frame["group"].to_numpy()
    proba = np.zeros((len(y), 3))
    pred = np.zeros(len(y), dtype=int)
    done = np.zeros(len(y), dtype=bool)
    for f in folds:
        tr, te = f["tr"], f["te"]
        if make is None:  # stage 1 alone
            t = fit_temperature(f["oof"], y[tr])
            w = fit_decision_weights(softmax(f["oof"] / t, 1), y[tr])
            p = softmax(f["test"] / t, 1)
        else:
            a, b = [f["oof"]], [f["test"]]
            for s in spaces:
                a.append(knn_features(f[f"{s}_tr_idx"], f[f"{s}_tr_sim"], y[tr]))
                b.append(knn_features(f[f"{s}_te_idx"], f[f"{s}_te_sim"], y[tr]))
            for e in extra:
                key = (e, int(te[0]))
                if key not in cache:
                    cache[key] = EXTRAS[e](frame, y, tr, te, links)
                a.append(cache[key][0])
                b.append(cache[key][1])
            a, b = np.hstack(a), np.hstack(b)
            inner = GroupKFold(n_splits=3, shuffle=True, random_state=0)
            held = cross_val_predict(
                make(), a, y[tr], groups=g[tr], cv=inner, method="predict_proba"
            )
            w = fit_decision_weights(held, y[tr])
            p = make().fit(a, y[tr]).predict_proba(b)
        proba[te], pred[te], done[te] = p, (p * w).argmax(1), True
    m = _metrics(frame[done], y[done], proba[done], "exposure", pred[done])
    print(
        f"{name:40s} kappa {m['kappa']:.4f} f1 {m['macro_f1']:.4f} "
        f"r {m['occupation_r']:.4f} acc {m['accuracy']:.4f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds-to-run", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/laborlens_stacking"))
    opts = parser.parse_args()
    opts.cache.mkdir(parents=True, exist_ok=True)
    frame = read_labels(MIRROR / "gpts-are-gpts" / "full_labelset.tsv")
    links = read_dwa_links(MIRROR / "onet-29.3" / "Tasks to DWAs.xlsx")
    linked = frame["task"].map(normalise_text).isin(set(links["task"].map(normalise_text)))
    print(f"{linked.mean():.1%} of the labelled statements link to a DWA by their text")
    y = frame["label"].map({"E0": 0, "E1": 1, "E2": 2}).to_numpy()
    folds = stage1(frame, y, opts.cache, opts.folds_to_run)
    lr = lambda: LogisticRegression(C=1.0, max_iter=2000)  # noqa: E731
    hgb = lambda: HistGradientBoostingClassifier(  # noqa: E731
        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=0
    )
    rows = [
        ("tfidf alone", None, (), ()),
        ("LR logits only", lr, (), ()),
        ("LR + dwa", lr, (), ("dwa",)),
        ("LR + kNN w", lr, ("w",), ()),
        ("LR + kNN c", lr, ("c",), ()),
        ("LR + kNN c + dwa", lr, ("c",), ("dwa",)),
        ("LR + title", lr, (), ("title",)),
        ("gradient boosting + dwa", hgb, (), ("dwa",)),
        ("gradient boosting + kNN c + dwa", hgb, ("c",), ("dwa",)),
    ]
    for name, make, spaces, extra in rows:
        run(name, frame, y, folds, links, make, spaces, extra)


if __name__ == "__main__":
    main()
