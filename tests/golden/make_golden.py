#!/usr/bin/python3
"""Writes the PyTorch golden data that tests/ops/test_golden.cpp checks ember against.

Run from anywhere (it writes next to itself, into tests/golden/data/):

    /usr/bin/python3 tests/golden/make_golden.py

Needs PyTorch (Debian's python3-torch 1.13 is enough). The output is deterministic: every family
seeds its own generator, all math is float32 on one CPU thread, so rerunning rewrites identical
files and adding a case to one family leaves the other files unchanged.

One file per op family, tests/golden/data/<family>.txt, in the format tests/support/golden.h
reads: '#' comment lines, then per tensor a header line `<name> <f32|i64> <ndim> <sizes...>`
followed by one line of whitespace-separated values in row-major order. Floats are written with
'%.9g' (9 significant digits round-trip float32 exactly), nan/inf as nan, inf, -inf.

Tensor names are `<case>.<field>`: the op inputs (`a`, `b`, `x`, `weight`, `targets`, ...),
scalar arguments as 0-d tensors (`exponent`, `min`, `label_smoothing`, ...), the forward result
`out` (plus `indices` for max), the random upstream gradient `grad_out` of out's shape, and
`grad_<input>` for every float input, from out.backward(grad_out).
"""
import math
import os
import sys
import zlib

# One BLAS thread: a threaded OpenBLAS (whichever libblas.so.3 the system's alternatives pick)
# splits GEMM reductions differently run to run, which changed linalg.txt's last digits.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"

import torch  # noqa: E402 (after the thread settings, which are read at load time)
import torch.nn.functional as F

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
FLT_MIN = 1.1754943508222875e-38  # smallest normal float32: std::stof rejects subnormals


def fmt_float(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v != 0 and abs(v) < FLT_MIN:
        raise ValueError(f"subnormal value {v!r}: std::stof cannot read it; change the inputs")
    return "%.9g" % v


class Family:
    """Collects the cases of one op family and writes them to data/<name>.txt."""

    def __init__(self, name):
        self.name = name
        self.lines = []
        self.names = set()
        self.cases = 0
        # A per-family seed, so families are independent of each other and of their order.
        self.gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))

    # ---- random inputs from the family's generator ----
    def randn(self, *shape, scale=1.0):
        return torch.randn(tuple(shape), generator=self.gen, dtype=torch.float32) * scale

    def uniform(self, low, high, *shape):
        return torch.rand(tuple(shape), generator=self.gen, dtype=torch.float32) * (high - low) + low

    def away_from_zero(self, *shape, low=0.5, high=2.0):
        """Values with |v| in [low, high) and random sign (safe denominators)."""
        mag = self.uniform(low, high, *shape)
        sign = torch.where(torch.rand(tuple(shape), generator=self.gen) < 0.5, -1.0, 1.0)
        return mag * sign

    def randint(self, high, *shape):
        return torch.randint(0, high, shape, generator=self.gen, dtype=torch.int64)

    # ---- recording ----
    def put(self, name, t):
        if not isinstance(t, torch.Tensor):
            t = torch.tensor(float(t), dtype=torch.float32)
        assert name not in self.names, f"duplicate tensor name {name}"
        assert " " not in name
        self.names.add(name)
        t = t.detach().contiguous()
        if t.dtype == torch.float32:
            dtype, values = "f32", [fmt_float(v) for v in t.reshape(-1).tolist()]
        elif t.dtype == torch.int64:
            dtype, values = "i64", [str(v) for v in t.reshape(-1).tolist()]
        else:
            raise TypeError(f"{name}: unsupported dtype {t.dtype}")
        self.lines.append(" ".join([name, dtype, str(t.dim())] + [str(s) for s in t.shape]))
        self.lines.append(" ".join(values))

    def case(self, case, op, inputs, scalars=None):
        """Records inputs, op(*inputs) and the gradients of the float inputs.

        inputs: dict name -> tensor, passed to op positionally in this order; float32 inputs
        become leaves that require grad. op returns the output tensor, or (values, indices)
        recorded as `out` and `indices` (the gradient flows through `out` only).
        scalars: dict name -> float, recorded as 0-d tensors (op arguments the test reads).
        """
        self.cases += 1
        leaves = {}
        for name, t in inputs.items():
            t = t.detach().clone()
            if t.dtype == torch.float32:
                t.requires_grad_(True)
            leaves[name] = t
            self.put(f"{case}.{name}", t)
        for name, v in (scalars or {}).items():
            self.put(f"{case}.{name}", v)
        result = op(*leaves.values())
        if isinstance(result, tuple):
            out, indices = result
            self.put(f"{case}.indices", indices)
        else:
            out = result
        self.put(f"{case}.out", out)
        if out.dtype != torch.float32 or not out.requires_grad:
            return
        grad_out = torch.randn(out.shape, generator=self.gen, dtype=torch.float32)
        self.put(f"{case}.grad_out", grad_out)
        out.backward(grad_out)
        for name, t in leaves.items():
            if t.dtype == torch.float32:
                assert t.grad is not None, f"{case}: no gradient reached {name}"
                self.put(f"{case}.grad_{name}", t.grad)

    def write(self):
        os.makedirs(DATA_DIR, exist_ok=True)
        path = os.path.join(DATA_DIR, f"{self.name}.txt")
        header = [
            f"# ember golden data, family '{self.name}': {self.cases} cases.",
            "# Generated by tests/golden/make_golden.py with PyTorch; do not edit, rerun the script.",
        ]
        with open(path, "w") as f:
            f.write("\n".join(header + self.lines) + "\n")
        return path, self.cases


