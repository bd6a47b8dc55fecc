"""The default models: trained from the registered label files on first use, then reused.

A default model folder records a fingerprint of what made it (label file sha256, arch, its
parameters, laborlens version); a mismatch retrains. Training writes to a temporary folder that
is renamed into place, so an interrupted training never leaves a half-saved model.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from laborlens._version import __version__
from laborlens.config import Settings
from laborlens.models.base import CARD_FILE, ExposureModel
from laborlens.models.data import read_labels
from laborlens.models.registry import DEFAULT_ARCH, get_arch
from laborlens.sources.fetch import fetch
from laborlens.sources.registry import get_source

LABEL_SOURCES = {"exposure": "gpts_full_labelset", "automation": "gpts_automation_labels"}
#: Bumped when what a saved default model holds changes (2: the training-task index for
#: explanations, the parameters in the fingerprint; 3: the distilled static vectors).
MODEL_FORMAT = 3


#: Default-model parameters that differ by target. The automation model keeps TF-IDF alone:
#: the distilled static vectors were cross-validated on the exposure labels only.
DEFAULT_PARAMS: dict[str, dict] = {"automation": {"static_weight": 0.0}}


def default_model(target: str, arch: str = DEFAULT_ARCH) -> ExposureModel:
    """An unfitted default model for ``target``."""
    params = DEFAULT_PARAMS.get(target, {}) if arch == DEFAULT_ARCH else {}
    return get_arch(arch)(target=target, **params)


def _fingerprint(target: str, arch: str, settings: Settings) -> dict:
    source = get_source(LABEL_SOURCES[target], settings.registry_file)
    return {
        "labels": source.name,
        "labels_sha256": source.sha256,
        "arch": arch,
        "params": default_model(target, arch).get_params(),
        "format": MODEL_FORMAT,
        "laborlens_version": __version__,
    }


def default_model_dir(settings: Settings, target: str, arch: str = DEFAULT_ARCH) -> Path:
    return settings.models_dir / f"{target}-{arch}"


def ensure_default_model(
    settings: Settings, target: str = "exposure", arch: str = DEFAULT_ARCH, progress=None
) -> ExposureModel:
    """Load the default model for ``target``, training and saving it first if needed."""
    directory = default_model_dir(settings, target, arch)
    wanted = _fingerprint(target, arch, settings)
    card = directory / CARD_FILE
    if card.is_file():
        saved = json.loads(card.read_text(encoding="utf-8")).get("trained_from", {})
        if saved == wanted:
            return ExposureModel.load(directory)
    if progress:
        progress(f"training the default {target} model ({arch})", 0, 1)
    labels = read_labels(fetch(LABEL_SOURCES[target], settings), target)
    model = default_model(target, arch)
    if hasattr(model, "dwa_links"):  # tfidf-dwa: O*NET's task-to-DWA links, label-free
        from laborlens.models.stacked import DWA_SOURCE, read_dwa_links

        model.dwa_links = read_dwa_links(fetch(DWA_SOURCE, settings))
    if hasattr(model, "cache_dir"):  # the distilled tables
        model.cache_dir = settings.cache_dir
    model.fit(labels[["task", "title"]], labels["label"], groups=labels["group"])
    model.extra_card_ = {**getattr(model, "extra_card_", {}), "trained_from": wanted}
    from laborlens.io import staging_dir

    staging = staging_dir(directory.parent, f".{directory.name}-")  # mode from the umask
    try:
        model.save(staging)
        if directory.exists():
            shutil.rmtree(directory)
        os.replace(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if progress:
        progress(f"trained the default {target} model", 1, 1)
    return model
