#!/usr/bin/python3
"""Writes the fuzz targets' seed corpus: fuzz/corpus/<target>/<name>, small valid files and
subtly broken ones (truncated, wrong magic, huge declared sizes, trailing bytes, bad JSON,
overlapping offsets, ...). Standard library only; deterministic, so rerunning it changes nothing.

    /usr/bin/python3 fuzz/make_corpus.py          # rewrites fuzz/corpus/ from scratch
"""
import gzip
import json
import pathlib
import shutil
import struct
import zlib

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def gz(data):
    # mtime=0 keeps the bytes the same from run to run.
    return gzip.compress(data, compresslevel=9, mtime=0)


# ---- IDX (MNIST) --------------------------------------------------------------------------------


def idx(dims, data, type_byte=0x08, rank=None):
    header = bytes([0, 0, type_byte, len(dims) if rank is None else rank])
    return header + b"".join(struct.pack(">I", d) for d in dims) + data


def idx_corpus():
    labels = idx([10], bytes(range(10)))
    images = idx([2, 4, 4], bytes(range(32)))
    write("idx", "labels-idx1-ubyte", labels)
    write("idx", "images-idx3-ubyte", images)
    write("idx", "matrix-idx2-ubyte", idx([3, 2], bytes([0, 1, 2, 3, 254, 255])))
    write("idx", "rank4-idx4-ubyte", idx([1, 1, 2, 3], bytes(6)))
    write("idx", "labels-idx1-ubyte.gz", gz(labels))
    write("idx", "images-idx3-ubyte.gz", gz(images))
    write("idx", "two-members.gz", gz(images[:9]) + gz(images[9:]))  # what `cat a.gz b.gz` makes
    write("idx", "zeros-4096.gz", gz(idx([4096], bytes(4096))))        # deflate at a high ratio
    # Broken headers.
    write("idx", "bad-magic", b"\x1f\x00" + images[2:])
    write("idx", "type-float32", idx([6], bytes(24), type_byte=0x0D))
    write("idx", "type-unknown", idx([6], bytes(6), type_byte=0x42))
    write("idx", "rank0", idx([], b"", rank=0))
    write("idx", "rank5", idx([1, 1, 1, 2, 3], bytes(6)))
    write("idx", "zero-size", idx([2, 0, 3], b""))
    write("idx", "header-cut", idx([2, 3], b"")[:9])
    write("idx", "two-bytes", b"\x00\x00")
    write("idx", "empty", b"")
    # Sizes that do not match the data.
    write("idx", "huge-dims", idx([65535, 65535, 65535], bytes(6)))
    write("idx", "mnist-header-tiny-data", idx([60000, 28, 28], bytes(100)))
    write("idx", "max-u32-dim", idx([0xFFFFFFFF], bytes(4)))
    write("idx", "truncated", images[:-5])
    write("idx", "trailing", images + b"ab")
    write("idx", "mnist-header.gz", gz(idx([60000, 28, 28], bytes(6))))
    write("idx", "2gib-header.gz", gz(idx([32768, 256, 256], bytes(6))))
    packed = gz(images)
    write("idx", "half.gz", packed[: len(packed) // 2])
    write("idx", "no-trailer.gz", packed[:-8])
    bad_crc = bytearray(packed)
    bad_crc[-6] ^= 1
    write("idx", "bad-crc.gz", bytes(bad_crc))
    write("idx", "junk-after.gz", packed + b"junk!")
    write("idx", "longer-than-header.gz", gz(images + b"ab"))
    write("idx", "shorter-than-header.gz", gz(images[:-3]))
    write("idx", "raw-deflate-in-gzip-magic", b"\x1f\x8b" + packed[10:])


# ---- CIFAR-10 binary batches ----------------------------------------------------------------------


def cifar_record(label, seed):
    return bytes([label]) + bytes((seed * 7 + i) % 256 for i in range(3072))


def cifar_corpus():
    one = cifar_record(3, 1)
    write("cifar10", "one-record.bin", one)
    write("cifar10", "two-records.bin", cifar_record(0, 2) + cifar_record(9, 3))
    write("cifar10", "label-10.bin", cifar_record(10, 4))
    write("cifar10", "label-255-second.bin", cifar_record(1, 5) + cifar_record(255, 6))
    write("cifar10", "short-by-one.bin", one[:-1])
    write("cifar10", "one-extra-byte.bin", one + b"\x00")
    write("cifar10", "label-only.bin", b"\x05")
    write("cifar10", "empty.bin", b"")


# ---- safetensors files and checkpoints --------------------------------------------------------------


def safetensors(tensors, metadata=None, pad=True, header_override=None, extra=b""):
    """tensors: list of (name, dtype, shape, bytes) laid out in order."""
    header, blobs, offset = {}, [], 0
    for name, dtype, shape, blob in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = header_override if header_override is not None else json.dumps(header, separators=(",", ":"))
    text = text.encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs) + extra


def with_checksums(tensors, metadata=None):
    """The metadata nn::save writes: "ember.crc32.<name>" = the CRC-32 of the tensor's bytes, 8 hex digits."""
    metadata = dict(metadata or {})
    metadata.update({"ember.crc32." + name: "%08x" % zlib.crc32(blob) for name, _, _, blob in tensors})
    return metadata


def f32(*values):
    return struct.pack("<%df" % len(values), *values)


def i64(*values):
    return struct.pack("<%dq" % len(values), *values)


# The model of fuzz_safetensors.cpp's small runs: Sequential(Linear(4, 3), BatchNorm2d(3)).
MODEL = [
    ("0.weight", "F32", [3, 4], f32(*[0.1 * i for i in range(12)])),
    ("0.bias", "F32", [3], f32(0.1, 0.2, 0.3)),
    ("1.weight", "F32", [3], f32(1, 1, 1)),
    ("1.bias", "F32", [3], f32(0, 0, 0)),
    ("1.running_mean", "F32", [3], f32(0, 0, 0)),
    ("1.running_var", "F32", [3], f32(1, 1, 1)),
    ("1.num_batches_tracked", "I64", [], i64(5)),
]
PARAM_SHAPES = [[3, 4], [3], [3], [3]]  # the optimizer's parameters: the Linear's, then the norm's

CONFIG = {
    "model": "lenet5", "dropout": None, "activation": "", "conv_channels": [], "hidden": [],
    "normal_init": False, "width": None, "data": "mnist", "data_dir": "", "train_limit": 0,
    "test_limit": 0, "translate": 0, "crop_padding": 0, "flip": False, "normalize": False,
    "epochs": 3, "batch": 64, "test_batch": 1000, "optim": "sgd", "lr": 0.01, "momentum": 0.9,
    "weight_decay": None, "nesterov": False, "scheduler": "step", "step_size": 2, "warmup": 0,
    "patience": 2, "gamma": 0.1, "milestones": [], "clip_grad_norm": 0.0, "seed": 1, "threads": 0,
    "out": "runs/fuzz", "topk": 5,
}
HISTORY = [{"epoch": 1, "train_loss": 0.5, "train_accuracy": 0.8, "test_loss": None, "test_accuracy": None,
            "test_topk_accuracy": None, "topk": 5, "lr": 0.1, "seconds": 1.5, "images_per_second": 100.0}]


def checkpoint(adam, **changes):
    """A checkpoint of fuzz_safetensors.cpp's SGD (momentum, StepLR) or Adam (plateau) run."""
    tensors = [("model." + name, dtype, shape, blob) for name, dtype, shape, blob in MODEL]
    meta = {"format": "ember-checkpoint/1", "epoch": "1", "batch": "0", "step": "2",
            "epoch_counts": "0,0,0,0,0", "rng": "1,2,3,4", "history": json.dumps(HISTORY),
            "best_accuracy": "0.5", "config": json.dumps(CONFIG)}
    names = ["exp_avg", "exp_avg_sq"] if adam else ["momentum_buffer"]
    meta.update({"optimizer.optimizer": "Adam" if adam else "SGD", "optimizer.groups": "1",
                 "optimizer.group.0.params": "4"})
    options = ({"lr": "0.001", "beta1": "0.9", "beta2": "0.999", "eps": "1e-08", "weight_decay": "0",
                "amsgrad": "0"} if adam else
               {"lr": "0.1", "momentum": "0.9", "dampening": "0", "weight_decay": "0", "nesterov": "0"})
    meta.update({"optimizer.group.0." + k: v for k, v in options.items()})
    for index, shape in enumerate(PARAM_SHAPES):
        meta["optimizer.state.%d.step" % index] = "2"
        count = 1
        for s in shape:
            count *= s
        for n in names:
            tensors.append(("optimizer.state.%d.%s" % (index, n), "F32", shape, f32(*([0.01] * count))))
    if adam:
        meta.update({"scheduler.scheduler": "ReduceLROnPlateau", "scheduler.last_epoch": "1",
                     "scheduler.best": "0.7", "scheduler.num_bad_epochs": "0", "scheduler.cooldown_counter": "0"})
    else:
        meta.update({"scheduler.scheduler": "StepLR", "scheduler.last_epoch": "1", "scheduler.groups": "1",
                     "scheduler.base_lr.0": "0.1"})
    meta.update(changes)
    return tensors, {k: v for k, v in meta.items() if v is not None}


def safetensors_corpus():
    write("safetensors", "weights.safetensors", safetensors(MODEL))
    write("safetensors", "empty-dict.safetensors", safetensors([]))
    write("safetensors", "metadata-only.safetensors", safetensors([], {"note": "hello"}))
    write("safetensors", "sgd-checkpoint.safetensors", safetensors(*checkpoint(False)))
    write("safetensors", "adam-checkpoint.safetensors", safetensors(*checkpoint(True)))
    write("safetensors", "mid-epoch-checkpoint.safetensors",
          safetensors(*checkpoint(False, batch="1", epoch_counts="2,1,2,3,1.25")))
    # Layout problems.
    good = safetensors(MODEL)
    write("safetensors", "short.safetensors", good[:5])
    write("safetensors", "header-past-end.safetensors", struct.pack("<Q", 1 << 40) + good[8:])
    write("safetensors", "truncated-data.safetensors", good[:-4])
    write("safetensors", "trailing-data.safetensors", good + b"\x00" * 4)
    write("safetensors", "not-json.safetensors", safetensors([], header_override='{"a": [1, 2'))
    write("safetensors", "json-array.safetensors", safetensors([], header_override="[1, 2, 3]"))
    write("safetensors", "deep-json.safetensors", safetensors([], header_override="[" * 64 + "]" * 64))
    two = [("a", "F32", [2], f32(1, 2)), ("b", "F32", [2], f32(3, 4))]
    layout = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
              "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}
    blob = f32(1, 2, 3, 4)
    write("safetensors", "overlap.safetensors", safetensors([], header_override=json.dumps(layout), extra=blob))
    layout["b"]["data_offsets"] = [12, 20]
    write("safetensors", "hole.safetensors", safetensors([], header_override=json.dumps(layout), extra=blob + blob))
    layout["b"]["data_offsets"] = [8, 4]
    write("safetensors", "reversed-offsets.safetensors",
          safetensors([], header_override=json.dumps(layout), extra=blob))
    bad_entries = {
        "dtype-f16": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]},
        "size-mismatch": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]},
        "negative-shape": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]},
        "float-shape": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]},
        "huge-shape": {"dtype": "F32", "shape": [4294967296, 4294967296, 4294967296], "data_offsets": [0, 8]},
        "zero-times-huge": {"dtype": "F32", "shape": [0, 9223372036854775807, 9223372036854775807],
                            "data_offsets": [0, 0]},
        "offsets-past-end": {"dtype": "F32", "shape": [2], "data_offsets": [0, 18446744073709551615]},
        "missing-offsets": {"dtype": "F32", "shape": [2]},
        "string-entry": "F32",
        "too-many-dims": {"dtype": "F32", "shape": [1] * 17, "data_offsets": [0, 4]},
    }
    for name, entry in bad_entries.items():
        header = json.dumps({"t": entry})
        write("safetensors", name + ".safetensors", safetensors([], header_override=header, extra=f32(1, 2)))
    write("safetensors", "empty-name.safetensors",
          safetensors([], header_override='{"": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}',
                      extra=f32(1, 2)))
    write("safetensors", "metadata-not-strings.safetensors",
          safetensors([], header_override='{"__metadata__": {"format": 1}}'))
    write("safetensors", "metadata-reserved-as-tensor.safetensors",
          safetensors([], header_override='{"__metadata__": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}}',
                      extra=f32(1)))
    # Integrity (#17): checksums, non-finite values, names twice, sizes past 2^63 - 1.
    write("safetensors", "weights-checksums.safetensors", safetensors(MODEL, with_checksums(MODEL)))
    write("safetensors", "sgd-checkpoint-checksums.safetensors",
          safetensors(checkpoint(False)[0], with_checksums(*checkpoint(False))))
    flipped = [(n, d, s, b[:-1] + bytes([b[-1] ^ 0x40]) if n == "0.weight" else b) for n, d, s, b in MODEL]
    write("safetensors", "checksum-mismatch.safetensors", safetensors(flipped, with_checksums(MODEL)))
    write("safetensors", "checksum-not-hex.safetensors", safetensors(MODEL, {"ember.crc32.0.bias": "0x12345"}))
    write("safetensors", "checksum-stray.safetensors", safetensors(MODEL, {"ember.crc32.nope": "00000000"}))
    nan = [(n, d, s, f32(0.1, float("nan"), 0.3) if n == "0.bias" else b) for n, d, s, b in MODEL]
    write("safetensors", "nan-weight.safetensors", safetensors(nan, with_checksums(nan)))
    write("safetensors", "inf-weight.safetensors",
          safetensors([(n, d, s, f32(1, float("inf"), 1) if n == "1.weight" else b) for n, d, s, b in MODEL]))
    entry = '{"dtype": "F32", "shape": [2], "data_offsets": [%d, %d]}'
    write("safetensors", "duplicate-name.safetensors",
          safetensors([], header_override='{"a": %s, "a": %s}' % (entry % (0, 8), entry % (8, 16)), extra=blob))
    write("safetensors", "duplicate-metadata-key.safetensors",
          safetensors([], header_override='{"__metadata__": {"k": "1", "k": "2"}}'))
    write("safetensors", "size-2-pow-64-minus-1.safetensors",
          safetensors([], header_override='{"t": {"dtype": "F32", "shape": [0, 18446744073709551615], '
                                          '"data_offsets": [0, 0]}}'))
    # Checkpoints that are subtly wrong.
    broken = {
        "epoch-negative": {"epoch": "-1"},
        "epoch-not-integer": {"epoch": "1x"},
        "epoch-huge": {"epoch": "99999999999999999999"},
        "rng-short": {"rng": "1,2,3"},
        "rng-negative": {"rng": "-1,2,3,4"},
        "history-not-array": {"history": "{}"},
        "history-huge-epoch": {"history": '[{"epoch": 1e300, "topk": 5}]'},
        "history-missing-topk": {"history": '[{"epoch": 1}]'},
        "config-unknown-key": {"config": '{"modle": "lenet5"}'},
        "config-wrong-type": {"config": '{"epochs": "three"}'},
        "config-huge-int": {"config": '{"threads": 1e300}'},
        "config-not-json": {"config": "{'model': 'lenet5'}"},
        "counts-malformed": {"batch": "3", "epoch_counts": "1,2"},
        "best-not-number": {"best_accuracy": "best"},
        "optimizer-renamed": {"optimizer.optimizer": "RMSprop"},
        "optimizer-groups": {"optimizer.groups": "2"},
        "optimizer-step-zero": {"optimizer.state.0.step": "0"},
        "optimizer-lr-negative": {"optimizer.group.0.lr": "-1"},
        "scheduler-missing": {"scheduler.scheduler": None, "scheduler.last_epoch": None,
                              "scheduler.groups": None, "scheduler.base_lr.0": None},
        "scheduler-huge-epoch": {"scheduler.last_epoch": "1e300"},
        "scheduler-nan-lr": {"scheduler.base_lr.0": "nan"},
        "not-a-checkpoint": {"format": "ember-checkpoint/0"},
    }
    for name, changes in broken.items():
        write("safetensors", name + ".safetensors", safetensors(*checkpoint(False, **changes)))
    tensors, meta = checkpoint(True)
    write("safetensors", "adam-missing-exp-avg.safetensors",
          safetensors([t for t in tensors if t[0] != "optimizer.state.1.exp_avg"], meta))
    write("safetensors", "adam-wrong-shape.safetensors",
          safetensors([(n, d, [4, 3] if n == "optimizer.state.0.exp_avg_sq" else s, b)
                       for n, d, s, b in tensors], meta))
    write("safetensors", "adam-plateau-huge-counter.safetensors",
          safetensors(*checkpoint(True, **{"scheduler.num_bad_epochs": "1e300"})))


