#!/usr/bin/env python3
"""Golden file for zooscope's LSTM: a 2-layer, hidden-32 LSTM + Linear head in PyTorch.

Stores the initial parameters, three batches, the logits/loss/parameter gradients of the first batch,
the loss of each of 3 AdamW steps under a piecewise-linear LR schedule, and the parameters after them.
The initial parameters and inputs are float32 (PyTorch's own init); every result is computed by PyTorch
in float64 from them, so the golden values are the exact answer rather than one float32 rounding of it
(PyTorch's own float32 run is up to 6e-6 away from them, measured per tensor as max|diff| / max|ref|).
Run with Debian's python3-torch:  /usr/bin/python3 engine/src/test/python/make_lstm_golden.py
Writes engine/src/test/resources/golden/lstm_2x32.safetensors (the format is written by hand here,
so no safetensors package is needed).
"""
import os

import numpy as np
import torch

from golden_common import LstmWithHead, write_safetensors

X, H, LAYERS, O, B, T, STEPS = 6, 32, 2, 6, 4, 9, 3
KNOTS, VALUES = [0.0, 2.0, 4.0], [0.01, 0.003, 0.0003]   # LR schedule, as the zoo's but compressed
WEIGHT_DECAY = 1e-4



def lr_at(step):
    return float(np.interp(step, KNOTS, VALUES))


def loss_of(model, x, y):
    logits = model(x)
    return logits, torch.nn.functional.cross_entropy(logits.reshape(-1, O), y.reshape(-1))



def main():
    torch.manual_seed(1234)
    model = LstmWithHead(X, H, LAYERS, O)
    xs = torch.randn(STEPS, B, T, X)
    ys = torch.randint(0, O, (STEPS, B, T))
    out = {f"param.{k}": v.detach().numpy().copy() for k, v in model.named_parameters()}
    out["inputs"] = xs.numpy()
    out["targets"] = ys.numpy()
    model, xs = model.double(), xs.double()   # exact conversions; all results below in float64

    logits, loss = loss_of(model, xs[0], ys[0])
    loss.backward()
    out["logits"] = logits.detach().numpy()
    out["grads.loss"] = np.array([loss.item()], dtype=np.float64)
    out.update({f"grad.{k}": v.grad.numpy().copy() for k, v in model.named_parameters()})

    opt = torch.optim.AdamW(model.parameters(), lr=VALUES[0], weight_decay=WEIGHT_DECAY)
    losses = []
    for t in range(STEPS):
        for group in opt.param_groups:   # the zoo's rule: update t uses lr(max(t - 1, 0))
            group["lr"] = lr_at(max(t - 1, 0))
        opt.zero_grad()
        _, loss = loss_of(model, xs[t], ys[t])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    out["adamw.losses"] = np.array(losses, dtype=np.float64)
    out.update({f"final.{k}": v.detach().numpy().copy() for k, v in model.named_parameters()})

    dest = os.path.join(os.path.dirname(__file__), "..", "resources", "golden", "lstm_2x32.safetensors")
    write_safetensors(os.path.normpath(dest), out)
    print("wrote", os.path.normpath(dest), "torch", torch.__version__)


if __name__ == "__main__":
    main()
