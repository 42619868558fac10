#!/usr/bin/python3
"""Golden data for nn::SpatiallySeparableConv2d (ember/nn/separable.h): a k x 1 convolution then
a 1 x k one, computed in PyTorch as two F.conv2d calls.

Picked up by make_golden.py like every golden_<family>.py; also runs alone and rewrites only
tests/golden/data/separable.txt:

    /usr/bin/python3 tests/golden/golden_separable.py

Inputs per case: x, vertical_weight [mid, in, k, 1], vertical_bias [mid], horizontal_weight
[out, mid, 1, k], horizontal_bias [out] (no biases in the no-bias cases); scalars k, stride,
padding, dilation, mid.
"""
import os
import sys

import torch
import torch.nn.functional as F

# (name, x shape, out channels, mid channels, k, stride, padding, dilation, bias)
CASES = [
    ("k3_same", [2, 3, 7, 6], 4, 4, 3, 1, 1, 1, True),
    ("k5_mid2", [2, 4, 9, 8], 5, 2, 5, 1, 2, 1, True),
    ("k3_stride2", [2, 2, 9, 7], 3, 3, 3, 2, 1, 1, True),
    ("k3_dilated", [1, 2, 9, 9], 3, 4, 3, 1, 2, 2, True),
    ("k7_valid_no_bias", [2, 1, 10, 9], 2, 3, 7, 1, 0, 1, False),
]


def separable(x, vw, vb, hw, hb, stride, padding, dilation):
    y = F.conv2d(x, vw, vb, stride=(stride, 1), padding=(padding, 0), dilation=(dilation, 1))
    return F.conv2d(y, hw, hb, stride=(1, stride), padding=(0, padding), dilation=(1, dilation))


def make(Family):
    fam = Family("separable")
    for name, shape, out, mid, k, stride, pad, dil, with_bias in CASES:
        cin = shape[1]
        inputs = {"x": fam.randn(*shape), "vertical_weight": fam.randn(mid, cin, k, 1, scale=0.5)}
        if with_bias:
            inputs["vertical_bias"] = fam.randn(mid)
        inputs["horizontal_weight"] = fam.randn(out, mid, 1, k, scale=0.5)
        if with_bias:
            inputs["horizontal_bias"] = fam.randn(out)
        scalars = {"k": k, "stride": stride, "padding": pad, "dilation": dil, "mid": mid}
        if with_bias:
            op = lambda x, vw, vb, hw, hb, s=stride, p=pad, d=dil: separable(x, vw, vb, hw, hb, s, p, d)  # noqa: E731
        else:
            op = lambda x, vw, hw, s=stride, p=pad, d=dil: separable(x, vw, None, hw, None, s, p, d)  # noqa: E731
        fam.case(name, op, inputs, scalars)
    return fam


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import make_golden  # noqa: E402

    torch.set_num_threads(1)
    path, cases = make(make_golden.Family).write()
    print(f"{os.path.relpath(path)}: {cases} cases, {os.path.getsize(path)} bytes")