# ---------------------------------------------------------------------------------------------
def elementwise():
    fam = Family("elementwise")
    binary = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    shapes = {
        "": ([3, 4], [3, 4]),
        "_bcast_3x1": ([2, 3, 4], [3, 1]),
        "_bcast_4": ([2, 3, 4], [4]),
        "_bcast_both": ([3, 1], [1, 4]),  # both sides stretch
        "_bcast_left": ([4], [2, 3, 4]),  # the first operand is the broadcast one
        "_bcast_0d": ([2, 3], []),        # a 0-d tensor operand
    }
    for op, fn in binary.items():
        for suffix, (sa, sb) in shapes.items():
            a = fam.randn(*sa)
            b = fam.away_from_zero(*sb) if op == "div" else fam.randn(*sb)
            fam.case(op + suffix, fn, {"a": a, "b": b})
    # IEEE division by zero: x/0 = +-inf, 0/0 = nan, in the output and in both gradients.
    fam.case("div_by_zero", torch.div,
             {"a": torch.tensor([1.0, -1.0, 0.0, 2.0]), "b": torch.tensor([0.0, 0.0, 0.0, 4.0])})

    # Tensor-scalar forms; `scalar` is the float argument.
    x = fam.randn(2, 3, 4)
    fam.case("add_scalar", lambda a: a + 2.5, {"a": x}, {"scalar": 2.5})
    fam.case("sub_scalar", lambda a: a - 1.5, {"a": fam.randn(2, 3, 4)}, {"scalar": 1.5})
    fam.case("rsub_scalar", lambda b: 3.0 - b, {"b": fam.randn(2, 3, 4)}, {"scalar": 3.0})
    fam.case("mul_scalar", lambda a: a * -2.0, {"a": fam.randn(2, 3, 4)}, {"scalar": -2.0})
    fam.case("div_scalar", lambda a: a / 4.0, {"a": fam.randn(2, 3, 4)}, {"scalar": 4.0})
    fam.case("rdiv_scalar", lambda b: 2.0 / b, {"b": fam.away_from_zero(2, 3, 4)}, {"scalar": 2.0})

    # Unary ops.
    fam.case("neg", torch.neg, {"x": fam.randn(3, 4)})
    fam.case("exp", torch.exp, {"x": fam.randn(3, 4, scale=2.0)})
    fam.case("log", torch.log, {"x": fam.uniform(0.05, 5.0, 3, 4)})
    fam.case("log_zero", torch.log, {"x": torch.tensor([0.0, 1.0, 2.0])})  # log(0) = -inf
    fam.case("sqrt", torch.sqrt, {"x": fam.uniform(0.05, 5.0, 3, 4)})
    absx = fam.randn(3, 4)
    absx[0, 0] = 0.0  # gradient sign(0) = 0
    absx[2, 3] = 0.0
    fam.case("abs", torch.abs, {"x": absx})

    pow_cases = [("pow_2", 2.0, fam.randn(3, 4)),
                 ("pow_3", 3.0, fam.randn(3, 4)),  # negative bases, odd exponent
                 ("pow_half", 0.5, fam.uniform(0.1, 4.0, 3, 4)),
                 ("pow_m1p5", -1.5, fam.uniform(0.3, 3.0, 3, 4))]
    for name, p, base in pow_cases:
        fam.case(name, lambda x, p=p: torch.pow(x, p), {"x": base}, {"exponent": p})

    # clamp: boundary values sit exactly on min/max (gradient 1 there, as in PyTorch).
    cx = fam.randn(4, 5)
    cx[0, :4] = torch.tensor([-0.5, 0.5, -0.5, 0.5])
    fam.case("clamp_min", lambda x: torch.clamp(x, min=-0.5), {"x": cx}, {"min": -0.5})
    fam.case("clamp_max", lambda x: torch.clamp(x, max=0.5), {"x": cx}, {"max": 0.5})
    fam.case("clamp_both", lambda x: torch.clamp(x, -0.5, 0.5), {"x": cx}, {"min": -0.5, "max": 0.5})
    return fam


