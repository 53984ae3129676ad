#!/usr/bin/env python3
"""PyTorch's best on a GPU for `zooscope bench train --backend cuda`: the same zoo-training work.

  one-at-a-time  one nn.LSTM (cuDNN) + Linear per model, AdamW, one model after another
  stacked        all M models in one graph: weights stacked along a model axis, the LSTM written out with
                 torch.bmm per time step, one fused AdamW (eager)
  graph          `stacked`, captured once as a CUDA graph and replayed (capturable AdamW)
  compiled       `stacked` through torch.compile (mode max-autotune-no-cudagraphs, then default)

One model-step = one AdamW update of one model on a batch of 32 sequences, cross-entropy at every step.
Prints `peer <mode>: <rate> model-steps/s (...)`, the median of --repeats, after a warm-up. Runs on the CPU
too (--device cpu) for a smoke test of the script itself; the figures that matter are the GPU's.
"""
import argparse
import statistics
import time

import torch

from train_peer import CONFIGS, batches, one_at_a_time, stacked_model, sync


def stacked_inputs(M, data, device):
    """Every model its own batch: the data's batches assigned round-robin, on the device."""
    xs = torch.stack([data[m % len(data)][0] for m in range(M)]).to(device)
    ys = torch.stack([data[m % len(data)][1].reshape(-1) for m in range(M)]).to(device)
    return xs, ys


def stacked(cfg, models, steps, data, device, mode):
    params, loss_of = stacked_model(cfg, models, device)
    x, y = stacked_inputs(models, data, device)
    options = {"fused": True} if device.type == "cuda" else {}  # one kernel for all parameters
    if mode == "graph":
        options["capturable"] = True  # its step count stays on the device, as graph replay needs
    opt = torch.optim.AdamW(params, lr=0.01, weight_decay=1e-4, **options)

    def step():
        opt.zero_grad(set_to_none=False)
        loss_of(x, y).backward()
        opt.step()

    run = step
    if mode == "compiled":
        run = torch.compile(step)
    if mode == "graph":
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(3):  # warm-up on a side stream, as the CUDA-graph recipe asks
                step()
        torch.cuda.current_stream().wait_stream(s)
        graph = torch.cuda.CUDAGraph()
        opt.zero_grad(set_to_none=False)
        with torch.cuda.graph(graph):
            loss_of(x, y).backward()
            opt.step()
        run = graph.replay
    for _ in range(3):
        run()  # warm-up (and compilation)
    sync(device)
    start = time.perf_counter()
    for _ in range(steps):
        run()
    sync(device)
    return models * steps / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", choices=sorted(CONFIGS), default="formal")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--models", type=int, nargs="+", default=[1024, 4096], help="models in the stacked runs")
    ap.add_argument("--steps", type=int, default=20, help="timed steps per stacked run")
    ap.add_argument("--single-models", type=int, default=2)
    ap.add_argument("--single-steps", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--modes", nargs="+", default=["one-at-a-time", "stacked", "graph", "compiled"])
    a = ap.parse_args()
    device = torch.device(a.device)
    torch.manual_seed(0)
    data = [(x.to(device), y.to(device)) for x, y in batches(a.config, 16, torch.Generator().manual_seed(1))]
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu"
    if "one-at-a-time" in a.modes:
        one_at_a_time(a.config, 1, 10, data, device)
        r = statistics.median(one_at_a_time(a.config, a.single_models, a.single_steps, data, device) for _ in range(a.repeats))
        print(f"peer one-at-a-time: {r:.1f} model-steps/s (torch {torch.__version__}, {name})", flush=True)
    for mode in [m for m in a.modes if m != "one-at-a-time"]:
        if mode == "graph" and device.type != "cuda":
            continue
        for models in a.models:
            try:
                r = statistics.median(stacked(a.config, models, a.steps, data, device, mode) for _ in range(a.repeats))
                print(f"peer {mode}: {r:.1f} model-steps/s ({models} models, torch {torch.__version__}, {name})", flush=True)
            except Exception as e:  # report and go on: one failing variant must not hide the others
                print(f"peer {mode}: failed with {models} models: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", flush=True)


if __name__ == "__main__":
    main()
