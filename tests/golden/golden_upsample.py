#!/usr/bin/python3
"""Golden data for upsampling (ember/ops/upsample.h): F.interpolate nearest and bilinear.

Picked up by make_golden.py like every golden_<family>.py; also runs alone and rewrites only
tests/golden/data/upsample.txt:

    /usr/bin/python3 tests/golden/golden_upsample.py

Each case records how its output size was asked for, as 0-d scalars, so tests/ops/test_upsample.cpp
rebuilds the same call: `size_h`/`size_w` (an output size) or `scale_h`/`scale_w` (scale factors),
and `align_corners` (0 or 1) for bilinear. Cases cover integer and fractional scales, scale factors
whose 1/scale differs from in/out (PyTorch uses 1/scale), out == in and out == 2 * in (special cases
in PyTorch's bilinear and channels-last kernels; the NCHW nearest kernel has none), downsampling, non-square and single-pixel sizes. Scale factors are exact in float32 (the
file's only float type), so the test passes PyTorch's very values.
"""
import os
import sys

import torch
import torch.nn.functional as F

# (name, input shape, ("size", (h, w)) or ("scale", (sh, sw))).
CASES = [
    ("x2", [2, 3, 4, 5], ("scale", (2.0, 2.0))),
    ("x3", [1, 2, 3, 4], ("scale", (3.0, 3.0))),
    ("scale_1_75x2_5", [1, 2, 5, 4], ("scale", (1.75, 2.5))),  # 1/scale != in/out
    ("scale_1_25", [2, 2, 6, 7], ("scale", (1.25, 1.25))),
    ("down_scale_0_5", [1, 3, 8, 6], ("scale", (0.5, 0.5))),
    ("down_scale_0_75", [1, 2, 9, 10], ("scale", (0.75, 0.375))),
    ("same_size_scale", [1, 2, 3, 4], ("scale", (1.25, 1.125))),  # bilinear copies, nearest does not
    ("scale_2_25", [1, 2, 3, 4], ("scale", (2.25, 2.25))),        # out == 2 * in, yet 1/scale != 1/2  # floor(in * scale) == in: copies
    ("size_7x9", [2, 2, 4, 5], ("size", (7, 9))),
    ("size_double", [1, 2, 3, 4], ("size", (6, 8))),           # out == 2 * in
    ("size_down", [1, 2, 7, 5], ("size", (3, 2))),
    ("size_mixed", [1, 1, 6, 3], ("size", (4, 8))),            # one axis down, the other up
    ("size_1x1", [1, 2, 4, 3], ("size", (1, 1))),
    ("from_1x1", [2, 1, 1, 1], ("size", (3, 4))),
    ("large_x2", [1, 1, 12, 12], ("scale", (2.0, 2.0))),
]


def interpolate(x, how, mode, align_corners=None):
    kind, (h, w) = how
    if kind == "size":
        return F.interpolate(x, size=(h, w), mode=mode, align_corners=align_corners)
    return F.interpolate(x, scale_factor=(h, w), mode=mode, align_corners=align_corners)


def how_scalars(how):
    kind, (h, w) = how
    return {f"{kind}_h": h, f"{kind}_w": w}


def make(Family):
    fam = Family("upsample")
    for name, shape, how in CASES:
        fam.case(f"nearest_{name}", lambda x, how=how: interpolate(x, how, "nearest"), {"x": fam.randn(*shape)},
                 how_scalars(how))
        for align in (False, True):
            fam.case(f"bilinear_{'ac_' if align else ''}{name}",
                     lambda x, how=how, align=align: interpolate(x, how, "bilinear", align),
                     {"x": fam.randn(*shape)}, {**how_scalars(how), "align_corners": float(align)})
    return fam


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import make_golden  # noqa: E402

    torch.set_num_threads(1)
    path, cases = make(make_golden.Family).write()
    print(f"{os.path.relpath(path)}: {cases} cases, {os.path.getsize(path)} bytes")