def activation():
    fam = Family("activation")
    x = fam.randn(4, 5)
    x[0, :3] = 0.0  # relu'(0) = 0; leaky_relu'(0) = slope (PyTorch uses x > 0)
    fam.case("relu", F.relu, {"x": x})
    fam.case("leaky_relu", lambda x: F.leaky_relu(x, 0.1), {"x": x}, {"negative_slope": 0.1})
    big = torch.tensor([-50.0, -20.0, -5.0, 0.0, 5.0, 20.0, 50.0])
    sx = torch.cat([fam.randn(13, scale=2.0), big]).reshape(4, 5)
    fam.case("sigmoid", torch.sigmoid, {"x": sx})
    fam.case("tanh", torch.tanh, {"x": sx})

    for fn_name, fn in [("softmax", torch.softmax), ("log_softmax", torch.log_softmax)]:
        for dim, tag in [(0, "d0"), (1, "d1"), (-1, "dm1")]:
            fam.case(f"{fn_name}_{tag}", lambda x, dim=dim: fn(x, dim),
                     {"x": fam.randn(3, 4, 5, scale=2.0)}, {"dim": float(dim)})
        # Large logits: exp would overflow without max subtraction. Offsets of +-1000 with a
        # moderate spread (no probability is subnormal) ...
        offsets = torch.tensor([1000.0, -1000.0, 500.0]).reshape(3, 1, 1)
        for dim, tag in [(0, "d0"), (1, "d1"), (-1, "dm1")]:
            xl = fam.randn(3, 4, 5, scale=4.0) + (offsets if dim != 0 else 1000.0)
            fam.case(f"{fn_name}_large_{tag}", lambda x, dim=dim: fn(x, dim), {"x": xl}, {"dim": float(dim)})
        # ... and huge gaps, where the smaller probabilities are exactly 0.
        xh = torch.tensor([1e4, -1e4, 0.0, 5e3, 1e4 - 1.0]).repeat(3, 4, 1)
        xh = xh + fam.randn(3, 4, 5)
        fam.case(f"{fn_name}_huge_dm1", lambda x: fn(x, -1), {"x": xh}, {"dim": -1.0})

    # Cases added later go last: they draw from the generator after every earlier case, so those
    # keep their values, and their blocks are appended to the committed file without rewriting it.
    # hardswish: its three pieces and the kink at -3 (gradient -0.5). Not 3: PyTorch 1.13's gradient
    # there is 1 in its vectorized loop (x >= 3) and 1.5 in the scalar tail (x <= 3), so it depends
    # on the element's position (tests/ops/test_activation.cpp checks ember's 1.5).
    hx = torch.cat([fam.uniform(-5.0, 5.0, 14), torch.tensor([-3.0, -6.0, 6.0, 0.0, -1.5, 1.5])]).reshape(4, 5)
    fam.case("hardswish", F.hardswish, {"x": hx})
    # gelu (exact, approximate='none'): the middle and both tails.
    gx = torch.cat([fam.randn(15, scale=2.0), torch.tensor([-8.0, -3.0, 0.0, 3.0, 8.0])]).reshape(4, 5)
    fam.case("gelu", F.gelu, {"x": gx})
    return fam


