"""Shared by the golden-file scripts: the zoo model in PyTorch and a hand-written safetensors writer
(so that only Debian's python3-torch and numpy are needed)."""
import json
import struct

import numpy as np
import torch

DTYPES = {np.float32: "F32", np.float64: "F64", np.int64: "I64", np.uint8: "U8"}


class LstmWithHead(torch.nn.Module):
    """Stacked batch-first LSTM with a linear read-out at every step: zooscope's LstmWithHead."""

    def __init__(self, inputs, hidden, layers, outputs):
        super().__init__()
        self.lstm = torch.nn.LSTM(inputs, hidden, layers, batch_first=True)
        self.linear = torch.nn.Linear(hidden, outputs)

    def forward(self, x):
        return self.linear(self.lstm(x)[0])


def write_safetensors(path, tensors):
    """Writes name -> numpy array (little-endian, C order) in the safetensors layout."""
    header, offset, blobs = {}, 0, []
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        data = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[arr.dtype.type], "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
