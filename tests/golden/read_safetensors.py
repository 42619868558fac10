#!/usr/bin/python3
"""Reads a file ember saved (nn::save) with nothing but the standard library and numpy.

    /usr/bin/python3 tests/golden/read_safetensors.py model.safetensors

Prints each tensor's name, dtype, shape and sum, and the metadata: proof that ember's files are
plain safetensors that Python tools can read.
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "I64": np.int64}


def read(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors, metadata


if __name__ == "__main__":
    tensors, metadata = read(sys.argv[1])
    for name, t in tensors.items():
        print(f"{name} {t.dtype} {list(t.shape)} sum={t.sum():.6g}")
    print("metadata", metadata)
