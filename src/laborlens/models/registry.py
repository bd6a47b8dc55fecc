"""Model architectures by name."""

from __future__ import annotations

from importlib import import_module

from laborlens.exceptions import LaborlensError

ARCHS: dict[str, str] = {
    "tfidf": "laborlens.models.tfidf:TfidfLinear",
    "cnn": "laborlens.models.cnn:TextCNN",
    "gru": "laborlens.models.gru:BiGRU",
    "tfidf-dwa": "laborlens.models.stacked:TfidfDwa",
    "minilm": "laborlens.models.frozen:FrozenEncoderHead",
    "minilm-ft": "laborlens.models.finetune:FineTunedEncoder",
}
DEFAULT_ARCH = "tfidf"


def get_arch(name: str):
    """The estimator class registered as ``name``."""
    if name not in ARCHS:
        msg = f"arch must be one of {', '.join(ARCHS)}; got {name!r}"
        raise LaborlensError(msg)
    module, _, cls = ARCHS[name].partition(":")
    return getattr(import_module(module), cls)
