"""Golden cases for conv1d and conv3d (family 'conv_nd'), picked up by make_golden.py.

Each case records x, weight, bias (when used), out, grad_out and the gradients, plus the options
as 0-d tensors. conv1d cases (named c1_*): stride, dil, groups, pad_l/pad_r, or mode_same /
mode_valid (present only for that mode). conv3d cases (c3_*): stride_d/h/w, dil_d/h/w, groups,
pad_f/pad_bk/pad_t/pad_b/pad_l/pad_r, or mode_same. Asymmetric padding is applied with F.pad, as
PyTorch's convolutions only take symmetric padding; "same"/"valid" use PyTorch's own modes.
"""
import torch.nn.functional as F


def conv1d_case(fam, name, n, c, length, k, kernel, stride=1, pad=(0, 0), dil=1, groups=1, bias=True, mode=None):
    shape = (c, length) if n is None else (n, c, length)  # n None: unbatched [C, L]
    inputs = {"x": fam.randn(*shape), "weight": fam.randn(k, c // groups, kernel, scale=0.5)}
    if bias:
        inputs["bias"] = fam.randn(k)
    left, right = pad

    def op(x, weight, bias=None):
        if mode is not None:
            return F.conv1d(x, weight, bias, stride=stride, padding=mode, dilation=dil, groups=groups)
        return F.conv1d(F.pad(x, (left, right)), weight, bias, stride=stride, dilation=dil, groups=groups)

    scalars = {"stride": stride, "dil": dil, "groups": groups, "pad_l": left, "pad_r": right}
    if mode is not None:
        scalars["mode_" + mode] = 1
    fam.case(name, op, inputs, scalars)


def conv3d_case(fam, name, n, c, dhw, k, kernel, stride=(1, 1, 1), pad=(0, 0, 0, 0, 0, 0), dil=(1, 1, 1), groups=1,
                bias=True, mode=None):
    shape = (c, *dhw) if n is None else (n, c, *dhw)  # n None: unbatched [C, D, H, W]
    inputs = {"x": fam.randn(*shape), "weight": fam.randn(k, c // groups, *kernel, scale=0.5)}
    if bias:
        inputs["bias"] = fam.randn(k)
    front, back, top, bottom, left, right = pad

    def op(x, weight, bias=None):
        if mode is not None:
            return F.conv3d(x, weight, bias, stride=stride, padding=mode, dilation=dil, groups=groups)
        return F.conv3d(F.pad(x, (left, right, top, bottom, front, back)), weight, bias, stride=stride, dilation=dil,
                        groups=groups)

    scalars = {"stride_d": stride[0], "stride_h": stride[1], "stride_w": stride[2], "dil_d": dil[0], "dil_h": dil[1],
               "dil_w": dil[2], "groups": groups, "pad_f": front, "pad_bk": back, "pad_t": top, "pad_b": bottom,
               "pad_l": left, "pad_r": right}
    if mode is not None:
        scalars["mode_" + mode] = 1
    fam.case(name, op, inputs, scalars)


def make(Family):
    fam = Family("conv_nd")
    conv1d_case(fam, "c1_k3_p1", 2, 3, 10, 4, 3, pad=(1, 1))
    conv1d_case(fam, "c1_stride_dil", 2, 2, 15, 3, 3, stride=2, pad=(2, 2), dil=2)
    conv1d_case(fam, "c1_groups", 1, 4, 9, 6, 3, pad=(1, 1), groups=2)
    conv1d_case(fam, "c1_depthwise", 2, 3, 11, 6, 5, stride=3, pad=(2, 2), groups=3)
    conv1d_case(fam, "c1_pointwise_nobias", 2, 5, 6, 4, 1, bias=False)
    conv1d_case(fam, "c1_winograd", 2, 16, 30, 17, 5, pad=(2, 2))  # Winograd F(4, 5)
    conv1d_case(fam, "c1_same_even", 2, 2, 9, 3, 4, dil=2, mode="same")
    conv1d_case(fam, "c1_valid", 1, 3, 8, 2, 5, mode="valid")
    conv1d_case(fam, "c1_asym", 2, 2, 7, 3, 3, stride=2, pad=(0, 2))
    conv1d_case(fam, "c1_unbatched", None, 3, 9, 2, 3, pad=(1, 1))
    conv3d_case(fam, "c3_k3_p1", 2, 2, (4, 5, 4), 3, (3, 3, 3), pad=(1, 1, 1, 1, 1, 1))
    conv3d_case(fam, "c3_stride_dil", 1, 2, (7, 6, 7), 3, (3, 2, 3), stride=(2, 1, 2), pad=(1, 1, 0, 1, 2, 2),
                dil=(2, 1, 2))
    conv3d_case(fam, "c3_groups", 2, 4, (3, 4, 5), 6, (2, 3, 3), pad=(0, 1, 1, 1, 0, 1), groups=2)
    conv3d_case(fam, "c3_depthwise", 1, 3, (5, 5, 4), 3, (3, 3, 3), stride=(1, 2, 1), pad=(1, 1, 1, 1, 1, 1), groups=3)
    conv3d_case(fam, "c3_pointwise_nobias", 2, 4, (3, 3, 4), 5, (1, 1, 1), bias=False)
    conv3d_case(fam, "c3_winograd", 1, 16, (3, 6, 5), 16, (3, 3, 3), pad=(1, 1, 1, 1, 1, 1))  # Winograd per slice
    conv3d_case(fam, "c3_same_even", 1, 2, (4, 5, 3), 2, (2, 4, 3), dil=(1, 1, 2), mode="same")
    conv3d_case(fam, "c3_unbatched", None, 2, (4, 4, 5), 3, (3, 3, 2), stride=(2, 2, 1), pad=(1, 1, 1, 1, 0, 0))
    return fam
