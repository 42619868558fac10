#!/usr/bin/python3
"""Checks a file `ember export` wrote from a checkpoint, with consumers nobody here wrote:
python3-onnx's checker (full_check) accepts it, its initializers are the checkpoint's model.*
tensors bit for bit, and OpenCV's DNN module (python3-opencv) runs it on a batch of 3 (the batch
dim is symbolic) giving finite [3, CLASSES] outputs.

usage: check_cli_export.py MODEL.onnx CHECKPOINT_OR_WEIGHTS.safetensors CLASSES
"""
import pathlib
import sys

import cv2
import numpy as np
import onnx
import onnx.checker
import onnx.numpy_helper

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "golden"))
from read_safetensors import read  # noqa: E402


def main():
    path, checkpoint, classes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    onnx.checker.check_model(path, full_check=True)
    model = onnx.load(path)
    tensors, _ = read(checkpoint)
    initializers = {i.name: onnx.numpy_helper.to_array(i) for i in model.graph.initializer}
    # A checkpoint's model weights are its "model." entries; a weights file has only those, unprefixed.
    if any(name.startswith("model.") for name in tensors):
        weights = {name[len("model."):]: t for name, t in tensors.items() if name.startswith("model.")}
    else:
        weights = tensors
    exported = {name: t for name, t in initializers.items() if name in weights}
    if not exported or any(not np.array_equal(t, weights[name]) for name, t in exported.items()):
        print(f"initializers differ from the checkpoint's weights ({len(exported)} compared)")
        return 1
    dims = model.graph.input[0].type.tensor_type.shape.dim
    shape = [3] + [d.dim_value for d in dims[1:]]
    net = cv2.dnn.readNetFromONNX(path)
    net.setInput(np.random.default_rng(0).random(shape, dtype=np.float32))
    out = net.forward()
    if out.shape != (3, classes) or not np.isfinite(out).all():
        print(f"OpenCV gave {out.shape}, expected (3, {classes}) finite")
        return 1
    print(f"ok: {path}: {len(model.graph.node)} nodes, {len(exported)} weights equal to the checkpoint's, "
          f"OpenCV output {out.shape}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
