"""A convolutional text classifier trained from scratch in PyTorch (no pretrained weights)."""

from __future__ import annotations

from laborlens.models.sequence import PAD, SEP, UNK, WordSequenceModel, tokenize

__all__ = ["PAD", "SEP", "UNK", "TextCNN", "tokenize"]


class TextCNN(WordSequenceModel):
    """Word embeddings (learned) → 1-D convolutions of widths 2–4 → max-pool → linear.

    The input is ``title [SEP] task``. Held-out occupations (10 %) pick the best epoch and fit
    the temperature.
    """

    arch = "cnn"
    weights_file = "cnn.pt"

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
                return self.out(self.drop(self.features(ids)))

            def features(self, ids):
                if ids.shape[1] < 4:  # the widest filter needs four positions
                    ids = torch.nn.functional.pad(ids, (0, 4 - ids.shape[1]), value=PAD)
                x = self.emb(ids).transpose(1, 2)
                mask = (ids == PAD).unsqueeze(1)
                pooled = []
                for conv in self.convs:
                    h = torch.relu(conv(x))[:, :, : ids.shape[1]]
                    pooled.append(h.masked_fill(mask, 0.0).amax(dim=2))
                return torch.cat(pooled, dim=1)

        return Net()