def reduce():
    fam = Family("reduce")
    fam.case("sum_all", torch.sum, {"x": fam.randn(3, 4)})
    fam.case("sum_all_3d", torch.sum, {"x": fam.randn(2, 3, 4)})
    sum_dims = [("sum_d0", [0], False), ("sum_d1_keep", [1], True), ("sum_dm1", [-1], False),
                ("sum_d02", [0, 2], False), ("sum_d02_keep", [0, 2], True),
                ("sum_dm1_m3_keep", [-1, -3], True), ("sum_d012", [0, 1, 2], False)]
    for name, dims, keep in sum_dims:
        fam.case(name, lambda x, d=dims, k=keep: torch.sum(x, d, keepdim=k), {"x": fam.randn(2, 3, 4)})
    fam.case("mean_all", torch.mean, {"x": fam.randn(3, 4)})
    fam.case("mean_all_3d", torch.mean, {"x": fam.randn(2, 3, 4)})
    for name, dims, keep in sum_dims:
        name = name.replace("sum", "mean")
        fam.case(name, lambda x, d=dims, k=keep: torch.mean(x, d, keepdim=k), {"x": fam.randn(2, 3, 4)})

    # max along a dim: values, int64 indices, gradient to the (first) maximal element.
    fam.case("max_d1", lambda x: torch.max(x, 1), {"x": fam.randn(3, 4, 5)})
    fam.case("max_d0_keep", lambda x: torch.max(x, 0, keepdim=True), {"x": fam.randn(3, 4, 5)})
    fam.case("max_dm1", lambda x: torch.max(x, -1), {"x": fam.randn(3, 4, 5)})
    fam.case("max_1d", lambda x: torch.max(x, 0), {"x": fam.randn(7)})  # 0-d result
    ties = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [5.0, 1.0, 5.0, 5.0]])
    fam.case("max_ties", lambda x: torch.max(x, 1), {"x": ties})  # PyTorch picks the first

    fam.case("argmax_d1", lambda x: torch.argmax(x, 1), {"x": fam.randn(3, 4, 5)})
    fam.case("argmax_d0_keep", lambda x: torch.argmax(x, 0, keepdim=True), {"x": fam.randn(3, 4, 5)})
    fam.case("argmax_dm1", lambda x: torch.argmax(x, -1), {"x": fam.randn(3, 4, 5)})
    fam.case("argmax_ties", lambda x: torch.argmax(x, 1), {"x": ties})
    return fam


def linalg():
    fam = Family("linalg")
    mm_cases = [
        ("mm", [3, 4], [4, 5]),
        ("bmm", [2, 3, 4], [2, 4, 5]),
        ("bcast_4d_3d", [2, 1, 3, 4], [3, 4, 2]),  # -> [2, 3, 3, 2]
        ("bcast_2d_3d", [3, 4], [2, 4, 5]),        # 2-D left
        ("bcast_3d_2d", [2, 3, 4], [4, 5]),        # 2-D right
        ("bcast_1_b", [1, 3, 4], [2, 4, 5]),       # size-1 batch on the left
        ("dot", [4], [4]),                         # -> 0-d
        ("vecmat", [4], [4, 5]),
        ("matvec", [3, 4], [4]),
        ("vec_batched", [4], [2, 4, 5]),           # -> [2, 5]
        ("batched_vec", [2, 3, 4], [4]),           # -> [2, 3]
    ]
    for name, sa, sb in mm_cases:
        fam.case(f"matmul_{name}", torch.matmul, {"a": fam.randn(*sa), "b": fam.randn(*sb)})

    for xs in ([3, 4], [2, 3, 4]):
        tag = f"{len(xs)}d"
        fam.case(f"linear_bias_{tag}", F.linear,
                 {"x": fam.randn(*xs), "weight": fam.randn(5, 4), "bias": fam.randn(5)})
        fam.case(f"linear_nobias_{tag}", F.linear, {"x": fam.randn(*xs), "weight": fam.randn(5, 4)})
    return fam


