#!/usr/bin/python3
"""ember <-> PyTorch weights: the zoo's LeNet-5, SimpleConvNet and AlexNet-CIFAR as PyTorch modules
whose state_dict keys are ember's, and the safetensors layout read and written by hand (Debian has
no `safetensors` package, and torch.load cannot read the format). Needs python3-torch (1.13 works).

As a module (put tools/ on sys.path):

    import ember_torch
    model = ember_torch.build("lenet5")                            # a torch.nn.Module
    ember_torch.load_into(model, "runs/lenet5/checkpoints/best.safetensors")  # checkpoint or weights
    ember_torch.save_from(model, "lenet5_torch.safetensors")       # ember reads this file

As a program:

    tools/ember_torch.py init --model lenet5 --seed 0 -o lenet5_torch.safetensors
        PyTorch's default initialization (torch.manual_seed(seed)), saved for ember
    tools/ember_torch.py extract CHECKPOINT -o weights.safetensors
        the model's state_dict alone from an ember checkpoint (the `ember export-weights` of Python)
    tools/ember_torch.py eval --model lenet5 --weights FILE --mnist data/mnist [--normalize]
        test loss and accuracy in PyTorch on MNIST/Fashion-MNIST files, for comparison with `ember eval`

The file layout (ember/nn/serialize.h): 8 bytes little-endian header length N, N bytes of JSON
{"name": {"dtype": "F32"|"I64", "shape": [...], "data_offsets": [begin, end]}, ...,
"__metadata__": {"key": "string"}}, then the tensors' little-endian bytes back to back.
ember stores each tensor's CRC-32 (zlib.crc32 of its bytes) as metadata "ember.crc32.<name>" =
8 hex digits; read_safetensors checks them (and drops them from the metadata it returns);
write_safetensors writes none, which ember accepts (as it accepts PyTorch's files).
An ember checkpoint holds the model's tensors under "model.<key>" (and the optimizer's under
"optimizer.<key>"), with metadata format = "ember-checkpoint/1"; load_into takes the model part.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CHECKPOINT_FORMAT = "ember-checkpoint/1"
_TO_NUMPY = {"F32": "<f4", "I64": "<i8", "F64": "<f8", "I32": "<i4", "F16": "<f2"}  # the file is little-endian
_FROM_TORCH = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}
_CRC = "ember.crc32."  # metadata "ember.crc32.<name>": the tensor's CRC-32, 8 hex digits (ember/nn/serialize.h)


# ---- safetensors, by hand ----

def read_safetensors(path):
    """(dict name -> torch.Tensor in the file's order, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: {len(raw)} bytes, too short for a safetensors header")
    (length,) = struct.unpack("<Q", raw[:8])
    if length > len(raw) - 8:
        raise ValueError(f"{path}: header of {length} bytes but only {len(raw) - 8} follow")
    header = json.loads(raw[8:8 + length])
    data = memoryview(raw)[8 + length:]
    metadata = header.pop("__metadata__", {}) or {}
    checksums = {k[len(_CRC):]: metadata.pop(k) for k in list(metadata) if k.startswith(_CRC)}
    tensors = {}
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        if entry["dtype"] not in _TO_NUMPY:
            raise ValueError(f"{path}: tensor '{name}' has dtype {entry['dtype']}, not one of {sorted(_TO_NUMPY)}")
        begin, end = entry["data_offsets"]
        if name in checksums and int(checksums[name], 16) != zlib.crc32(data[begin:end]):
            raise ValueError(f"{path}: tensor '{name}': checksum mismatch: stored crc32 {checksums[name]}, "
                             f"computed {zlib.crc32(data[begin:end]):08x}: the file is corrupt")
        dtype = np.dtype(_TO_NUMPY[entry["dtype"]])
        array = np.frombuffer(data[begin:end], dtype=dtype).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.astype(dtype.newbyteorder("="), copy=True))
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Writes float32/int64 tensors (a dict name -> tensor, kept in order) and string metadata."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = torch.as_tensor(t).detach().cpu().contiguous()
        if t.dtype not in _FROM_TORCH:
            raise ValueError(f"tensor '{name}' is {t.dtype}; ember reads float32 and int64")
        code, layout = _FROM_TORCH[t.dtype]
        blob = t.numpy().astype(layout, copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def model_state(path):
    """The model's state_dict from an ember checkpoint or a plain weights file."""
    tensors, metadata = read_safetensors(path)
    if metadata.get("format") == CHECKPOINT_FORMAT:
        return {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
    return tensors


def load_into(model, path):
    """Loads ember's weights (checkpoint or weights file) into a torch module; strict, like ember."""
    model.load_state_dict(model_state(path))
    return model


def save_from(model, path, metadata=None):
    """Saves a torch module's state_dict in the layout ember's nn::load and `ember eval --weights` read."""
    write_safetensors(path, model.state_dict(), metadata)


# ---- the zoo's models, named as in ember/models/ (so the state_dict keys are ember's) ----

class Net(nn.Module):
    """features -> classifier, the shape of ember's LeNet5 and AlexNetCifar."""

    def __init__(self, features, classifier):
        super().__init__()
        self.features = features
        self.classifier = classifier

    def forward(self, x):
        return self.classifier(self.features(x))


def lenet5(in_channels=1, num_classes=10):
    """ember's `lenet5` (LeNet5, ember/models/lenet.h): 1x28x28 in, 61,706 parameters."""
    return Net(nn.Sequential(nn.Conv2d(in_channels, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2)),
               nn.Sequential(nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                             nn.Linear(84, num_classes)))


class SimpleConvNet(nn.Module):
    """ember's `simplecnn` (ember/models/simple_convnet.h): conv30(5)-relu-maxpool-fc100-relu-fc10."""

    def __init__(self, in_channels=1, input_size=28, conv_channels=30, kernel_size=5, hidden=100, num_classes=10):
        super().__init__()
        pooled = (input_size - kernel_size + 1) // 2
        self.conv1 = nn.Conv2d(in_channels, conv_channels, kernel_size)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(conv_channels * pooled * pooled, hidden)
        self.relu2 = nn.ReLU()
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, x):
        return self.fc2(self.relu2(self.fc1(self.flatten(self.pool1(self.relu1(self.conv1(x)))))))


def alexnet_cifar(in_channels=3, num_classes=10, dropout=0.5):
    """ember's `alexnet_cifar` (AlexNetCifar, ember/models/alexnet.h): 3x32x32 in, 1,387,786 parameters."""
    lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
    return Net(nn.Sequential(nn.Conv2d(in_channels, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2), lrn(),
                             nn.Conv2d(64, 64, 5, padding=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2)),
               nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 384), nn.ReLU(), nn.Dropout(dropout),
                             nn.Linear(384, 192), nn.ReLU(), nn.Dropout(dropout), nn.Linear(192, num_classes)))


