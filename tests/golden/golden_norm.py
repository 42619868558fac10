"""Golden cases for ember/ops/norm.h: local_response_norm and batch_norm2d (read by tests/ops/test_norm.cpp).

Picked up by make_golden.py (extra_families); writes tests/golden/data/norm.txt.

local_response_norm cases go through Family.case: `<case>.x`, the scalars `size`, `alpha`,
`beta`, `k`, then `out`, `grad_out`, `grad_x`.

batch_norm2d cases are recorded by bn_case below, because the running stats are buffers (not
leaves that require grad) and are updated in place. Names: `<case>.x`, `.weight` and `.bias`
(when affine), `.running_mean` and `.running_var` (before the call, when present), the scalars
`.training` (0 or 1), `.momentum`, `.eps`, then `.out`, `.grad_out`, `.grad_x`, `.grad_weight`,
`.grad_bias`, and in training mode `.running_mean_after` and `.running_var_after`.
"""
import torch
import torch.nn.functional as F


def lrn_cases(fam):
    # (case, x shape, size, alpha, beta, k). Large alpha and inputs of scale 2, so the window sum
    # matters; sizes odd and even, 1, larger than C; 3-D and 5-D inputs.
    cases = [
        ("lrn_s3", (2, 5, 3, 4), 3, 0.5, 0.75, 1.0),
        ("lrn_s2", (2, 5, 3, 4), 2, 0.5, 0.75, 1.0),      # even: window c-1 .. c
        ("lrn_s4", (2, 6, 2, 3), 4, 1.0, 0.6, 2.0),       # even: window c-2 .. c+1
        ("lrn_s5_alexnet", (2, 7, 3, 3), 5, 1e-4, 0.75, 2.0),
        ("lrn_s5_strong", (2, 7, 3, 3), 5, 2.0, 0.75, 2.0),
        ("lrn_s1", (2, 3, 2, 2), 1, 0.7, 0.75, 1.0),
        ("lrn_window_gt_c", (2, 3, 2, 2), 7, 0.8, 0.75, 1.0),
        ("lrn_beta_1p5_k0p5", (2, 5, 2, 3), 3, 0.3, 1.5, 0.5),
        ("lrn_3d", (2, 6, 5), 3, 0.5, 0.75, 1.0),
        ("lrn_5d", (2, 4, 2, 3, 2), 3, 0.5, 0.75, 1.0),
    ]
    for case, shape, size, alpha, beta, k in cases:
        fam.case(case, lambda x, s=size, a=alpha, b=beta, kk=k: F.local_response_norm(x, s, a, b, kk),
                 {"x": fam.randn(*shape, scale=2.0)}, {"size": size, "alpha": alpha, "beta": beta, "k": k})


def bn_case(fam, case, x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    fam.cases += 1
    leaves = {"x": x.detach().clone().requires_grad_(True)}
    if weight is not None:
        leaves["weight"] = weight.detach().clone().requires_grad_(True)
    if bias is not None:
        leaves["bias"] = bias.detach().clone().requires_grad_(True)
    for name, t in leaves.items():
        fam.put(f"{case}.{name}", t)
    rm = running_mean.clone() if running_mean is not None else None
    rv = running_var.clone() if running_var is not None else None
    if rm is not None:
        fam.put(f"{case}.running_mean", rm)
        fam.put(f"{case}.running_var", rv)
    fam.put(f"{case}.training", 1.0 if training else 0.0)
    fam.put(f"{case}.momentum", momentum)
    fam.put(f"{case}.eps", eps)
    out = F.batch_norm(leaves["x"], rm, rv, leaves.get("weight"), leaves.get("bias"), training, momentum, eps)
    fam.put(f"{case}.out", out)
    grad_out = torch.randn(out.shape, generator=fam.gen, dtype=torch.float32)
    fam.put(f"{case}.grad_out", grad_out)
    out.backward(grad_out)
    for name, t in leaves.items():
        fam.put(f"{case}.grad_{name}", t.grad)
    if training and rm is not None:
        fam.put(f"{case}.running_mean_after", rm)
        fam.put(f"{case}.running_var_after", rv)


def bn_cases(fam):
    def stats(c):
        return fam.randn(c, scale=0.5), fam.uniform(0.5, 2.0, c)

    def affine(c):
        return fam.randn(c), fam.randn(c)

    # (case, x shape, training, affine, running stats, momentum, eps, x offset, x scale)
    cases = [
        ("bn_train_affine", (4, 3, 5, 5), True, True, True, 0.1, 1e-5, 0.0, 1.0),
        ("bn_train_noaffine", (3, 5, 2, 3), True, False, True, 0.1, 1e-5, 0.0, 1.0),
        ("bn_train_nostats", (2, 4, 3, 3), True, True, False, 0.1, 1e-5, 0.0, 1.0),
        ("bn_train_momentum", (2, 3, 4, 4), True, True, True, 0.3, 1e-3, 5.0, 3.0),  # mean far from 0
        ("bn_train_m2", (2, 3, 1, 1), True, True, True, 0.1, 1e-5, 0.0, 1.0),      # M = 2, the fewest
        ("bn_eval_affine", (3, 4, 3, 3), False, True, True, 0.1, 1e-5, 0.0, 1.0),
        ("bn_eval_noaffine", (2, 3, 2, 2), False, False, True, 0.1, 1e-5, 0.0, 1.0),
    ]
    for case, shape, training, is_affine, has_stats, momentum, eps, offset, scale in cases:
        x = fam.randn(*shape, scale=scale) + offset
        rm, rv = stats(shape[1]) if has_stats else (None, None)
        w, b = affine(shape[1]) if is_affine else (None, None)
        bn_case(fam, case, x, rm, rv, w, b, training, momentum, eps)
    # weight without bias
    x = fam.randn(3, 3, 2, 2)
    rm, rv = stats(3)
    bn_case(fam, "bn_train_weight_only", x, rm, rv, fam.randn(3), None, True)


def make(Family):
    fam = Family("norm")
    lrn_cases(fam)
    bn_cases(fam)
    return fam
