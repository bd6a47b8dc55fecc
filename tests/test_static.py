"""Static piece vectors distilled from the encoder, and the default model's use of them (slice)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from laborlens.config import default_cache_dir
from laborlens.models import static
from laborlens.models.base import ExposureModel
from laborlens.models.data import read_labels
from laborlens.models.tfidf import STATIC_FILE, TfidfLinear
from laborlens.sources.fetch import fetch


@pytest.fixture(scope="module")
def slice_labels(slice_settings) -> pd.DataFrame:
    return read_labels(fetch("gpts_full_labelset", slice_settings))


@pytest.fixture(scope="module")
def table() -> np.ndarray:
    # where the models read it: the user cache (the table depends on the encoder alone)
    return static.piece_table(default_cache_dir())


def test_a_text_vector_is_the_normalised_mean_of_its_piece_vectors(table):
    from laborlens.models.encoder import tokenizer

    texts = ["Translate marketing brochures into Spanish.", "Lay bricks for a garden wall."]
    got = static.encode(table, texts)
    for text, vec in zip(texts, got, strict=True):
        ids = tokenizer()(text, add_special_tokens=False)["input_ids"]
        mean = table[ids].mean(axis=0)
        np.testing.assert_allclose(vec, mean / np.linalg.norm(mean), rtol=1e-5, atol=1e-6)
    # the encoder's semantics survive: translation is closer to translation than to bricklaying
    a, b, c = static.encode(
        table,
        ["Translate legal documents.", "Interpret and translate texts.", "Lay bricks and mortar."],
    )
    assert a @ b > a @ c + 0.1


def test_distillation_moves_texts_towards_the_encoder_and_only_their_pieces(table, slice_labels):
    texts = slice_labels["task"].drop_duplicates().tolist()
    teacher = static.teacher_vectors(texts)
    original = table.copy()
    distilled = static.distill(table, texts).astype(np.float32)
    np.testing.assert_array_equal(table, original)  # the caller's table is not trained in place
    before = (static.encode(table, texts) * teacher).sum(axis=1).mean()
    after = (static.encode(distilled, texts) * teacher).sum(axis=1).mean()
    # 349 texts are 24 small steps: a modest move (0.40 -> 0.44); 19,265 texts move it far more
    assert after > before + 0.02, (before, after)
    seen = np.unique(np.concatenate([np.asarray(r, dtype=int) for r in static.pieces(texts)]))
    unseen = np.setdiff1d(np.arange(len(table)), seen)
    np.testing.assert_array_equal(distilled[unseen], table[unseen].astype(np.float16))
    assert not np.allclose(distilled[seen], table[seen])


def test_the_default_model_carries_its_static_vectors(
    slice_settings, slice_labels, table, tmp_path
):
    X, y, groups = slice_labels[["task", "title"]], slice_labels["label"], slice_labels["group"]
    model = TfidfLinear(max_char_features=5_000)
    model.cache_dir = slice_settings.cache_dir
    model.fit(X, y, groups=groups)
    model.save(tmp_path / "m")
    stored = np.load(tmp_path / "m" / STATIC_FILE)
    assert stored.dtype == np.float16
    assert stored.shape == table.shape
    loaded = ExposureModel.load(tmp_path / "m")
    probe = pd.DataFrame(
        {
            "task": ["Proofread magazine articles for grammar.", "Mop the floors of a hospital."],
            "title": ["", "Janitors"],
        }
    )
    np.testing.assert_allclose(loaded.predict_proba(probe), model.predict_proba(probe), atol=1e-12)
    # without the block the model is the TF-IDF one: no table saved, other probabilities
    plain = TfidfLinear(max_char_features=5_000, static_weight=0.0).fit(X, y, groups=groups)
    plain.save(tmp_path / "p")
    assert not (tmp_path / "p" / STATIC_FILE).exists()
    assert np.abs(plain.predict_proba(probe) - model.predict_proba(probe)).max() > 1e-3
