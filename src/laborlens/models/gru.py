"""A bidirectional GRU text classifier trained from scratch in PyTorch (no pretrained weights)."""

from __future__ import annotations

from laborlens.models.sequence import PAD, WordSequenceModel


class BiGRU(WordSequenceModel):
    """Word embeddings (learned) → bidirectional GRU → masked max- and mean-pooling of the
    hidden states → linear.

    The input is ``title [SEP] task``; sequences are packed, so padding never enters either
    direction. Held-out occupations (10 %) pick the best epoch and fit the temperature.
    """

    arch = "gru"
    weights_file = "gru.pt"
    clip_norm = 1.0

    def __init__(
        self,
        target: str = "exposure",
        random_state: int = 0,
        embedding_dim: int = 128,
        hidden: int = 96,
        epochs: int = 6,
        batch_size: int = 64,
        learning_rate: float = 2e-3,
        max_tokens: int = 60,
        min_count: int = 2,
        dropout: float = 0.4,
    ) -> None:
        super().__init__(target=target, random_state=random_state)
        self.embedding_dim = embedding_dim
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_tokens = max_tokens
        self.min_count = min_count
        self.dropout = dropout

    def _network(self, vocab_size: int):
        import torch
        from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

        dim, hidden, k, p = self.embedding_dim, self.hidden, len(self.classes_), self.dropout

        class Net(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.emb = torch.nn.Embedding(vocab_size, dim, padding_idx=PAD)
                self.emb_drop = torch.nn.Dropout(p / 2)
                self.gru = torch.nn.GRU(dim, hidden, batch_first=True, bidirectional=True)
                self.drop = torch.nn.Dropout(p)
                self.out = torch.nn.Linear(4 * hidden, k)

            def forward(self, ids):
                return self.out(self.drop(self.features(ids)))

            def features(self, ids):
                lengths = (ids != PAD).sum(dim=1).clamp(min=1)
                x = self.emb_drop(self.emb(ids))
                packed = pack_padded_sequence(
                    x, lengths.cpu(), batch_first=True, enforce_sorted=False
                )
                h, _ = pad_packed_sequence(
                    self.gru(packed)[0], batch_first=True, total_length=ids.shape[1]
                )
                mask = (torch.arange(ids.shape[1])[None, :] < lengths[:, None]).unsqueeze(2)
                mx = h.masked_fill(~mask, -1e4).amax(dim=1)
                mean = (h * mask).sum(dim=1) / lengths[:, None].to(h.dtype)
                return torch.cat([mx, mean], dim=1)

        return Net()
