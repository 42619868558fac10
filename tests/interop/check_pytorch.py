#!/usr/bin/python3
"""ctest interop.pytorch: PyTorch and ember exchange weights through files, both ways, and agree.

    /usr/bin/python3 tests/interop/check_pytorch.py PEER FIXTURES [EMBER]

PEER is build/tests/pytorch_peer (tests/interop/pytorch_peer.cpp), FIXTURES tests/fixtures, EMBER
the `ember` program (step 3 needs it). For lenet5, simplecnn and alexnet_cifar (tools/ember_torch.py's twins):
  1. PyTorch -> ember: PyTorch's default initialization (a seed no committed file uses, so
     AlexNet-CIFAR too is checked on real PyTorch weights), saved by ember_torch.save_from; ember
     loads the file and its eval logits must equal PyTorch's.
  2. ember -> PyTorch: ember trains a few SGD steps (dropout on) from PyTorch's weights (the
     committed files for lenet5 and simplecnn, step 1's for alexnet_cifar) and saves the result;
     PyTorch loads ember's file (ember_torch.load_into, strict) and its logits must equal ember's.
  3. The command line: `ember train --init-weights` from PyTorch's LeNet-5 file on the committed
     MNIST subset; its checkpoint, loaded straight into PyTorch, and the file `ember export-weights`
     writes give ember's logits; `ember eval --weights` on PyTorch's file prints the test loss and
     accuracy PyTorch computes.
Without PyTorch it says so and exits 77, which ctest reports as skipped (SKIP_RETURN_CODE); the
half that needs no PyTorch is interop.test_pytorch, which always runs.
"""
import os
import re
import subprocess
import sys
import tempfile

try:
    import torch
except ImportError as error:
    print(f"SKIPPED interop.pytorch: {sys.executable} cannot import torch ({error}), so PyTorch loading "
          "ember's files was NOT checked. interop.test_pytorch still checked ember against the committed "
          "PyTorch files. Install Debian's python3-torch (scripts/setup.sh python3-torch) to run this check.")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import ember_torch  # noqa: E402

LOGIT_TOLERANCE = 1e-5  # float32 forward passes of the same weights, summed in different orders
FRESH_SEED = 2024
MODELS = ["lenet5", "simplecnn", "alexnet_cifar"]

failures = []
passed = 0


