"""A convolutional text classifier trained from scratch in PyTorch (no pretrained weights)."""

from __future__ import annotations

import copy
import re
from collections import Counter
from pathlib import Path

import numpy as np

from laborlens.models.base import ExposureModel, log_loss

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
PAD, UNK, SEP = 0, 1, 2


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


class TextCNN(ExposureModel):
    """Word embeddings (learned) → 1-D convolutions of widths 2–4 → max-pool → linear.

    The input is ``title [SEP] task``. Held-out occupations (10 %) pick the best epoch and fit
    the temperature.
    """

    arch = "cnn"
    calibration = "holdout"

    def __init__(
        self,
        target: str = "exposure",
        random_state: int = 0,
        embedding_dim: int = 128,
        filters: int = 128,
        epochs: int = 8,
        batch_size: int = 64,
        learning_rate: float = 2e-3,
        max_tokens: int = 80,
        min_count: int = 2,
    ) -> None:
        super().__init__(target=target, random_state=random_state)
        self.embedding_dim = embedding_dim
        self.filters = filters
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_tokens = max_tokens
        self.min_count = min_count

    def _network(self, vocab_size: int):
        import torch

        dim, filters, k = self.embedding_dim, self.filters, len(self.classes_)

        class Net(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.emb = torch.nn.Embedding(vocab_size, dim, padding_idx=PAD)
                self.convs = torch.nn.ModuleList(
                    torch.nn.Conv1d(dim, filters, w, padding=w - 1) for w in (2, 3, 4)
                )
                self.drop = torch.nn.Dropout(0.4)
                self.out = torch.nn.Linear(3 * filters, k)

            def forward(self, ids):
                x = self.emb(ids).transpose(1, 2)
                mask = (ids == PAD).unsqueeze(1)
                pooled = []
                for conv in self.convs:
                    h = torch.relu(conv(x))[:, :, : ids.shape[1]]
                    pooled.append(h.masked_fill(mask, 0.0).amax(dim=2))
                return self.out(self.drop(torch.cat(pooled, dim=1)))

        return Net()

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
        for _ in range(self.epochs):
            net.train()
            order = rng.permutation(len(y))
            for s in range(0, len(order), self.batch_size):
                idx = order[s : s + self.batch_size]
                batch = torch.as_tensor(ids[idx])
                loss = loss_fn(net(batch), torch.as_tensor(y[idx]))
                opt.zero_grad()
                loss.backward()
                opt.step()
            if valid is not None:
                vloss = log_loss(self._logits(state, valid[0], valid[1]), valid[2])
                if vloss < best_loss:
                    best_loss, best = vloss, copy.deepcopy(net.state_dict())
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

    def _save_state(self, state, directory: Path) -> None:
        import json

        import torch

        torch.save(state["net"].state_dict(), directory / "cnn.pt")
        (directory / "vocab.json").write_text(json.dumps(state["vocab"]), encoding="utf-8")

    def _load_state(self, directory: Path):
        import json

        import torch

        vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        net = self._network(len(vocab) + 3)
        net.load_state_dict(torch.load(directory / "cnn.pt", weights_only=True))
        return {"vocab": vocab, "net": net.eval()}
