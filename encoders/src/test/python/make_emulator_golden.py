#!/usr/bin/env python3
"""Golden file for zooscope's emulator (PAPER.md section 9), written here in PyTorch from the spec.

input_projection, embedding_projection (z added at t = 0 only), a 2-layer batch-first LSTM, output_projection;
TV loss against the softmax of stored outputs; backward; the emulator's gradient clipped at 0.1 (total norm)
and one AdamW step (lr 1e-3, weight decay 0.01). Small sizes (hidden 16, batch 3, 5 steps, formal-language
inputs and outputs of 6). Parameters and inputs are float32 (PyTorch's init); results are computed in float64
from them. Run with Debian's python3-torch:
    /usr/bin/python3 encoders/src/test/python/make_emulator_golden.py
Writes encoders/src/test/resources/golden/emulator.safetensors.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "engine", "src", "test", "python"))
from golden_common import write_safetensors  # noqa: E402

X, O, H, LAYERS, B, T, E = 6, 6, 16, 2, 3, 5, 16
LR, WD, CLIP = 1e-3, 0.01, 0.1


class Emulator(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding_projection = torch.nn.Linear(E, H)
        self.input_projection = torch.nn.Linear(X, H)
        self.lstm = torch.nn.LSTM(H, H, LAYERS, batch_first=True)
        self.output_projection = torch.nn.Linear(H, O)

    def forward(self, x, z):
        xp = self.input_projection(x)
        xp = torch.cat([xp[:, :1] + self.embedding_projection(z)[:, None], xp[:, 1:]], dim=1)
        return self.output_projection(self.lstm(xp)[0])


def tv(logits, target):
    p, q = torch.softmax(logits, -1), torch.softmax(target, -1)
    return (0.5 * (p - q).abs().sum(-1)).mean(-1).mean()


def main():
    torch.manual_seed(4321)
    emu = Emulator()
    tokens = torch.randint(0, X, (B, T))
    x = torch.nn.functional.one_hot(tokens, X).float()
    z = torch.nn.functional.normalize(torch.randn(B, E), dim=-1)
    target = torch.log_softmax(torch.randn(B, T, O), -1)
    out = {"param." + k: v.detach().numpy().copy() for k, v in emu.named_parameters()}
    out.update({"x": x.numpy(), "z": z.numpy(), "target": target.numpy()})

    emu = emu.double()
    zd = z.double().requires_grad_(True)
    logits = emu(x.double(), zd)
    loss = tv(logits, target.double())
    loss.backward()
    out["logits"] = logits.detach().numpy()
    out["loss"] = loss.detach().numpy().reshape(1)
    out["grad.z"] = zd.grad.numpy()
    for k, v in emu.named_parameters():
        out["grad." + k] = v.grad.numpy().copy()
    torch.nn.utils.clip_grad_norm_(emu.parameters(), CLIP)
    opt = torch.optim.AdamW(emu.parameters(), lr=LR, weight_decay=WD)
    opt.step()
    for k, v in emu.named_parameters():
        out["after." + k] = v.detach().numpy().copy()
    path = os.path.join(os.path.dirname(__file__), "..", "resources", "golden", "emulator.safetensors")
    write_safetensors(path, out)
    print("wrote", os.path.normpath(path), "loss", float(loss))


if __name__ == "__main__":
    main()
