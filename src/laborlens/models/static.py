"""Static word-piece vectors distilled from the sentence encoder: its semantics at TF-IDF speed.

Two label-free steps, both from the packaged all-MiniLM-L6-v2 only:

1. **Piece table** (model2vec-style): every WordPiece of the encoder's vocabulary is run through
   the encoder alone (``[CLS] piece [SEP]``, mean-pooled). Computed once per encoder and cached
   on disk by the encoder's identity.
2. **Distillation** on the texts given to ``fit``: the table is trained so that the mean of a
   text's piece vectors points where the encoder's sentence embedding of that text points
   (cosine loss). Only texts are used, never labels, so a user's model and every held-out
   evaluation stay honest; pieces absent from those texts keep their table vector.

A statement's vector is the L2-normalised mean of its pieces' vectors: one tokenisation and a
sparse-dense product, thousands of statements per second on a CPU, where the encoder itself
rates a few hundred.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
from scipy import sparse

log = logging.getLogger(__name__)

#: Bumped when the piece table's recipe changes (the disk cache is keyed by it).
TABLE_VERSION = 1
MAX_PIECES = 128


def _encoder_identity() -> str:
    from laborlens.models.encoder import encoder_path

    root = Path(encoder_path())
    digest = hashlib.sha256(f"pieces-v{TABLE_VERSION}".encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(root)}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:24]


def _save_atomic(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npy.tmp", delete=False) as handle:
        np.save(handle, array)
    os.replace(handle.name, path)


def piece_table(cache_dir: str | Path | None = None) -> np.ndarray:
    """The encoder's output for each vocabulary piece alone (float32, vocabulary × dimension);
    read from ``cache_dir/static`` when it was computed before (about a minute on 2 cores)."""
    import torch

    from laborlens.models.encoder import _inference_model, tokenizer

    path = None
    if cache_dir is not None:
        path = Path(cache_dir) / "static" / f"pieces-{_encoder_identity()}.npy"
        if path.is_file():
            return np.load(path)
    tok, model = tokenizer(), _inference_model()
    ids = torch.arange(tok.vocab_size)
    table = np.zeros((len(ids), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for s in range(0, len(ids), 1024):
            b = ids[s : s + 1024]
            x = torch.stack(
                [torch.full_like(b, tok.cls_token_id), b, torch.full_like(b, tok.sep_token_id)], 1
            )
            hidden = model(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state
            table[s : s + len(b)] = hidden.mean(1).numpy()
    if path is not None:
        _save_atomic(path, table)
    return table


@cache
def piece_tokenizer():
    """The encoder's WordPiece tokenizer through ``tokenizers`` alone: scoring with a saved
    model imports neither torch nor transformers."""
    from tokenizers import Tokenizer

    from laborlens.models.encoder import encoder_path

    tok = Tokenizer.from_file(str(Path(encoder_path()) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def pieces(texts: list[str]) -> list[list[int]]:
    """Word-piece ids of each text (no special tokens, at most ``MAX_PIECES``)."""
    encodings = piece_tokenizer().encode_batch(list(texts), add_special_tokens=False)
    return [e.ids[:MAX_PIECES] for e in encodings]


def piece_offsets(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """Piece ids of one text and each piece's character span (at most ``MAX_PIECES``)."""
    e = piece_tokenizer().encode(text, add_special_tokens=False)
    return e.ids[:MAX_PIECES], e.offsets[:MAX_PIECES]


def mean_matrix(rows: list[list[int]], vocab_size: int) -> sparse.csr_matrix:
    """Rows: texts; columns: pieces; values 1/n for each of a text's n pieces."""
    lengths = np.array([len(r) for r in rows])
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(indptr[-1]))
    data = np.repeat(1.0 / np.maximum(lengths, 1), lengths).astype(np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), vocab_size))


def encode(table: np.ndarray, texts: list[str]) -> np.ndarray:
    """L2-normalised mean piece vector of each text (float32; zero for a text with no piece)."""
    x = np.asarray(mean_matrix(pieces(texts), len(table)) @ table, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


_TEACHER: dict[str, np.ndarray] = {}
_TEACHER_LIMIT = 250_000


def teacher_vectors(texts: list[str]) -> np.ndarray:
    """The encoder's sentence embeddings of ``texts``, memoised per text in this process (the
    folds of a cross-validation share most of their texts)."""
    from laborlens.models.encoder import embed

    missing = sorted({t for t in texts if t not in _TEACHER})
    if missing:
        if len(_TEACHER) + len(missing) > _TEACHER_LIMIT:
            _TEACHER.clear()
        for t, v in zip(missing, embed(missing), strict=True):
            _TEACHER[t] = v
    return np.stack([_TEACHER[t] for t in texts])


def distill(
    table: np.ndarray,
    texts: list[str],
    *,
    epochs: int = 8,
    learning_rate: float = 1e-3,
    batch_size: int = 128,
    random_state: int = 0,
    cache_dir: str | Path | None = None,
) -> np.ndarray:
    """``table`` trained so that each text's mean piece vector matches the encoder's embedding
    of the text (cosine loss, Adam), in float16; cached on disk by the texts and the settings."""
    import torch

    from laborlens.models.encoder import set_threads

    texts = sorted(set(texts))
    path = None
    if cache_dir is not None:
        digest = hashlib.sha256(
            f"{_encoder_identity()}|{epochs}|{learning_rate}|{batch_size}|{random_state}".encode()
        )
        for t in texts:
            digest.update(t.encode("utf-8") + b"\x00")
        path = Path(cache_dir) / "static" / f"distilled-{digest.hexdigest()[:24]}.npy"
        if path.is_file():
            return np.load(path)
    set_threads()
    torch.manual_seed(random_state)
    rng = np.random.default_rng(random_state)
    target = torch.as_tensor(teacher_vectors(texts))
    rows = [torch.as_tensor(r, dtype=torch.long) for r in pieces(texts)]
    keep = [i for i, r in enumerate(rows) if len(r)]
    # A copy: from_pretrained trains the tensor it is given, which must not be the caller's.
    start = torch.tensor(np.asarray(table, dtype=np.float32))
    bag = torch.nn.EmbeddingBag.from_pretrained(start, freeze=False, mode="mean")
    opt = torch.optim.Adam(bag.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        total = 0.0
        order = rng.permutation(keep)
        for s in range(0, len(order), batch_size):
            idx = order[s : s + batch_size]
            ids = torch.cat([rows[i] for i in idx])
            offsets = torch.as_tensor([0, *np.cumsum([len(rows[i]) for i in idx[:-1]])])
            v = torch.nn.functional.normalize(bag(ids, offsets), dim=1)
            loss = (1 - (v * target[idx]).sum(1)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        log.debug("distillation epoch %d: cosine loss %.4f", epoch + 1, total / max(len(keep), 1))
    # Models keep the table in float16, so the cache holds no more than that.
    out = bag.weight.detach().numpy().astype(np.float16)
    if path is not None:
        _save_atomic(path, out)
    return out
