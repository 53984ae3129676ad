#!/usr/bin/env python3
"""PyTorch peer of `zooscope bench encode`: the same encoders at the paper's sizes, the same batch of zoo rows.

    python3 bench/python/encode_peer.py ZOO_DIR [--encoders flat,transformer,noninteractive,interactive]

Written here from PAPER.md section 8 (not the reference's code): the flat MLP, the parameter transformer
(nn.TransformerEncoder, post-LN, batch-first) and both probing encoders (interrogator of two residual
LSTMCells, probe generator, the B probed LSTMs stepped with torch.bmm on their frozen weights, output
reader, head). Prints, per encoder, RNNs/s for encoding (no grad) and for a training pass (forward and
backward), each the median of 3 timings of at least 1 s after 2 warm-up batches, on 2 threads.
"""
import argparse
import os
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(2)


def layout(kind):
    x, o = (6, 6) if kind == "formal" else (16, 10)
    shapes, off = {}, 0
    for l in range(2):
        for name, shape in (("weight_ih", (128, x if l == 0 else 32)), ("weight_hh", (128, 32)), ("bias_ih", (128,)), ("bias_hh", (128,))):
            shapes[f"{name}_l{l}"] = (off, shape)
            off += int(np.prod(shape))
    shapes["linear.weight"] = (off, (o, 32))
    off += o * 32
    shapes["linear.bias"] = (off, (o,))
    return shapes, off + o, x, o


def tensor(theta, shapes, name):
    off, shape = shapes[name]
    return theta[:, off:off + int(np.prod(shape))].reshape(theta.shape[0], *shape)


class Flat(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(p, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 16))

    def forward(self, theta):
        return self.mlp(theta)


class Transformer(nn.Module):
    def __init__(self, shapes):
        super().__init__()
        self.shapes = shapes
        self.mats = [("weight_ih_l0", "bias_ih_l0"), ("weight_hh_l0", "bias_hh_l0"), ("weight_ih_l1", "bias_ih_l1"),
                     ("weight_hh_l1", "bias_hh_l1"), ("linear.weight", "linear.bias")]
        self.embed = nn.ModuleList(nn.Linear(shapes[w][1][1] + 1, 128) for w, _ in self.mats)
        tokens = sum(shapes[w][1][0] for w, _ in self.mats) + 1
        self.token = nn.Parameter(torch.zeros(1, 1, 128))
        self.pos = nn.Parameter(torch.randn(1, tokens, 128))
        layer = nn.TransformerEncoderLayer(128, 2, 512, 0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 6, enable_nested_tensor=False)
        self.out = nn.Linear(128, 16)

    def forward(self, theta):
        parts = [e(torch.cat([tensor(theta, self.shapes, w), tensor(theta, self.shapes, b).unsqueeze(-1)], -1)) for e, (w, b) in zip(self.embed, self.mats)]
        h = torch.cat(parts + [self.token.expand(theta.shape[0], 1, 128)], 1) + self.pos
        return self.out(self.encoder(h)[:, -1])


class Probing(nn.Module):
    def __init__(self, shapes, x, o, interactive, length):
        super().__init__()
        self.shapes, self.interactive, self.length, self.softmax = shapes, interactive, length, x == 6
        self.static = nn.Parameter(torch.randn(length + 1, 256))
        self.bos, self.eos = nn.Parameter(torch.zeros(256)), nn.Parameter(torch.zeros(256))
        self.cells = nn.ModuleList([nn.LSTMCell(256, 256), nn.LSTMCell(256, 256)])
        self.up = nn.Linear(256, 128)
        self.decoder = nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, x))
        self.reader = nn.Linear(o, 256)
        self.head = nn.Sequential(nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 16))

    def interrogate(self, x, state):
        for i, cell in enumerate(self.cells):
            h, c = cell(x, state[i])
            state[i] = (h, c)
            x = h + x
        return x

    def forward(self, theta):
        b = theta.shape[0]
        state = [(torch.zeros(b, 256), torch.zeros(b, 256)) for _ in range(2)]
        u = self.interrogate(self.bos.expand(b, 256), state)
        w = {k: tensor(theta, self.shapes, k) for k in self.shapes}
        hs = [torch.zeros(b, 1, 32) for _ in range(2)]
        cs = [torch.zeros(b, 1, 32) for _ in range(2)]
        for i in range(self.length):
            q = u if self.interactive else self.static[i].expand(b, 256)
            x = self.decoder(torch.relu(self.up(q))).unsqueeze(1)
            x = torch.softmax(x, -1) if self.softmax else torch.sigmoid(x)
            for l in range(2):
                g = (torch.bmm(x, w[f"weight_ih_l{l}"].transpose(1, 2)) + torch.bmm(hs[l], w[f"weight_hh_l{l}"].transpose(1, 2))
                     + (w[f"bias_ih_l{l}"] + w[f"bias_hh_l{l}"]).unsqueeze(1))
                gi, gf, gg, go = g.chunk(4, -1)
                cs[l] = torch.sigmoid(gf) * cs[l] + torch.sigmoid(gi) * torch.tanh(gg)
                hs[l] = torch.sigmoid(go) * torch.tanh(cs[l])
                x = hs[l]
            logits = torch.bmm(x, w["linear.weight"].transpose(1, 2)) + w["linear.bias"].unsqueeze(1)
            u = self.interrogate(torch.sigmoid(self.reader(logits.reshape(b, -1))), state)
        return self.head(self.interrogate(self.eos.expand(b, 256), state))


def rate(fn, batch):
    fn()
    fn()
    rates = []
    for _ in range(3):
        t0, n = time.perf_counter(), 0
        while True:
            fn()
            n += 1
            if time.perf_counter() - t0 >= 1:
                break
        rates.append(n * batch / (time.perf_counter() - t0))
    return sorted(rates)[1]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("zoo")
    p.add_argument("--encoders", default="flat,transformer,noninteractive,interactive")
    p.add_argument("--batch", type=int, default=64)
    a = p.parse_args()
    kind = "mnist" if os.path.exists(os.path.join(a.zoo, "num_step.npy")) else "formal"
    shapes, size, x, o = layout(kind)
    params = np.load(os.path.join(a.zoo, "parameters.npy"), mmap_mode="r")
    theta = torch.from_numpy(np.stack([params[i % len(params)] for i in range(a.batch)]).astype(np.float32))
    torch.manual_seed(1)
    print(f"peer encode: PyTorch {torch.__version__}, {kind} zoo {a.zoo}, batch {a.batch}, 2 threads")
    for name in a.encoders.split(","):
        model = {"flat": lambda: Flat(size), "transformer": lambda: Transformer(shapes),
                 "noninteractive": lambda: Probing(shapes, x, o, False, 22 if kind == "formal" else 50),
                 "interactive": lambda: Probing(shapes, x, o, True, 22 if kind == "formal" else 50)}[name]()
        w = torch.rand(a.batch, 16) * 2 - 1

        def encode():
            model.eval()
            with torch.no_grad():
                nn.functional.normalize(model(theta), dim=-1)

        def train_pass():
            model.train()
            model.zero_grad()
            (nn.functional.normalize(model(theta), dim=-1) * w).sum().backward()

        params_count = sum(q.numel() for q in model.parameters())
        print(f"peer {name}: {params_count} parameters, encode {rate(encode, a.batch):.1f} RNNs/s, train pass {rate(train_pass, a.batch):.1f} RNNs/s")


if __name__ == "__main__":
    main()
