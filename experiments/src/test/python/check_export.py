#!/usr/bin/env python3
"""Loads a checkpoint written by `zooscope zoo export` into PyTorch and checks it against its zoo.

    python3 check_export.py ZOO_DIR CHECKPOINT.safetensors --run K --step S

Builds torch.nn.LSTM(input, 32, 2, batch_first=True) + torch.nn.Linear(32, output), loads the exported
state dict (read with the standard library: the safetensors format is a JSON header and raw bytes), runs
it on the row's 100 stored rollout inputs and compares with the stored outputs (log-softmax for formal
languages, raw logits for MNIST; both float16). Exits 1 when an output is off by more than float16
precision allows (formal: 1e-3 + 1e-3*|v|; MNIST, whose stored inputs are float16 too: 3e-2).
"""
import argparse
import json
import struct
import sys

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=DTYPES[info["dtype"]]).reshape(info["shape"]).copy())
    return out


class ZooLstm(torch.nn.Module):
    def __init__(self, inputs, outputs):
        super().__init__()
        self.lstm = torch.nn.LSTM(inputs, 32, 2, batch_first=True)
        self.linear = torch.nn.Linear(32, outputs)

    def forward(self, x):
        return self.linear(self.lstm(x)[0])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("zoo")
    p.add_argument("checkpoint")
    p.add_argument("--run", type=int, required=True)
    p.add_argument("--step", type=int, required=True)
    a = p.parse_args()

    formal = not __import__("os").path.exists(a.zoo + "/num_step.npy")
    labels = np.load(a.zoo + ("/num_step_correct.npy" if formal else "/num_step.npy"))
    rows = np.nonzero((labels[:, 0] == a.run) & (labels[:, 1] == a.step))[0]
    if len(rows) != 1:
        sys.exit(f"{a.zoo}: no row for run {a.run}, step {a.step}")
    row = rows[0]
    seqs = np.load(a.zoo + "/sequences.npy", mmap_mode="r")[row]
    stored = np.load(a.zoo + "/logits.npy", mmap_mode="r")[row].astype(np.float32)

    model = ZooLstm(6, 6) if formal else ZooLstm(16, 10)
    model.load_state_dict(read_safetensors(a.checkpoint))
    with torch.no_grad():
        if formal:
            tokens = torch.from_numpy(seqs[:, :41].astype(np.int64))
            tokens[:, 0] = 4  # position 0 is BOS whatever is stored there
            out = torch.log_softmax(model(torch.nn.functional.one_hot(tokens, 6).float()), -1)
        else:
            out = model(torch.from_numpy(seqs.astype(np.float32)))
    diff = np.abs(out.numpy() - stored)
    bound = 1e-3 + 1e-3 * np.abs(stored) if formal else 3e-2
    worst = float(diff.max())
    if np.any(diff > bound):
        sys.exit(f"FAILED: run {a.run}, step {a.step}: max |diff| {worst:.3e} exceeds float16 precision")
    print(f"ok: PyTorch {torch.__version__} reproduces run {a.run}, step {a.step} of {a.zoo}: "
          f"{stored.size} outputs, max |diff| {worst:.2e}, mean {float(diff.mean()):.2e}")


if __name__ == "__main__":
    main()
