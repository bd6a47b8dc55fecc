"""What the word-sequence networks trained from scratch share: the vocabulary, token ids,
the training loop with best-epoch selection on held-out occupations, scoring and persistence.

The input is ``title [SEP] task``; only words seen at least ``min_count`` times in the training
texts get an embedding, the rest share one unknown-word vector.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path
from typing import ClassVar

import numpy as np

from laborlens.models.base import ExposureModel, log_loss

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
PAD, UNK, SEP = 0, 1, 2


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


class WordSequenceModel(ExposureModel):
    """Base of the PyTorch word-sequence classifiers (``cnn``, ``gru``); subclasses build the
    network in :meth:`_network` and name their weights file."""

    calibration = "holdout"
    weights_file: ClassVar[str]
    #: Gradient-norm clip (None: no clipping).
    clip_norm: ClassVar[float | None] = None

    # Subclasses set: epochs, batch_size, learning_rate, max_tokens, min_count, random_state.
    def _network(self, vocab_size: int):  # pragma: no cover - abstract
        raise NotImplementedError

    def _ids(self, vocab: dict[str, int], tasks, titles) -> np.ndarray:
        rows = []
        for task, title in zip(tasks, titles, strict=True):
            ids = [vocab.get(w, UNK) for w in tokenize(title)] + [SEP]
            ids += [vocab.get(w, UNK) for w in tokenize(task)]
            rows.append(ids[: self.max_tokens])
        width = max(4, max(len(r) for r in rows))
        out = np.zeros((len(rows), width), dtype=np.int64)
        for i, r in enumerate(rows):
            out[i, : len(r)] = r
        return out

    def _fit_core(self, tasks, titles, y, valid=None):
        import torch

        from laborlens.models.encoder import set_threads

        set_threads()
        torch.manual_seed(self.random_state)
        rng = np.random.default_rng(self.random_state)
        counts = Counter(w for text in [*tasks, *titles] for w in tokenize(text))
        words = sorted(w for w, c in counts.items() if c >= self.min_count)
        vocab = {w: i + 3 for i, w in enumerate(words)}
        net = self._network(len(vocab) + 3)
        opt = torch.optim.Adam(net.parameters(), lr=self.learning_rate)
        loss_fn = torch.nn.CrossEntropyLoss()
        ids = self._ids(vocab, tasks, titles)
        best, best_loss = None, np.inf
        state = {"vocab": vocab, "net": net}
        self.extra_card_ = {"best_epoch": None}
        for epoch in range(self.epochs):
            net.train()
            order = rng.permutation(len(y))
            for s in range(0, len(order), self.batch_size):
                idx = order[s : s + self.batch_size]
                batch = ids[idx]
                batch = batch[:, : max(1, int((batch != PAD).sum(axis=1).max()))]
                loss = loss_fn(net(torch.as_tensor(batch)), torch.as_tensor(y[idx]))
                opt.zero_grad()
                loss.backward()
                if self.clip_norm is not None:
                    torch.nn.utils.clip_grad_norm_(net.parameters(), self.clip_norm)
                opt.step()
            if valid is not None:
                vloss = log_loss(self._logits(state, valid[0], valid[1]), valid[2])
                if vloss < best_loss:
                    best_loss, best = vloss, copy.deepcopy(net.state_dict())
                    self.extra_card_["best_epoch"] = epoch + 1
        if best is not None:
            net.load_state_dict(best)
        net.eval()
        return state

    def _logits(self, state, tasks, titles):
        import torch

        net = state["net"].eval()
        out = np.zeros((len(tasks), len(self.classes_)))
        with torch.inference_mode():
            for s in range(0, len(tasks), 512):
                ids = self._ids(state["vocab"], tasks[s : s + 512], titles[s : s + 512])
                out[s : s + 512] = net(torch.as_tensor(ids)).double().numpy()
        return out

    def _neighbour_features(self, state, tasks, titles) -> np.ndarray:
        """The pooled representation the output layer reads (the network's own features)."""
        import torch

        net = state["net"].eval()
        parts = []
        with torch.inference_mode():
            for s in range(0, len(tasks), 512):
                ids = self._ids(state["vocab"], tasks[s : s + 512], titles[s : s + 512])
                parts.append(net.features(torch.as_tensor(ids)).float().numpy())
        return np.vstack(parts)

    def _save_state(self, state, directory: Path) -> None:
        import torch

        torch.save(state["net"].state_dict(), directory / self.weights_file)
        (directory / "vocab.json").write_text(json.dumps(state["vocab"]), encoding="utf-8")

    def _load_state(self, directory: Path):
        import torch

        vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        net = self._network(len(vocab) + 3)
        net.load_state_dict(torch.load(directory / self.weights_file, weights_only=True))
        return {"vocab": vocab, "net": net.eval()}
