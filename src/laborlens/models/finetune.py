"""The encoder fine-tuned end to end: (title, task) pairs → MiniLM → mean pool → linear head."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import numpy as np

from laborlens.models import encoder
from laborlens.models.base import ExposureModel, log_loss


class FineTunedEncoder(ExposureModel):
    """all-MiniLM-L6-v2 fine-tuned with a linear head; trains within ``max_minutes``.

    The occupation title is the first segment of a sentence pair, the task the second.
    Held-out occupations (10 %) choose the best epoch and fit the temperature.
    """

    arch = "minilm-ft"
    calibration = "holdout"

    def __init__(
        self,
        target: str = "exposure",
        random_state: int = 0,
        epochs: int = 3,
        batch_size: int = 32,
        learning_rate: float = 5e-5,
        max_length: int = 96,
        max_minutes: float = 30.0,
    ) -> None:
        super().__init__(target=target, random_state=random_state)
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_length = max_length
        self.max_minutes = max_minutes

    def _network(self):
        import torch

        class Net(torch.nn.Module):
            def __init__(self, n_classes: int) -> None:
                super().__init__()
                self.body = encoder.transformer()
                self.drop = torch.nn.Dropout(0.1)
                self.head = torch.nn.Linear(self.body.config.hidden_size, n_classes)

            def forward(self, input_ids, attention_mask, token_type_ids=None):
                h = self.body(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    token_type_ids=token_type_ids,
                ).last_hidden_state
                return self.head(self.drop(encoder.mean_pool(h, attention_mask)))

        return Net(len(self.classes_))

    def _encode(self, tasks, titles):
        return encoder.tokenizer()(
            list(titles),
            list(tasks),
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )

    def _fit_core(self, tasks, titles, y, valid=None):
        import torch

        encoder.set_threads()
        torch.manual_seed(self.random_state)
        rng = np.random.default_rng(self.random_state)
        net = self._network()
        opt = torch.optim.AdamW(
            [
                {"params": net.body.parameters(), "lr": self.learning_rate},
                {"params": net.head.parameters(), "lr": self.learning_rate * 20},
            ],
            weight_decay=0.01,
        )
        steps = self.epochs * int(np.ceil(len(y) / self.batch_size))
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt,
            max_lr=[self.learning_rate, self.learning_rate * 20],
            total_steps=steps,
            pct_start=0.1,
            anneal_strategy="linear",
        )
        loss_fn = torch.nn.CrossEntropyLoss()
        deadline = time.monotonic() + 60 * self.max_minutes
        best, best_loss = None, np.inf
        self.extra_card_ = {"epochs_run": 0, "stopped_by_time_budget": False}
        for epoch in range(self.epochs):
            net.train()
            order = rng.permutation(len(y))
            for s in range(0, len(order), self.batch_size):
                idx = order[s : s + self.batch_size]
                enc = self._encode([tasks[i] for i in idx], [titles[i] for i in idx])
                loss = loss_fn(net(**enc), torch.as_tensor(y[idx]))
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                opt.step()
                sched.step()
                if time.monotonic() > deadline:
                    self.extra_card_["stopped_by_time_budget"] = True
                    break
            self.extra_card_["epochs_run"] = epoch + 1
            if valid is not None:
                vloss = log_loss(self._logits(net, valid[0], valid[1]), valid[2])
                if vloss < best_loss:
                    best_loss, best = vloss, copy.deepcopy(net.state_dict())
            if self.extra_card_["stopped_by_time_budget"]:
                break
        if best is not None:
            net.load_state_dict(best)
        return net.eval()

    def _logits(self, state, tasks, titles):
        import torch

        state.eval()
        order = np.argsort([len(t) for t in tasks])
        out = np.zeros((len(tasks), len(self.classes_)), dtype=np.float64)
        with torch.inference_mode():
            for s in range(0, len(order), 128):
                idx = order[s : s + 128]
                enc = self._encode([tasks[i] for i in idx], [titles[i] for i in idx])
                out[idx] = state(**enc).double().numpy()
        return out

    def _neighbour_features(self, state, tasks, titles):
        """Mean-pooled hidden states of the fine-tuned encoder (what the head reads)."""
        import torch

        state.eval()
        out = np.zeros((len(tasks), state.head.in_features), dtype=np.float32)
        with torch.inference_mode():
            for s in range(0, len(tasks), 128):
                enc = self._encode(tasks[s : s + 128], titles[s : s + 128])
                h = state.body(**enc).last_hidden_state
                out[s : s + 128] = encoder.mean_pool(h, enc["attention_mask"]).float().numpy()
        return out

    def _save_state(self, state, directory: Path) -> None:
        import torch

        torch.save(state.state_dict(), directory / "weights.pt")

    def _load_state(self, directory: Path):
        import torch

        net = self._network()
        net.load_state_dict(torch.load(directory / "weights.pt", weights_only=True))
        return net.eval()