def loss():
    fam = Family("loss")
    reductions = ["mean", "sum", "none"]
    for red in reductions:
        fam.case(f"ce_{red}", lambda x, t, r=red: F.cross_entropy(x, t, reduction=r),
                 {"logits": fam.randn(4, 5, scale=2.0), "targets": fam.randint(5, 4)})
    for red in reductions:
        fam.case(f"ce_ls_{red}", lambda x, t, r=red: F.cross_entropy(x, t, reduction=r, label_smoothing=0.1),
                 {"logits": fam.randn(4, 5, scale=2.0), "targets": fam.randint(5, 4)},
                 {"label_smoothing": 0.1})
    # Huge logits: finite only if the row max is subtracted; many probabilities are exactly 0.
    huge = torch.tensor([[1e4, -1e4, 0.0, 5e3, 1.0],
                         [-1e4, -1e4, -1e4, -1e4, -1e4],
                         [3e4, 2e4, 1e4, 0.0, 2.99999e4],
                         [5.0, 1e4, -3.0, 1e4, 2.0]])
    huge_t = torch.tensor([1, 2, 4, 3])
    for red in reductions:
        fam.case(f"ce_huge_{red}", lambda x, t, r=red: F.cross_entropy(x, t, reduction=r),
                 {"logits": huge, "targets": huge_t})
    fam.case("ce_huge_ls_none", lambda x, t: F.cross_entropy(x, t, reduction="none", label_smoothing=0.1),
             {"logits": huge, "targets": huge_t}, {"label_smoothing": 0.1})

    # nll_loss on log_softmax output: through the composition from logits, and directly on a
    # log-probability leaf.
    for red in reductions:
        fam.case(f"nll_logsm_{red}", lambda x, t, r=red: F.nll_loss(torch.log_softmax(x, 1), t, reduction=r),
                 {"logits": fam.randn(4, 5, scale=2.0), "targets": fam.randint(5, 4)})
    for red in reductions:
        lp = torch.log_softmax(fam.randn(4, 5, scale=2.0), 1)
        fam.case(f"nll_{red}", lambda x, t, r=red: F.nll_loss(x, t, reduction=r),
                 {"log_probs": lp, "targets": fam.randint(5, 4)})

    for red in reductions:
        fam.case(f"mse_{red}", lambda x, y, r=red: F.mse_loss(x, y, reduction=r),
                 {"input": fam.randn(3, 4), "target": fam.randn(3, 4)})
    fam.case("mse_3d_mean", lambda x, y: F.mse_loss(x, y), {"input": fam.randn(2, 3, 4), "target": fam.randn(2, 3, 4)})
    return fam


