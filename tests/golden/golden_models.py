"""Golden data and reference architectures for the model zoo (ember/models/), picked up by make_golden.py.

The PyTorch twins of ember's models, built with the same layer names so state_dict keys match.
`python3 tests/golden/golden_models.py` prints every model's parameter count (the numbers
hard-coded in tests/models/test_*.cpp) and the state_dict keys of LeNet-5 and AlexNet-CIFAR.

make(Family) records, for family "models": LeNet-5 modern with fixed weights (from the family's
generator), an input batch of 4 with labels, the logits, the cross-entropy loss and every
parameter gradient: lenet.<param name>, lenet.x, lenet.targets, lenet.logits, lenet.loss,
lenet.grad.<param name>; and each model's state_dict keys with their shapes (keys.<model>.<key>).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def seq(*m):
    return nn.Sequential(*m)


class SimpleConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 30, 5)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(30 * 12 * 12, 100)
        self.relu2 = nn.ReLU()
        self.fc2 = nn.Linear(100, 10)

    def forward(self, x):
        return self.fc2(self.relu2(self.fc1(self.flatten(self.pool1(self.relu1(self.conv1(x)))))))


class Net(nn.Module):
    """features -> classifier (the shape of LeNet-5 and the AlexNets)."""

    def __init__(self, features, classifier):
        super().__init__()
        self.features = features
        self.classifier = classifier

    def forward(self, x):
        return self.classifier(self.features(x))


def lenet5_classic(act=nn.Tanh):
    return Net(seq(nn.Conv2d(1, 6, 5), act(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), act(), nn.AvgPool2d(2),
                   nn.Conv2d(16, 120, 5), act()),
               seq(nn.Flatten(), nn.Linear(120, 84), act(), nn.Linear(84, 10)))


def lenet5():
    return Net(seq(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                   nn.MaxPool2d(2)),
               seq(nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)))


def alexnet(groups=2):
    lrn = lambda: nn.LocalResponseNorm(5, 1e-4, 0.75, 2.0)
    return Net(seq(nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
                   nn.Conv2d(96, 256, 5, padding=2, groups=groups), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
                   nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
                   nn.Conv2d(384, 384, 3, padding=1, groups=groups), nn.ReLU(),
                   nn.Conv2d(384, 256, 3, padding=1, groups=groups), nn.ReLU(), nn.MaxPool2d(3, 2)),
               seq(nn.Flatten(), nn.Dropout(0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(), nn.Dropout(0.5),
                   nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000)))


def alexnet_cifar():
    lrn = lambda: nn.LocalResponseNorm(5, 1e-4, 0.75, 2.0)
    return Net(seq(nn.Conv2d(3, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2), lrn(),
                   nn.Conv2d(64, 64, 5, padding=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2)),
               seq(nn.Flatten(), nn.Linear(64 * 7 * 7, 384), nn.ReLU(), nn.Dropout(0.5), nn.Linear(384, 192),
                   nn.ReLU(), nn.Dropout(0.5), nn.Linear(192, 10)))


def mlpconv(cin, c, k, pad, cout=None):
    cout = c if cout is None else cout
    return seq(nn.Conv2d(cin, c, k, padding=pad), nn.ReLU(), nn.Conv2d(c, c, 1), nn.ReLU(), nn.Conv2d(c, cout, 1),
               nn.ReLU())


def nin(channels=(96, 192, 192), num_classes=10):
    a, b, c = channels
    return Net(seq(mlpconv(3, a, 5, 2), nn.MaxPool2d(3, 2, padding=1), nn.Dropout(0.5),
                   mlpconv(a, b, 5, 2), nn.MaxPool2d(3, 2, padding=1), nn.Dropout(0.5),
                   mlpconv(b, c, 3, 1, num_classes)),
               seq(nn.AdaptiveAvgPool2d(1), nn.Flatten()))


def mobilenet(alpha=1.0):
    w = lambda c: int(c * alpha)
    layers = [nn.Conv2d(3, w(32), 3, padding=1, bias=False), nn.BatchNorm2d(w(32)), nn.ReLU()]
    cin = w(32)
    for c, s in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1)]:
        layers.append(seq(nn.Conv2d(cin, cin, 3, stride=s, padding=1, groups=cin, bias=False), nn.BatchNorm2d(cin),
                          nn.ReLU(), nn.Conv2d(cin, w(c), 1, bias=False), nn.BatchNorm2d(w(c)), nn.ReLU()))
        cin = w(c)
    return Net(seq(*layers), seq(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10)))


def dilated(in_channels=3, channels=32, num_classes=5, dense=True):
    layers, cin = [], in_channels
    for d in (1, 2, 4, 8):
        layers += [nn.Conv2d(cin, channels, 3, padding=d, dilation=d), nn.ReLU()]
        cin = channels
    head = seq(nn.Conv2d(channels, num_classes, 1)) if dense else seq(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                                                      nn.Linear(channels, num_classes))
    return Net(seq(*layers), head)


class Autoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = seq(nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, stride=2, padding=1),
                           nn.ReLU())
        self.decoder = seq(nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                           nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


class Inception(nn.Module):
    def __init__(self, cin, c1, c3r, c3, c5r, c5, cp):
        super().__init__()
        self.branch1 = seq(nn.Conv2d(cin, c1, 1), nn.ReLU())
        self.branch2 = seq(nn.Conv2d(cin, c3r, 1), nn.ReLU(), nn.Conv2d(c3r, c3, 3, padding=1), nn.ReLU())
        self.branch3 = seq(nn.Conv2d(cin, c5r, 1), nn.ReLU(), nn.Conv2d(c5r, c5, 5, padding=2), nn.ReLU())
        self.branch4 = seq(nn.MaxPool2d(3, 1, padding=1), nn.Conv2d(cin, cp, 1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


def inception_net():
    return Net(seq(nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(), Inception(64, 32, 48, 64, 8, 16, 16),
                   Inception(128, 64, 64, 96, 16, 32, 32), nn.MaxPool2d(3, 2, padding=1),
                   Inception(224, 64, 64, 96, 16, 32, 32)),
               seq(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(224, 10)))


class Bottleneck(nn.Module):
    def __init__(self, cin, mid, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, mid, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(mid, mid, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(mid, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = seq(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    def __init__(self, blocks=(1, 1, 1), width=16, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU()
        cin = width
        for i, n in enumerate(blocks):
            mid = width * 2 ** i
            layer = seq(*[Bottleneck(cin if j == 0 else mid * 4, mid, mid * 4, (1 if i == 0 else 2) if j == 0 else 1)
                          for j in range(n)])
            setattr(self, f"layer{i + 1}", layer)
            cin = mid * 4
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.flatten(self.avgpool(x)))


def count(m):
    return sum(p.numel() for p in m.parameters())


MODELS = {
    "simple_convnet": SimpleConvNet,
    "lenet5_classic": lenet5_classic,
    "lenet5": lenet5,
    "alexnet": alexnet,
    "alexnet_one_tower": lambda: alexnet(groups=1),
    "alexnet_cifar": alexnet_cifar,
    "nin": nin,
    "mobilenet": mobilenet,
    "mobilenet_0.5": lambda: mobilenet(0.5),
    "dilated_dense": dilated,
    "dilated_classifier": lambda: dilated(dense=False),
    "autoencoder": Autoencoder,
    "inception_net": inception_net,
    "resnet_bottleneck": ResNet,
    "resnet_bottleneck_2_2_2": lambda: ResNet((2, 2, 2)),
}


def make(Family):
    fam = Family("models")
    net = lenet5()
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(fam.randn(*p.shape, scale=0.1))
    for name, p in net.named_parameters():
        fam.put(f"lenet.{name}", p)
    x = fam.randn(4, 1, 28, 28)
    targets = fam.randint(10, 4)
    fam.put("lenet.x", x)
    fam.put("lenet.targets", targets)
    logits = net(x)
    loss = F.cross_entropy(logits, targets)
    loss.backward()
    fam.put("lenet.logits", logits)
    fam.put("lenet.loss", loss)
    for name, p in net.named_parameters():
        fam.put(f"lenet.grad.{name}", p.grad)
    fam.cases += 1
    # The state_dict layout of every model but the big AlexNets: keys.<model>.<key> holds the
    # shape (i64, 1-D), keys.<model> the number of entries.
    for model, build in MODELS.items():
        if model.startswith("alexnet") and model != "alexnet_cifar":
            continue
        state = build().state_dict()
        fam.put(f"keys.{model}", float(len(state)))
        for key, t in state.items():
            fam.put(f"keys.{model}.{key}", torch.tensor(list(t.shape), dtype=torch.int64))
        fam.cases += 1
    return fam


if __name__ == "__main__":
    for name, make_model in MODELS.items():
        print(f"{name}: {count(make_model())}")
    print("lenet5 keys:", list(lenet5().state_dict().keys()))
    print("alexnet_cifar keys:", list(alexnet_cifar().state_dict().keys()))
    print("mobilenet keys:", len(mobilenet().state_dict()))
