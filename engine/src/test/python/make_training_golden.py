#!/usr/bin/env python3
"""Golden trajectory for zooscope's multi-model trainer: one 2x32 LSTM + Linear head trained by PyTorch
for 50 AdamW steps with the zoo's recipe (teacher forcing on formal-language sequences, cross-entropy over
all 41 positions, weight decay 1e-4, LR 0.01 -> 0.003 @10k -> 0.0003 @20k, update t uses lr(max(t-1, 0))).

Stores the token sequences (uint8), the initial and final flat parameters (PAPER.md section 3 order)
and the loss of every step. Run with Debian's python3-torch:
    /usr/bin/python3 engine/src/test/python/make_training_golden.py
"""
import os

import numpy as np
import torch

from golden_common import LstmWithHead, write_safetensors

X, H, LAYERS, O, B, L, STEPS = 6, 32, 2, 6, 8, 42, 50
BOS, EOS = 4, 5
TASK = [0, 1, -1, 2]


def sequence(n):
    counts = [n + d for d in TASK]
    thresholds = np.cumsum([0] + counts)
    seq = [BOS]
    for p in range(L - 1):
        tok = int((thresholds <= p).sum()) - 1
        seq.append(EOS if tok == 4 else tok)
    return seq



def flat(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().copy()


def lr_at(step):
    return float(np.interp(step, [0, 10_000, 20_000], [0.01, 0.003, 0.0003]))



def main():
    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    min_n = max(0, -min(TASK))
    tokens = np.array([[sequence(int(rng.integers(min_n, 10))) for _ in range(B)] for _ in range(STEPS)], dtype=np.uint8)
    model = LstmWithHead(X, H, LAYERS, O)
    init = flat(model)
    opt = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=1e-4)
    losses = []
    for t in range(STEPS):
        for group in opt.param_groups:
            group["lr"] = lr_at(max(t - 1, 0))
        seq = torch.from_numpy(tokens[t].astype(np.int64))
        x = torch.nn.functional.one_hot(seq[:, :-1], X).float()
        loss = torch.nn.functional.cross_entropy(model(x).reshape(-1, O), seq[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    out = {"tokens": tokens, "init": init, "final": flat(model), "losses": np.array(losses, dtype=np.float32)}
    dest = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "resources", "golden", "train_2x32_50steps.safetensors"))
    write_safetensors(dest, out)
    print("wrote", dest, "torch", torch.__version__, "final loss", losses[-1])


if __name__ == "__main__":
    main()
