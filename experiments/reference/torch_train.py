"""The PyTorch side of ember's accuracy targets: the same recipe in PyTorch 1.13 (Debian's
python3-torch), reading the same IDX files, so both frameworks' test accuracies are comparable.

  /usr/bin/python3 experiments/reference/torch_train.py --model lenet5 --data data/mnist --epochs 3 \
      --batch 64 --optim sgd --lr 0.01 --momentum 0.9 --seeds 1 2 3

Pixels are scaled to [0, 1], nothing else; shuffling each epoch; default PyTorch initialization
(simplecnn: N(0, 0.01^2) weights and zero biases, as --normal-init in ember).
"""
import argparse, gzip, os, struct, time

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


def load(folder, split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(find(folder, prefix + "-images-idx3-ubyte")).astype(np.float32) / 255.0
    y = read_idx(find(folder, prefix + "-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84),
                                        nn.ReLU(), nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class SimpleConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 30, 5)
        self.fc1 = nn.Linear(30 * 12 * 12, 100)
        self.fc2 = nn.Linear(100, 10)
        for m in (self.conv1, self.fc1, self.fc2):
            nn.init.normal_(m.weight, 0.0, 0.01)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def run(args, seed):
    torch.manual_seed(seed)
    xtr, ytr = load(args.data, "train")
    xte, yte = load(args.data, "test")
    model = LeNet5() if args.model == "lenet5" else SimpleConvNet()
    if args.optim == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), args.batch):
            idx = perm[i:i + args.batch]
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        correct = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item() for i in range(0, len(xte), 1000))
    return 100.0 * correct / len(xte), time.time() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["lenet5", "simplecnn"], default="lenet5")
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--optim", choices=["sgd", "adam"], default="sgd")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--seeds", type=int, nargs="+", default=[1])
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    results = []
    for seed in args.seeds:
        accuracy, seconds = run(args, seed)
        results.append(accuracy)
        print(f"seed {seed}: test accuracy {accuracy:.2f}%  ({seconds:.1f} s)", flush=True)
    print(f"mean {np.mean(results):.2f}%  min {np.min(results):.2f}%  max {np.max(results):.2f}%")


if __name__ == "__main__":
    main()