def check(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(what)
        print(f"FAIL: {what}")


def run(*args):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout


def torch_logits(model, x):
    model.eval()
    with torch.no_grad():
        return model(x)


def compare(label, ember, pytorch):
    diff = (ember - pytorch).abs().max().item()
    print(f"{label:<58} max abs diff {diff:.3g}")
    check(diff <= LOGIT_TOLERANCE, f"{label}: max abs diff {diff:.3g} > {LOGIT_TOLERANCE}")
    check(pytorch.abs().max().item() > 1e-3, f"{label}: the logits are all near 0, the comparison says nothing")


def main(peer, ember, fixtures):
    torch.set_num_threads(1)
    work = tempfile.mkdtemp(prefix="ember_check_pytorch_")
    path = lambda name: os.path.join(work, name)
    committed = os.path.join(fixtures, "pytorch")
    print(f"torch {torch.__version__}; tolerance on logits {LOGIT_TOLERANCE}")

    for name in MODELS:
        # 1. PyTorch's own initialization -> ember.
        torch.manual_seed(FRESH_SEED)
        model = ember_torch.build(name)
        weights = path(f"{name}.torch.safetensors")
        ember_torch.save_from(model, weights, {"model": name})
        gen = torch.Generator().manual_seed(FRESH_SEED)
        x = torch.rand((4,) + ember_torch.INPUT_SHAPES[name], generator=gen)
        targets = torch.randint(0, 10, (4,), generator=gen)
        io = path(f"{name}.io.safetensors")
        ember_torch.write_safetensors(io, {"x": x, "targets": targets})
        run(peer, "logits", name, weights, io, path(f"{name}.ember_logits.safetensors"))
        ember_logits = ember_torch.read_safetensors(path(f"{name}.ember_logits.safetensors"))[0]["logits"]
        compare(f"{name}: PyTorch init -> ember, eval logits", ember_logits, torch_logits(model, x))

        # 2. ember-trained weights -> PyTorch.
        start = os.path.join(committed, f"{name}.torch.safetensors")
        if not os.path.exists(start):
            start = weights  # alexnet_cifar's weights are not committed
        trained = path(f"{name}.ember_trained.safetensors")
        run(peer, "train", name, start, io, trained)
        run(peer, "logits", name, trained, io, path(f"{name}.trained_logits.safetensors"))
        ember_logits = ember_torch.read_safetensors(path(f"{name}.trained_logits.safetensors"))[0]["logits"]
        twin = ember_torch.load_into(ember_torch.build(name), trained)
        compare(f"{name}: ember-trained -> PyTorch, eval logits", ember_logits, torch_logits(twin, x))

    if ember:
        check_command_line(ember, peer, fixtures, path)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


def check_command_line(ember, peer, fixtures, path):
    mnist = os.path.join(fixtures, "mnist-small")
    start = os.path.join(fixtures, "pytorch", "lenet5.torch.safetensors")
    io = os.path.join(fixtures, "pytorch", "lenet5.io.safetensors")
    x = ember_torch.read_safetensors(io)[0]["x"]

    # Fine-tune PyTorch's weights with `ember train --init-weights`, then hand the result back.
    run_dir = path("run")
    run(ember, "train", "--model", "lenet5", "--data", "mnist", "--data-dir", mnist, "--train-limit", "1000",
        "--epochs", "1", "--batch", "10", "--lr", "0.05", "--momentum", "0.9", "--init-weights", start,
        "--progress", "none", "--out", run_dir)
    with open(os.path.join(run_dir, "config.json")) as f:
        check(f'"init_weights": "{start}"' in f.read(), "config.json does not record --init-weights")
    checkpoint = os.path.join(run_dir, "checkpoints", "last.safetensors")
    run(peer, "logits", "lenet5", checkpoint, io, path("run_logits.safetensors"))
    ember_logits = ember_torch.read_safetensors(path("run_logits.safetensors"))[0]["logits"]
    twin = ember_torch.load_into(ember_torch.build("lenet5"), checkpoint)
    compare("ember train --init-weights: checkpoint -> PyTorch", ember_logits, torch_logits(twin, x))
    exported = path("exported.safetensors")
    run(ember, "export-weights", "--checkpoint", checkpoint, "-o", exported)
    tensors, metadata = ember_torch.read_safetensors(exported)
    check(list(tensors) == list(twin.state_dict()), f"export-weights keys {list(tensors)}")
    check(metadata.get("model") == "lenet5", f"export-weights metadata {metadata}")
    twin = ember_torch.load_into(ember_torch.build("lenet5"), exported)
    compare("ember export-weights -> PyTorch", ember_logits, torch_logits(twin, x))

    # `ember eval --weights` (the model named by the file's metadata) and PyTorch on the same test
    # images: the same loss and accuracy, for PyTorch's initial weights and the fine-tuned ones.
    images, labels = ember_torch.load_mnist_test(mnist)
    for label, weights in (("PyTorch's LeNet-5", start), ("the fine-tuned LeNet-5", exported)):
        out = run(ember, "eval", "--weights", weights, "--data", "mnist", "--data-dir", mnist)
        match = re.search(r"test loss ([0-9.]+)  accuracy ([0-9.]+)%", out)
        check(match is not None, f"ember eval --weights printed no loss and accuracy: {out}")
        loss, accuracy = ember_torch.evaluate(ember_torch.load_into(ember_torch.build("lenet5"), weights), images,
                                              labels)
        if match:
            print(f"ember eval --weights, {label}: loss {match[1]} accuracy {match[2]}%; "
                  f"PyTorch: {loss:.4f} {100 * accuracy:.2f}%")
            check(abs(float(match[1]) - loss) <= 1.5e-4, f"ember eval --weights loss {match[1]} != PyTorch's {loss:.6f}")
            check(match[2] == f"{100 * accuracy:.2f}", f"ember eval --weights accuracy {match[2]}% != PyTorch's")
    check(accuracy > 0.5, f"the fine-tuned LeNet-5 reaches only {100 * accuracy:.2f}%: did it train?")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[3] if len(sys.argv) == 4 else None, sys.argv[2]))