def shape():
    fam = Family("shape")
    fam.case("reshape", lambda x: x.reshape(4, 6), {"x": fam.randn(2, 3, 4)})
    fam.case("reshape_infer", lambda x: x.reshape(-1, 4), {"x": fam.randn(2, 3, 4)})
    fam.case("reshape_transposed", lambda x: x.t().reshape(12), {"x": fam.randn(3, 4)})  # needs a copy
    fam.case("view", lambda x: x.view(6, 4), {"x": fam.randn(2, 3, 4)})
    fam.case("contiguous_transposed", lambda x: x.t().contiguous(), {"x": fam.randn(3, 4)})
    fam.case("clone", lambda x: x.clone(), {"x": fam.randn(3, 4)})
    fam.case("permute", lambda x: x.permute(2, 0, 1), {"x": fam.randn(2, 3, 4)})
    fam.case("permute_neg", lambda x: x.permute(-1, 0, -2), {"x": fam.randn(2, 3, 4)})
    fam.case("transpose", lambda x: x.transpose(0, 2), {"x": fam.randn(2, 3, 4)})
    fam.case("transpose_neg", lambda x: x.transpose(-1, -2), {"x": fam.randn(2, 3, 4)})
    fam.case("narrow", lambda x: x.narrow(1, 1, 2), {"x": fam.randn(2, 4, 3)})
    fam.case("narrow_neg", lambda x: x.narrow(-1, 2, 3), {"x": fam.randn(2, 3, 5)})
    fam.case("slice_step", lambda x: x[:, 0:5:2], {"x": fam.randn(2, 5, 3)})  # dim 1, 0:5:2
    fam.case("slice_neg", lambda x: x[:, :, -5:-1:2], {"x": fam.randn(2, 3, 6)})  # dim 2, -5:-1:2
    fam.case("slice_clamped", lambda x: x[1:100], {"x": fam.randn(4, 3)})  # end past the dim
    fam.case("select", lambda x: x.select(1, 2), {"x": fam.randn(2, 4, 3)})
    fam.case("select_neg", lambda x: x.select(-1, -1), {"x": fam.randn(2, 4, 3)})
    fam.case("expand", lambda x: x.expand(2, 3, 4), {"x": fam.randn(3, 1)})  # new leading dim
    fam.case("expand_keep", lambda x: x.expand(-1, 4), {"x": fam.randn(3, 1)})
    fam.case("squeeze_all", lambda x: x.squeeze(), {"x": fam.randn(1, 3, 1, 4)})
    fam.case("squeeze_dim", lambda x: x.squeeze(2), {"x": fam.randn(1, 3, 1, 4)})
    fam.case("squeeze_neg", lambda x: x.squeeze(-2), {"x": fam.randn(1, 3, 1, 4)})
    fam.case("squeeze_noop", lambda x: x.squeeze(1), {"x": fam.randn(1, 3, 1, 4)})
    fam.case("unsqueeze_0", lambda x: x.unsqueeze(0), {"x": fam.randn(3, 4)})
    fam.case("unsqueeze_1", lambda x: x.unsqueeze(1), {"x": fam.randn(3, 4)})
    fam.case("unsqueeze_2", lambda x: x.unsqueeze(2), {"x": fam.randn(3, 4)})      # at ndim
    fam.case("unsqueeze_m1", lambda x: x.unsqueeze(-1), {"x": fam.randn(3, 4)})    # -> [3, 4, 1]
    fam.case("flatten", lambda x: x.flatten(), {"x": fam.randn(2, 3, 4)})
    fam.case("flatten_1", lambda x: x.flatten(1), {"x": fam.randn(2, 3, 2, 2)})
    fam.case("flatten_1_2", lambda x: x.flatten(1, 2), {"x": fam.randn(2, 3, 2, 2)})
    fam.case("cat_d0", lambda a, b, c: torch.cat([a, b, c], 0),
             {"x0": fam.randn(2, 3), "x1": fam.randn(1, 3), "x2": fam.randn(3, 3)})
    fam.case("cat_d1", lambda a, b, c: torch.cat([a, b, c], 1),
             {"x0": fam.randn(2, 1), "x1": fam.randn(2, 3), "x2": fam.randn(2, 2)})
    fam.case("cat_dm1_3d", lambda a, b: torch.cat([a, b], -1), {"x0": fam.randn(2, 3, 2), "x1": fam.randn(2, 3, 3)})
    fam.case("stack_d0", lambda a, b, c: torch.stack([a, b, c], 0),
             {"x0": fam.randn(2, 3), "x1": fam.randn(2, 3), "x2": fam.randn(2, 3)})
    fam.case("stack_d1", lambda a, b, c: torch.stack([a, b, c], 1),
             {"x0": fam.randn(2, 3), "x1": fam.randn(2, 3), "x2": fam.randn(2, 3)})
    fam.case("stack_dm1", lambda a, b: torch.stack([a, b], -1), {"x0": fam.randn(2, 3), "x1": fam.randn(2, 3)})
    return fam


def extra_families():
    """Families defined in tests/golden/golden_<family>.py modules: each has make(Family) -> Family."""
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(here)):
        if name.startswith("golden_") and name.endswith(".py"):
            spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(here, name))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            yield lambda module=module: module.make(Family)


def main():
    torch.manual_seed(0)  # nothing should use the global generator, but just in case
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    total = 0
    for make in (elementwise, activation, reduce, linalg, loss, shape, *extra_families()):
        path, cases = make().write()
        size = os.path.getsize(path)
        total += size
        print(f"{os.path.relpath(path)}: {cases} cases, {size} bytes")
    print(f"total {total} bytes")


if __name__ == "__main__":
    sys.exit(main())
