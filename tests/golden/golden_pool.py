"""Golden data for the pooling family (ember/ops/pool.h), picked up by make_golden.py.

Every case records its window options as 0-d scalars so tests/ops/test_pool.cpp rebuilds the
same call from the file: kernel_h/kernel_w, stride_h/stride_w, pad_h/pad_w, dilation_h/dilation_w,
ceil_mode and count_include_pad (0 or 1) for the windowed ops; out_h/out_w for adaptive pooling;
levels_<i> and n_levels for spatial pyramid pooling. Max-pool cases also record `indices`.
"""
import torch
import torch.nn.functional as F

# (name, input shape, kernel, stride, padding, dilation, ceil_mode); sizes are (h, w).
MAX_CASES = [
    ("k2", [2, 3, 6, 6], (2, 2), (2, 2), (0, 0), (1, 1), False),
    ("k3s2_overlap", [2, 3, 7, 9], (3, 3), (2, 2), (0, 0), (1, 1), False),
    ("k3s2_pad1", [2, 2, 8, 7], (3, 3), (2, 2), (1, 1), (1, 1), False),
    ("k3s1_pad1", [1, 2, 5, 6], (3, 3), (1, 1), (1, 1), (1, 1), False),
    ("nonsquare", [2, 2, 7, 8], (2, 3), (1, 2), (1, 0), (1, 1), False),
    ("asym_stride_pad", [1, 3, 9, 6], (4, 2), (3, 1), (2, 1), (1, 1), False),
    ("dilation2", [1, 2, 9, 8], (3, 3), (1, 1), (1, 1), (2, 2), False),
    ("dilation_mixed", [2, 2, 10, 9], (2, 3), (2, 1), (1, 1), (3, 2), False),
    ("ceil_k2", [1, 2, 7, 7], (2, 2), (2, 2), (0, 0), (1, 1), True),
    ("ceil_k3s2_pad1", [2, 2, 8, 6], (3, 3), (2, 2), (1, 1), (1, 1), True),
    ("ceil_dilation", [1, 2, 9, 10], (3, 2), (2, 3), (1, 1), (2, 2), True),
    ("ceil_tiny", [1, 2, 2, 2], (3, 3), (2, 2), (0, 0), (1, 1), True),  # one window, clipped
    ("global", [2, 3, 5, 4], (5, 4), (5, 4), (0, 0), (1, 1), False),
    ("unbatched", [3, 6, 5], (3, 2), (2, 2), (1, 0), (1, 1), False),
]

# (name, input shape, kernel, stride, padding, ceil_mode, count_include_pad).
AVG_CASES = [
    ("k2", [2, 3, 6, 6], (2, 2), (2, 2), (0, 0), False, True),
    ("k3s2_overlap", [2, 3, 7, 9], (3, 3), (2, 2), (0, 0), False, True),
    ("k3s2_pad1_incl", [2, 2, 8, 7], (3, 3), (2, 2), (1, 1), False, True),
    ("k3s2_pad1_excl", [2, 2, 8, 7], (3, 3), (2, 2), (1, 1), False, False),
    ("nonsquare_incl", [2, 2, 7, 8], (2, 3), (1, 2), (1, 0), False, True),
    ("nonsquare_excl", [2, 2, 7, 8], (2, 3), (1, 2), (1, 0), False, False),
    ("asym_excl", [1, 3, 9, 6], (4, 2), (3, 1), (2, 1), False, False),
    ("ceil_incl", [2, 2, 8, 6], (3, 3), (2, 2), (1, 1), True, True),  # last window past the padding
    ("ceil_excl", [2, 2, 8, 6], (3, 3), (2, 2), (1, 1), True, False),
    ("ceil_k2_incl", [1, 2, 7, 5], (2, 2), (2, 2), (0, 0), True, True),
    ("ceil_k4s3_pad2_incl", [1, 2, 10, 11], (4, 4), (3, 3), (2, 2), True, True),
    ("ceil_k4s3_pad2_excl", [1, 2, 10, 11], (4, 4), (3, 3), (2, 2), True, False),
    ("ceil_tiny_incl", [1, 2, 2, 2], (3, 3), (2, 2), (0, 0), True, True),
    ("unbatched", [3, 6, 5], (3, 2), (2, 2), (1, 0), False, False),
]

