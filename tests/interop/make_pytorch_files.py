#!/usr/bin/python3
"""Writes the PyTorch side of the interchange test (tests/interop/test_pytorch.cpp) into
tests/fixtures/pytorch/:

    /usr/bin/python3 tests/interop/make_pytorch_files.py

Needs python3-torch (1.13). Deterministic: fixed seeds, one thread, so a rerun rewrites identical files.

For lenet5 and simplecnn (ember's registry names), with the PyTorch twins of tools/ember_torch.py:
  <model>.torch.safetensors   PyTorch's default initialization (torch.manual_seed(SEED)), saved
                              with PyTorch's state_dict names by ember_torch.save_from
  <model>.io.safetensors      x (a fixed batch of 4 inputs in [0, 1)), targets, logits (PyTorch,
                              eval mode, on those weights) and trained_logits (eval logits after
                              STEPS steps of SGD(lr LR, momentum MOMENTUM) on (x, targets) with
                              cross-entropy, starting from those weights)
alexnet_cifar has 1,387,786 parameters (5.5 MB in float32), too many to commit, so its weights
are not stored: both sides build them from PATTERN (below), ember in
tests/interop/test_pytorch.cpp, and alexnet_cifar.io.safetensors records, besides x, targets,
logits and trained_logits, the pattern weights' checksum, so a mismatch shows as "the weights
differ" before any logits are compared. tests/interop/check_pytorch.py covers AlexNet-CIFAR with
PyTorch's own random initialization, through files, when torch is installed.

PATTERN: tensor `name` of shape S, element i (row-major), with h = fnv1a64(name):
  z = h + (i + 1) * 0x9E3779B97F4A7C15 (mod 2^64), then splitmix64's finalizer,
  k = z mod 2001 - 1000, value = k * 2^-e, e = 10 + (bit_length(fan_in) + 1) // 2 for weights
  (fan_in = numel / S[0]) and e = 14 for 1-D tensors (biases).
Every value is an integer of at most 11 bits times a power of two: exact in float32 on both sides.
CHECKSUM over the state_dict in order: c = c * 1099511628211 + fnv1a64(name) + sum_i bits_i * (2i + 1)
(mod 2^64), bits_i the float32 bit pattern of element i.
"""
import os
import sys

os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import ember_torch  # noqa: E402

OUT_DIR = os.path.join(HERE, "..", "fixtures", "pytorch")
SEED = 8
BATCH = 4
STEPS, LR, MOMENTUM = 3, 0.05, 0.9
MASK = (1 << 64) - 1


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001B3) & MASK
    return h


def pattern_tensor(name, shape):
    n = int(np.prod(shape))
    with np.errstate(over="ignore"):
        z = np.uint64(fnv1a64(name)) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    k = (z % np.uint64(2001)).astype(np.int64) - 1000
    if len(shape) >= 2:
        fan_in = n // shape[0]
        e = 10 + (fan_in.bit_length() + 1) // 2
    else:
        e = 14
    return torch.from_numpy((k.astype(np.float32) * np.float32(2.0 ** -e)).reshape(shape))


def pattern_state(model):
    return {name: pattern_tensor(name, tuple(t.shape)) for name, t in model.state_dict().items()}


def checksum(state):
    c = 0
    for name, t in state.items():
        bits = t.detach().contiguous().numpy().view(np.uint32).astype(np.uint64).reshape(-1)
        with np.errstate(over="ignore"):
            weighted = int((bits * (np.arange(bits.size, dtype=np.uint64) * np.uint64(2) + np.uint64(1))).sum(
                dtype=np.uint64))
        c = (c * 1099511628211 + fnv1a64(name) + weighted) & MASK
    return c


def trained_logits(model, x, targets):
    """Eval logits after STEPS SGD steps on (x, targets); the model is changed."""
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    model.train()
    for _ in range(STEPS):
        optimizer.zero_grad()
        F.cross_entropy(model(x), targets).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        return model(x)


def make(name, gen):
    torch.manual_seed(SEED)
    # dropout 0: training must not draw from an RNG ember does not share (only alexnet_cifar has dropout).
    model = ember_torch.build(name, **({"dropout": 0.0} if name == "alexnet_cifar" else {})).eval()
    x = torch.rand((BATCH,) + ember_torch.INPUT_SHAPES[name], generator=gen)
    targets = torch.randint(0, 10, (BATCH,), generator=gen)
    metadata = {"model": name, "steps": STEPS, "lr": LR, "momentum": MOMENTUM, "torch": torch.__version__}
    if name == "alexnet_cifar":
        state = pattern_state(model)
        model.load_state_dict(state)
        metadata["weights"] = "pattern"
        metadata["checksum"] = str(checksum(state))
    else:
        path = os.path.join(OUT_DIR, f"{name}.torch.safetensors")
        ember_torch.save_from(model, path, {"model": name, "source": f"PyTorch {torch.__version__} default init"})
        metadata["weights"] = os.path.basename(path)
    with torch.no_grad():
        logits = model(x)
    after = trained_logits(model, x, targets)
    ember_torch.write_safetensors(os.path.join(OUT_DIR, f"{name}.io.safetensors"),
                                  {"x": x, "targets": targets, "logits": logits, "trained_logits": after}, metadata)
    print(f"{name}: logits {logits[0, :3].tolist()} ... trained {after[0, :3].tolist()} ...")


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    for i, name in enumerate(["lenet5", "simplecnn", "alexnet_cifar"]):
        make(name, torch.Generator().manual_seed(100 + i))


if __name__ == "__main__":
    main()
