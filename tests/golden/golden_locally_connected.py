#!/usr/bin/python3
"""Golden data for locally_connected2d (ember/ops/locally_connected.h), computed in PyTorch as
F.unfold (im2col) + einsum with one filter matrix per output position: PyTorch has no such layer,
so this is the definition written with its independent primitives.

Picked up by make_golden.py like every golden_<family>.py; also runs alone and rewrites only
tests/golden/data/locally_connected.txt:

    /usr/bin/python3 tests/golden/golden_locally_connected.py

Inputs per case: x [N, C, H, W], weight [OH, OW, K, C, kh, kw], bias [K, OH, OW] (absent in the
no-bias cases); scalars stride_h, stride_w, pad_h, pad_w.
"""
import os
import sys

import torch
import torch.nn.functional as F

# (name, x shape, out channels K, kernel (kh, kw), stride, padding (h, w), bias)
CASES = [
    ("k3", [2, 3, 6, 6], 4, (3, 3), (1, 1), (0, 0), True),
    ("k3_pad1", [2, 2, 5, 5], 3, (3, 3), (1, 1), (1, 1), True),
    ("k2_stride2", [3, 2, 6, 8], 2, (2, 2), (2, 2), (0, 0), True),
    ("nonsquare", [2, 3, 7, 6], 3, (3, 2), (2, 1), (1, 0), True),
    ("no_bias", [2, 2, 5, 4], 3, (2, 3), (1, 1), (0, 1), False),
    ("k1", [2, 4, 3, 3], 2, (1, 1), (1, 1), (0, 0), True),
    ("single_image", [1, 1, 6, 6], 5, (3, 3), (1, 1), (0, 0), True),
]


def locally_connected(x, weight, bias, stride, padding):
    oh, ow, k, c, kh, kw = weight.shape
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)  # [N, C*kh*kw, OH*OW], rows (c, i, j)
    out = torch.einsum("nrl,lkr->nkl", cols, weight.reshape(oh * ow, k, c * kh * kw))
    out = out.reshape(x.shape[0], k, oh, ow)
    return out if bias is None else out + bias


def make(Family):
    fam = Family("locally_connected")
    for name, shape, k, (kh, kw), stride, pad, with_bias in CASES:
        n, c, h, w = shape
        oh = (h + 2 * pad[0] - kh) // stride[0] + 1
        ow = (w + 2 * pad[1] - kw) // stride[1] + 1
        inputs = {"x": fam.randn(*shape), "weight": fam.randn(oh, ow, k, c, kh, kw, scale=0.5)}
        if with_bias:
            inputs["bias"] = fam.randn(k, oh, ow)
        scalars = {"stride_h": stride[0], "stride_w": stride[1], "pad_h": pad[0], "pad_w": pad[1]}
        fam.case(name, lambda x, weight, bias=None, s=stride, p=pad: locally_connected(x, weight, bias, s, p), inputs,
                 scalars)
    return fam


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import make_golden  # noqa: E402

    torch.set_num_threads(1)
    path, cases = make(make_golden.Family).write()
    print(f"{os.path.relpath(path)}: {cases} cases, {os.path.getsize(path)} bytes")