# (name, input shape, output size).
ADAPTIVE_CASES = [
    ("global", [2, 3, 5, 7], (1, 1)),
    ("divides", [2, 3, 8, 6], (4, 3)),
    ("overlap", [2, 3, 7, 9], (3, 4)),       # bins overlap
    ("uneven", [1, 2, 10, 5], (3, 2)),
    ("identity", [1, 2, 4, 5], (4, 5)),
    ("upsample", [1, 2, 3, 4], (5, 7)),      # output larger than input
    ("unbatched", [3, 6, 5], (2, 3)),
]


def spp(x, levels, pool):
    batched = x.dim() == 4
    parts = [pool(x, level).flatten(1 if batched else 0) for level in levels]
    return torch.cat(parts, 1 if batched else 0)


def make(Family):
    fam = Family("pool")

    def window_scalars(k, s, p, d, ceil, count_include_pad=1):
        return {"kernel_h": k[0], "kernel_w": k[1], "stride_h": s[0], "stride_w": s[1], "pad_h": p[0],
                "pad_w": p[1], "dilation_h": d[0], "dilation_w": d[1], "ceil_mode": float(ceil),
                "count_include_pad": float(count_include_pad)}

    for name, shape, k, s, p, d, ceil in MAX_CASES:
        fam.case(f"max_{name}",
                 lambda x, k=k, s=s, p=p, d=d, c=ceil: F.max_pool2d(x, k, s, p, d, ceil_mode=c, return_indices=True),
                 {"x": fam.randn(*shape)}, window_scalars(k, s, p, d, ceil))

    # Ties (a plateau of equal values under overlapping windows: the first maximum in scan order
    # wins, and its gradient accumulates from every window that picked it) and NaN (propagates;
    # the index is the last NaN in the window).
    ties = torch.tensor([[1.0, 1.0, 2.0, 2.0, 0.0], [1.0, 3.0, 3.0, 2.0, 0.0], [3.0, 3.0, 3.0, 0.0, 0.0],
                         [0.0, 0.0, 0.0, 0.0, 0.0], [5.0, 4.0, 5.0, 4.0, 5.0]]).reshape(1, 1, 5, 5)
    fam.case("max_ties", lambda x: F.max_pool2d(x, 3, 2, 1, return_indices=True), {"x": ties},
             window_scalars((3, 3), (2, 2), (1, 1), (1, 1), False))
    nan = float("nan")
    nans = fam.randn(1, 2, 4, 6)
    nans[0, 0, 0, 1] = nan
    nans[0, 0, 1, 0] = nan
    nans[0, 1, 3, 5] = nan
    fam.case("max_nan", lambda x: F.max_pool2d(x, 2, 2, return_indices=True), {"x": nans},
             window_scalars((2, 2), (2, 2), (0, 0), (1, 1), False))
    inf = float("inf")
    infs = torch.tensor([[-inf, -inf, 1.0], [-inf, -inf, -inf], [inf, 2.0, -inf]]).reshape(1, 1, 3, 3)
    fam.case("max_inf", lambda x: F.max_pool2d(x, 2, 1, return_indices=True), {"x": infs},
             window_scalars((2, 2), (1, 1), (0, 0), (1, 1), False))

    for name, shape, k, s, p, ceil, cip in AVG_CASES:
        fam.case(f"avg_{name}",
                 lambda x, k=k, s=s, p=p, c=ceil, i=cip: F.avg_pool2d(x, k, s, p, ceil_mode=c, count_include_pad=i),
                 {"x": fam.randn(*shape)}, window_scalars(k, s, p, (1, 1), ceil, cip))

    for name, shape, out in ADAPTIVE_CASES:
        sizes = {"out_h": out[0], "out_w": out[1]}
        fam.case(f"adaptive_avg_{name}", lambda x, o=out: F.adaptive_avg_pool2d(x, o), {"x": fam.randn(*shape)}, sizes)
        fam.case(f"adaptive_max_{name}", lambda x, o=out: F.adaptive_max_pool2d(x, o, return_indices=True),
                 {"x": fam.randn(*shape)}, sizes)

    for name, shape, levels in [("124", [2, 3, 7, 9], (1, 2, 4)), ("13", [2, 2, 5, 3], (1, 3)),
                                ("unbatched", [3, 6, 5], (2, 1))]:
        scalars = {"n_levels": len(levels)}
        scalars.update({f"levels_{i}": level for i, level in enumerate(levels)})
        fam.case(f"spp_max_{name}", lambda x, l=levels: spp(x, l, F.adaptive_max_pool2d), {"x": fam.randn(*shape)},
                 scalars)
        fam.case(f"spp_avg_{name}", lambda x, l=levels: spp(x, l, F.adaptive_avg_pool2d), {"x": fam.randn(*shape)},
                 scalars)
    return fam
