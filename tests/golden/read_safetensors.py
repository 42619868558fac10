#!/usr/bin/python3
"""Reads a file ember saved (nn::save) with nothing but the standard library and numpy.

    /usr/bin/python3 tests/golden/read_safetensors.py model.safetensors

Prints each tensor's name, dtype, shape and sum, and the metadata: proof that ember's files are
plain safetensors that Python tools can read.

The layout (ember/nn/serialize.h): 8 bytes little-endian header length N, N bytes of JSON
{"name": {"dtype", "shape", "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}},
then the data. ember stores each tensor's CRC-32 (zlib.crc32 of its data bytes) in the metadata
as "ember.crc32.<name>": "<8 hex digits>"; this reader checks them and leaves them out of the
metadata it returns. Files without them (PyTorch's) are read unverified.
"""
import json
import struct
import sys
import zlib

import numpy as np

DTYPES = {"F32": np.float32, "I64": np.int64}
CRC = "ember.crc32."


def read(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    checksums = {k[len(CRC):]: metadata.pop(k) for k in list(metadata) if k.startswith(CRC)}
    tensors = {}
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        begin, end = entry["data_offsets"]
        if name in checksums and int(checksums[name], 16) != zlib.crc32(data[begin:end]):
            raise ValueError(f"{path}: tensor '{name}': checksum mismatch: the file is corrupt")
        tensors[name] = np.frombuffer(data[begin:end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors, metadata


if __name__ == "__main__":
    tensors, metadata = read(sys.argv[1])
    for name, t in tensors.items():
        print(f"{name} {t.dtype} {list(t.shape)} sum={t.sum():.6g}")
    print("metadata", metadata)