# ---- the command line and the run config -------------------------------------------------------------


def cli(args, config=None):
    text = "\n".join(args)
    if config is not None:
        text += "\0" + (config if isinstance(config, str) else json.dumps(config))
    return text


def cli_corpus():
    runs = {
        "help": ["--help"],
        "no-command": [],
        "train": ["train", "--model", "lenet5", "--data", "mnist", "--epochs", "3", "--batch", "64", "--optim",
                  "sgd", "--lr", "0.01", "--momentum", "0.9", "--seed", "1", "--out", "runs/x"],
        "train-help": ["train", "--help"],
        "train-all": ["train", "--model=mnist_cnn", "--data=fashion-mnist", "--conv-channels", "20,40", "--hidden",
                      "1000,1000", "--dropout", "0.5", "--activation", "tanh", "--translate", "1", "--flip",
                      "--normalize", "--scheduler", "multistep", "--milestones", "2,4", "--gamma", "0.5",
                      "--warmup", "1", "--clip-grad-norm", "5", "--weight-decay", "1e-4", "--threads", "2",
                      "--topk", "3", "--progress", "lines", "--overwrite", "--profile", "--train-limit", "100"],
        "train-bad-model": ["train", "--model", "nope", "--data", "mnist"],
        "train-negative-lr": ["train", "--model", "lenet5", "--data", "mnist", "--lr", "-1"],
        "train-huge-epochs": ["train", "--model", "lenet5", "--data", "mnist", "--epochs", "99999999999999999999"],
        "train-empty-list": ["train", "--model", "mnist_cnn", "--data", "mnist", "--conv-channels", "20,,40"],
        "train-missing-value": ["train", "--model"],
        "train-unknown-flag": ["train", "--modle", "lenet5"],
        "resume": ["resume", "runs/x", "--epochs", "5", "--progress", "none"],
        "eval": ["eval", "-c", "/nonexistent/a.safetensors", "--confusion", "--batch", "0"],
        "summary": ["summary", "--model", "alexnet", "--in-channels", "3", "--input-size", "227", "--classes", "1000"],
        "models": ["models", "extra"],
        "viz": ["viz", "filters", "-c", "/nonexistent", "-o", "f.png", "--scale", "65"],
        "eval-weights": ["eval", "--weights", "/nonexistent/w.safetensors", "--model", "lenet5", "--normalize",
                         "--data", "mnist"],
        "export-weights": ["export-weights", "-c", "/nonexistent/a.safetensors", "-o", "w.safetensors"],
        "train-init-weights": ["train", "--model", "lenet5", "--data", "mnist", "--init-weights", "/nonexistent"],
        "two-commands": ["models", "summary"],
        "dash-dash": ["train", "--", "--model"],
    }
    for name, args in runs.items():
        write("cli", name, cli(args))
    configs = {
        "config-valid": CONFIG,
        "config-empty-object": {},
        "config-unknown-key": {"modle": "lenet5"},
        "config-wrong-type": {"epochs": "3"},
        "config-float-for-int": {"epochs": 2.5},
        "config-huge-int": {"threads": 1e300},
        "config-negative-seed": {"seed": -1},
        "config-invalid-values": {"model": "nope", "lr": -1, "momentum": 1, "optim": "adam", "translate": 2,
                                  "crop_padding": 2, "scheduler": "multistep"},
        "config-null-dropout": {"dropout": None, "width": 0.5},
        "config-init-weights": {"init_weights": "runs/x/checkpoints/last.safetensors"},
    }
    for name, config in configs.items():
        write("cli", name, cli(["models"], config))
    write("cli", "config-not-json", cli(["models"], '{"model": lenet5}'))
    write("cli", "config-array", cli(["models"], "[1, 2]"))
    write("cli", "config-huge-lr", cli(["models"], '{"lr": 1e400}'))


def main():
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    idx_corpus()
    cifar_corpus()
    safetensors_corpus()
    cli_corpus()
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    count = sum(1 for p in CORPUS.rglob("*") if p.is_file())
    print("fuzz/corpus: %d files, %d bytes" % (count, total))


if __name__ == "__main__":
    main()
