"""The PyTorch side of ember's results table: the same recipe in PyTorch 1.13 (Debian's
python3-torch), taking the same flags as `ember train` (the ones the recipes use), reading the same
IDX files, so both frameworks' test accuracies are comparable.

  /usr/bin/python3 experiments/reference/torch_train.py --model mnist_cnn --conv-channels 20,40 \
      --hidden 100 --activation relu --data mnist --epochs 3 --batch 128 --lr 0.1 --momentum 0.9 \
      --seed 1 --out runs/torch-example

Writes OUT/metrics.csv (epoch, train_loss, test_accuracy, lr, seconds per epoch) as `ember train`
writes its own. The recipe's pieces mean what they mean in ember: pixels scaled to [0, 1], then
--pad zeros on every side, then --translate random shifts (zeros shifted in), reshuffled every
epoch; --init as ember's nn/init_scheme.h; --scheduler cosine with --warmup as ember's (per epoch:
lr = base * (1/3 + 2/3 * min(t, warmup) / warmup) * (1 + cos(pi * t / epochs)) / 2).
"""
import argparse, csv, gzip, math, os, struct, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def find(folder, name):
    for candidate in (name, name + ".gz"):
        if os.path.exists(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    raise FileNotFoundError(os.path.join(folder, name))


def load(folder, split, pad):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(find(folder, prefix + "-images-idx3-ubyte")).astype(np.float32) / 255.0
    y = read_idx(find(folder, prefix + "-labels-idx1-ubyte")).astype(np.int64)
    x = torch.from_numpy(x).unsqueeze(1)
    return (F.pad(x, (pad, pad, pad, pad)) if pad else x), torch.from_numpy(y)


def activation(name):
    return {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[name]()


def lenet5(act):
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), activation(act), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), activation(act), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), activation(act), nn.Linear(120, 84), activation(act), nn.Linear(84, 10))


def lenet5_classic(act):
    return nn.Sequential(nn.Conv2d(1, 6, 5), activation(act), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), activation(act),
                         nn.AvgPool2d(2), nn.Conv2d(16, 120, 5), activation(act), nn.Flatten(), nn.Linear(120, 84),
                         activation(act), nn.Linear(84, 10))


def simplecnn(normal_init):
    net = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(30 * 12 * 12, 100),
                        nn.ReLU(), nn.Linear(100, 10))
    if normal_init:
        initialize(net, "normal:0.01")
    return net


def mnist_cnn(conv_channels, hidden, act, dropout, size):
    layers, channels = [], 1
    for out in conv_channels:  # conv 5x5 - act - maxpool 2, as ember's MnistCnn
        layers += [nn.Conv2d(channels, out, 5), activation(act), nn.MaxPool2d(2)]
        channels, size = out, (size - 4) // 2
    layers.append(nn.Flatten())
    width = channels * size * size
    for h in hidden:
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        layers += [nn.Linear(width, h), activation(act)]
        width = h
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def initialize(net, scheme):
    if scheme == "pytorch":
        return
    for m in net.modules():
        weight = getattr(m, "weight", None)
        if not isinstance(weight, torch.Tensor) or weight.dim() < 2:
            continue
        if scheme in ("xavier", "glorot_uniform"):
            nn.init.xavier_uniform_(weight)
        elif scheme == "kaiming":
            nn.init.kaiming_normal_(weight, mode="fan_in", nonlinearity="relu")
        elif scheme.startswith("normal:"):
            nn.init.normal_(weight, 0.0, float(scheme[len("normal:"):]))
        else:
            raise SystemExit(f"unknown --init {scheme}")
        if m.bias is not None:
            nn.init.zeros_(m.bias)


def translate(x, shift, generator):
    """Each image moved by dx, dy uniform in [-shift, shift], zeros shifted in."""
    n, _, h, w = x.shape
    padded = F.pad(x, (shift, shift, shift, shift))
    offsets = torch.randint(0, 2 * shift + 1, (n, 2), generator=generator)
    out = torch.empty_like(x)
    for i in range(n):
        oy, ox = offsets[i].tolist()
        out[i] = padded[i, :, oy:oy + h, ox:ox + w]
    return out


def lr_factor(args, t):
    warm = 1.0 if args.warmup == 0 else 1 / 3 + (2 / 3) * min(t, args.warmup) / args.warmup
    cosine = (1 + math.cos(math.pi * t / args.epochs)) / 2 if args.scheduler == "cosine" else 1.0
    return warm * cosine


def integers(text):
    return [int(v) for v in text.split(",") if v]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", choices=["lenet5", "lenet5_classic", "simplecnn", "mnist_cnn"], required=True)
    p.add_argument("--conv-channels", type=integers, default=[20])
    p.add_argument("--hidden", type=integers, default=[100])
    p.add_argument("--activation", choices=["relu", "tanh", "sigmoid"])
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--normal-init", action="store_true")
    p.add_argument("--init", default="pytorch")
    p.add_argument("--data", choices=["mnist", "fashion-mnist"], required=True)
    p.add_argument("--data-dir")
    p.add_argument("--pad", type=int, default=0)
    p.add_argument("--translate", type=int, default=0)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--optim", choices=["sgd", "adam"], default="sgd")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.0)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--scheduler", choices=["none", "cosine"], default="none")
    p.add_argument("--warmup", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--out", required=True)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)

    data_dir = args.data_dir or os.path.join("data", args.data)
    xtr, ytr = load(data_dir, "train", args.pad)
    xte, yte = load(data_dir, "test", args.pad)
    if args.model == "mnist_cnn":
        model = mnist_cnn(args.conv_channels, args.hidden, args.activation or "relu", args.dropout, xtr.shape[-1])
    elif args.model == "lenet5":
        model = lenet5(args.activation or "relu")
    elif args.model == "lenet5_classic":
        model = lenet5_classic(args.activation or "tanh")
    else:
        model = simplecnn(args.normal_init)
    initialize(model, args.init)
    if args.optim == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)

    os.makedirs(args.out, exist_ok=True)
    rows = []
    for epoch in range(args.epochs):
        lr = args.lr * lr_factor(args, epoch)
        for group in opt.param_groups:
            group["lr"] = lr
        start = time.time()
        model.train()
        perm = torch.randperm(len(xtr), generator=generator)
        total_loss, seen = 0.0, 0
        for i in range(0, len(xtr), args.batch):
            idx = perm[i:i + args.batch]
            x = xtr[idx]
            if args.translate:
                x = translate(x, args.translate, generator)
            loss = F.cross_entropy(model(x), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total_loss += loss.item() * len(idx)
            seen += len(idx)
        seconds = time.time() - start
        model.eval()
        with torch.no_grad():
            correct = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item()
                          for i in range(0, len(xte), 1000))
        rows.append([epoch + 1, total_loss / seen, correct / len(xte), lr, seconds])
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total_loss / seen:.4f}  test accuracy "
              f"{100.0 * correct / len(xte):.2f}%  ({seconds:.1f} s)", flush=True)
    tmp = os.path.join(args.out, "metrics.csv.tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch", "train_loss", "test_accuracy", "lr", "seconds"])
        writer.writerows(rows)
    os.replace(tmp, os.path.join(args.out, "metrics.csv"))


if __name__ == "__main__":
    main()
