#!/usr/bin/env python3
"""PyTorch peer for `zooscope bench train`: the same training work, timed in PyTorch.

  one-at-a-time  as the reference generator: one nn.LSTM(2 layers, hidden 32) + Linear head per model,
                 AdamW, one model after another (single process)
  batched        all M models in one call: weights stacked along a model axis, the LSTM written out with
                 torch.bmm per time step (nn.LSTM cannot batch over different weights), one AdamW

One model-step = one AdamW update of one model on a batch of 32 sequences, cross-entropy at every step.
Prints lines `peer <mode>: <rate> model-steps/s` (median of --repeats). Needs Debian's python3-torch.
"""
import argparse
import statistics
import time

import torch

CONFIGS = {"formal": (6, 6, 41), "mnist": (16, 10, 50)}  # input, output, time steps
H, B = 32, 32


def batches(cfg, n, generator):
    """n batches (x [B, T, X], y [B, T]): one-hot tokens (formal) or tile-valued inputs (mnist)."""
    X, O, T = CONFIGS[cfg]
    out = []
    for _ in range(n):
        if cfg == "formal":
            tok = torch.randint(0, X, (B, T + 1), generator=generator)
            out.append((torch.nn.functional.one_hot(tok[:, :-1], X).float(), tok[:, 1:] % O))
        else:
            x = torch.full((B, T, X), -0.4242)
            x += (torch.rand(B, T, X, generator=generator) < 0.2) * torch.rand(B, T, X, generator=generator) * 3.2
            out.append((x, torch.randint(0, O, (B, 1), generator=generator).expand(B, T)))
    return out


class Model(torch.nn.Module):
    def __init__(self, X, O):
        super().__init__()
        self.lstm = torch.nn.LSTM(X, H, 2, batch_first=True)
        self.linear = torch.nn.Linear(H, O)

    def forward(self, x):
        return self.linear(self.lstm(x)[0])


def sync(device):
    """Waits for a GPU's queued work (timings must not stop while kernels still run)."""
    if device is not None and torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def one_at_a_time(cfg, models, steps, data, device=None):
    X, O, _ = CONFIGS[cfg]
    sync(device)
    start = time.perf_counter()
    for m in range(models):
        model = Model(X, O).to(device)
        opt = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=1e-4)
        for s in range(steps):
            x, y = data[s % len(data)]
            loss = torch.nn.functional.cross_entropy(model(x).reshape(-1, O), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
    sync(device)
    return models * steps / (time.perf_counter() - start)


def stacked_model(cfg, M, device=None):
    """Parameters of M models stacked on a model axis, and the loss of one step on inputs x [M, B, T, X], targets y [M, B·T]."""
    X, O, T = CONFIGS[cfg]
    G, k = 4 * H, 1 / H ** 0.5
    u = lambda *shape: torch.empty(*shape, device=device).uniform_(-k, k).requires_grad_()
    layers = [(u(M, X if l == 0 else H, G), u(M, H, G), u(M, 1, G), u(M, 1, G)) for l in range(2)]
    head_w, head_b = u(M, H, O), u(M, 1, O)
    params = [p for layer in layers for p in layer] + [head_w, head_b]

    def loss_of(x, y):
        seq = x
        for w_ih, w_hh, b_ih, b_hh in layers:
            xp = torch.bmm(seq.reshape(M, B * T, -1), w_ih).reshape(M, B, T, G) + b_ih.unsqueeze(1)
            h = torch.zeros(M, B, H, device=device)
            c = torch.zeros(M, B, H, device=device)
            outs = []
            for t in range(T):
                gates = xp[:, :, t] + torch.bmm(h, w_hh) + b_hh
                i, f, g, o = gates.chunk(4, dim=2)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
                outs.append(h)
            seq = torch.stack(outs, dim=2)
        logits = torch.bmm(seq.reshape(M, B * T, H), head_w) + head_b
        return torch.nn.functional.cross_entropy(logits.reshape(-1, O), y.reshape(-1)) * M  # each model's own mean loss

    return params, loss_of


def batched(cfg, models, steps, data):
    X, O, T = CONFIGS[cfg]
    M = models
    params, loss_of = stacked_model(cfg, M)
    opt = torch.optim.AdamW(params, lr=0.01, weight_decay=1e-4)
    start = time.perf_counter()
    for s in range(steps):
        x, y = data[s % len(data)]
        inp = x.unsqueeze(0).expand(M, B, T, X)  # every model gets a batch (same data here)
        loss = loss_of(inp, y.reshape(1, -1).expand(M, -1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return models * steps / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", choices=sorted(CONFIGS), default="formal")
    ap.add_argument("--models", type=int, default=64, help="models in the batched run")
    ap.add_argument("--steps", type=int, default=20, help="steps in the batched run")
    ap.add_argument("--single-models", type=int, default=2, help="models in the one-at-a-time run")
    ap.add_argument("--single-steps", type=int, default=50, help="steps per model in the one-at-a-time run")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="torch threads for the batched run")
    ap.add_argument("--mode", choices=["one-at-a-time", "batched", "both"], default="both")
    a = ap.parse_args()
    torch.manual_seed(0)
    data = batches(a.config, 16, torch.Generator().manual_seed(1))
    if a.mode != "batched":
        torch.set_num_threads(1)
        one_at_a_time(a.config, 1, 10, data)  # warm-up
        single = statistics.median(one_at_a_time(a.config, a.single_models, a.single_steps, data) for _ in range(a.repeats))
        print(f"peer one-at-a-time: {single:.1f} model-steps/s (torch {torch.__version__}, 1 thread)", flush=True)
    if a.mode != "one-at-a-time":
        torch.set_num_threads(a.threads)
        batched(a.config, a.models, 2, data)  # warm-up
        rate = statistics.median(batched(a.config, a.models, a.steps, data) for _ in range(a.repeats))
        print(f"peer batched: {rate:.1f} model-steps/s ({a.models} models, {a.threads} threads)", flush=True)


if __name__ == "__main__":
    main()