MODELS = {"lenet5": lenet5, "simplecnn": SimpleConvNet, "alexnet_cifar": alexnet_cifar}
INPUT_SHAPES = {"lenet5": (1, 28, 28), "simplecnn": (1, 28, 28), "alexnet_cifar": (3, 32, 32)}


def build(name, **options):
    """A PyTorch twin of ember's zoo model `name` (lenet5, simplecnn, alexnet_cifar)."""
    if name not in MODELS:
        raise ValueError(f"no PyTorch twin of model '{name}' (have: {', '.join(MODELS)})")
    return MODELS[name](**options)


# ---- MNIST-format test sets, for `eval` ----

MNIST_STATS = {"mnist": (0.1307, 0.3081), "fashion-mnist": (0.2860, 0.3530)}  # ember's dataset_statistics


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist_test(folder):
    def find(stem):
        for name in (stem + ".gz", stem):
            if os.path.exists(os.path.join(folder, name)):
                return os.path.join(folder, name)
        raise FileNotFoundError(f"{folder} has no {stem}(.gz)")
    images = read_idx(find("t10k-images-idx3-ubyte"))
    labels = read_idx(find("t10k-labels-idx1-ubyte"))
    return torch.from_numpy(images.astype(np.float32) / 255).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


def evaluate(model, images, labels, batch=1000):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(images), batch):
            logits = model(images[i:i + batch])
            loss += F.cross_entropy(logits, labels[i:i + batch], reduction="sum").item()
            correct += (logits.argmax(1) == labels[i:i + batch]).sum().item()
    return loss / len(images), correct / len(images)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init", help="PyTorch's default initialization of a zoo model, saved for ember")
    p.add_argument("--model", required=True, choices=sorted(MODELS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", required=True)
    p = sub.add_parser("extract", help="the model's state_dict alone from an ember checkpoint")
    p.add_argument("checkpoint")
    p.add_argument("-o", "--output", required=True)
    p = sub.add_parser("eval", help="test loss and accuracy in PyTorch on MNIST-format files")
    p.add_argument("--model", required=True, choices=sorted(MODELS))
    p.add_argument("--weights", required=True, help="an ember checkpoint or weights file")
    p.add_argument("--mnist", required=True,
                   help="folder with t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz)")
    p.add_argument("--normalize", choices=sorted(MNIST_STATS), help="normalize with this dataset's mean and std")
    p.add_argument("--limit", type=int, default=0, help="only the first N test images")
    args = parser.parse_args(argv)

    if args.command == "init":
        torch.manual_seed(args.seed)
        model = build(args.model)
        source = f"PyTorch {torch.__version__} default init, seed {args.seed}"
        save_from(model, args.output, {"model": args.model, "source": source})
        print(f"wrote {args.output}: {args.model}, {sum(p.numel() for p in model.parameters())} parameters")
    elif args.command == "extract":
        state = model_state(args.checkpoint)
        config = json.loads(read_safetensors(args.checkpoint)[1].get("config", "{}"))
        write_safetensors(args.output, state, {"model": config["model"]} if "model" in config else None)
        print(f"wrote {args.output}: {len(state)} tensors")
    else:
        model = load_into(build(args.model), args.weights)
        images, labels = load_mnist_test(args.mnist)
        if args.limit:
            images, labels = images[:args.limit], labels[:args.limit]
        if args.normalize:
            mean, std = MNIST_STATS[args.normalize]
            images = (images - mean) / std
        loss, accuracy = evaluate(model, images, labels)
        print(f"{args.weights}: {args.model} in PyTorch: test loss {loss:.4f}  accuracy {100 * accuracy:.2f}%  "
              f"({len(images)} images)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
