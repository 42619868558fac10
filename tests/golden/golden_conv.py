"""Golden cases for conv2d and conv_transpose2d (family 'conv'), picked up by make_golden.py.

Each case records x, weight, bias (when used), out, grad_out and the gradients, plus the
options as 0-d tensors: stride_h/w, pad_t/b/l/r, dil_h/w, groups (and out_pad_h/w for
transposed). Asymmetric padding is applied with F.pad, as PyTorch's conv2d only takes
symmetric padding; "same" uses PyTorch's own padding='same'.
"""
import torch.nn.functional as F


def conv_case(fam, name, n, c, h, w, k, kh, kw, stride=(1, 1), pad=(0, 0, 0, 0), dil=(1, 1), groups=1,
              bias=True, mode=None):
    inputs = {"x": fam.randn(n, c, h, w), "weight": fam.randn(k, c // groups, kh, kw, scale=0.5)}
    if bias:
        inputs["bias"] = fam.randn(k)
    t, b, l, r = pad

    def op(x, weight, bias=None):
        if mode == "same":
            return F.conv2d(x, weight, bias, stride=stride, padding="same", dilation=dil, groups=groups)
        return F.conv2d(F.pad(x, (l, r, t, b)), weight, bias, stride=stride, dilation=dil, groups=groups)

    scalars = {"stride_h": stride[0], "stride_w": stride[1], "pad_t": t, "pad_b": b, "pad_l": l, "pad_r": r,
               "dil_h": dil[0], "dil_w": dil[1], "groups": groups}
    fam.case(name, op, inputs, scalars)


def transpose_case(fam, name, n, c, h, w, k, kh, kw, stride=(1, 1), pad=(0, 0), out_pad=(0, 0), dil=(1, 1),
                   groups=1, bias=True):
    inputs = {"x": fam.randn(n, c, h, w), "weight": fam.randn(c, k // groups, kh, kw, scale=0.5)}
    if bias:
        inputs["bias"] = fam.randn(k)

    def op(x, weight, bias=None):
        return F.conv_transpose2d(x, weight, bias, stride=stride, padding=pad, output_padding=out_pad,
                                  groups=groups, dilation=dil)

    scalars = {"stride_h": stride[0], "stride_w": stride[1], "pad_h": pad[0], "pad_w": pad[1],
               "out_pad_h": out_pad[0], "out_pad_w": out_pad[1], "dil_h": dil[0], "dil_w": dil[1],
               "groups": groups}
    fam.case(name, op, inputs, scalars)


def make(Family):
    fam = Family("conv")
    conv_case(fam, "lenet1", 2, 1, 10, 10, 3, 5, 5, pad=(2, 2, 2, 2))
    conv_case(fam, "k3_p1", 2, 3, 7, 6, 4, 3, 3, pad=(1, 1, 1, 1))
    conv_case(fam, "pointwise", 2, 5, 4, 3, 6, 1, 1)
    conv_case(fam, "pointwise_stride2", 1, 4, 5, 5, 3, 1, 1, stride=(2, 2), bias=False)
    conv_case(fam, "depthwise", 2, 4, 6, 5, 4, 3, 3, pad=(1, 1, 1, 1), groups=4)
    conv_case(fam, "depthwise_mult2_s2", 1, 3, 7, 7, 6, 3, 3, stride=(2, 2), pad=(1, 1, 1, 1), groups=3)
    conv_case(fam, "dilated", 1, 2, 9, 8, 3, 3, 3, pad=(2, 2, 2, 2), dil=(2, 2))
    conv_case(fam, "nonsquare_asym", 2, 3, 8, 9, 2, 3, 5, stride=(2, 1), pad=(1, 0, 2, 1))
    conv_case(fam, "groups2", 1, 4, 6, 6, 6, 3, 2, stride=(1, 2), pad=(0, 1, 1, 0), groups=2)
    conv_case(fam, "same_even", 1, 2, 6, 5, 3, 4, 2, dil=(1, 2), mode="same")
    conv_case(fam, "alex_like", 1, 3, 23, 23, 4, 11, 11, stride=(4, 4), bias=False)
    # Winograd F(4x4, 3x3) (>= 16 channels, whole tiles and clipped ones; dilated: 2x2 sub-grids)
    conv_case(fam, "winograd", 2, 16, 10, 9, 17, 3, 3, pad=(1, 1, 1, 1))
    conv_case(fam, "winograd_dilated", 1, 16, 12, 10, 16, 3, 3, pad=(2, 2, 2, 2), dil=(2, 2), bias=False)
    transpose_case(fam, "t_k4_s2_p1", 2, 3, 4, 5, 2, 4, 4, stride=(2, 2), pad=(1, 1))
    transpose_case(fam, "t_k3_outpad", 1, 2, 3, 4, 3, 3, 3, stride=(2, 2), pad=(1, 1), out_pad=(1, 1))
    transpose_case(fam, "t_groups_dil", 1, 4, 3, 3, 6, 3, 2, stride=(1, 2), pad=(0, 1), dil=(2, 1), groups=2)
    transpose_case(fam, "t_nonsquare", 2, 2, 3, 2, 3, 2, 3, stride=(3, 1), pad=(0, 0), bias=False)
    transpose_case(fam, "t_pointwise", 1, 3, 4, 4, 2, 1, 1)
    # The direct kernel (4-32 output channels, stride 1): LeNet-5's second layer (output channels
    # on lanes, tiles of 6 for the input gradient); 24 channels from 4 (positions on lanes for the
    # weight gradient). Last, so the cases above keep their random inputs.
    conv_case(fam, "direct_lenet2", 3, 6, 14, 14, 16, 5, 5)
    conv_case(fam, "direct_k24", 2, 4, 9, 8, 24, 3, 3, pad=(1, 1, 1, 1))
    return fam
