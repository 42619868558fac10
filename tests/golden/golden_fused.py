"""Golden cases for the fused ops of ember/ops (family 'fused'): conv2d_relu and
batch_norm2d_relu, each checked against PyTorch's relu(conv2d(...)) and relu(batch_norm(...)).

Batches of 8-9 images, so ember's several-images-per-GEMM im2col path (and its uneven last
block) is exercised, besides the depthwise and pointwise paths. Names as golden_conv.py for the
conv cases (`stride`, `pad`, `groups` scalars); bn cases are training mode without running stats:
`<case>.x`, `.weight`, `.bias`, `.eps`, then `out`, `grad_out`, `grad_x`, `grad_weight`, `grad_bias`.
"""
import torch.nn.functional as F


def conv_relu_case(fam, name, n, c, h, w, k, kh, kw, stride=1, pad=0, groups=1):
    inputs = {"x": fam.randn(n, c, h, w), "weight": fam.randn(k, c // groups, kh, kw, scale=0.5),
              "bias": fam.randn(k)}
    fam.case(name, lambda x, weight, bias: F.relu(F.conv2d(x, weight, bias, stride=stride, padding=pad, groups=groups)),
             inputs, {"stride": stride, "pad": pad, "groups": groups})


def bn_relu_case(fam, name, n, c, h, w, eps=1e-5):
    inputs = {"x": fam.randn(n, c, h, w, scale=2.0), "weight": fam.randn(c), "bias": fam.randn(c)}
    fam.case(name, lambda x, weight, bias: F.relu(F.batch_norm(x, None, None, weight, bias, training=True, eps=eps)),
             inputs, {"eps": eps})


def make(Family):
    fam = Family("fused")
    conv_relu_case(fam, "single_channel_b8", 8, 1, 12, 12, 6, 5, 5, pad=2)
    conv_relu_case(fam, "k3_b9_uneven", 9, 3, 7, 6, 5, 3, 3, pad=1)
    conv_relu_case(fam, "k5_s2_b8", 8, 4, 11, 11, 3, 5, 5, stride=2, pad=1)
    conv_relu_case(fam, "depthwise_b4", 4, 4, 6, 5, 4, 3, 3, pad=1, groups=4)
    conv_relu_case(fam, "pointwise_b4", 4, 5, 4, 3, 6, 1, 1)
    bn_relu_case(fam, "bn_relu", 4, 3, 5, 4)
    bn_relu_case(fam, "bn_relu_one_image", 1, 5, 3, 3)
    # The direct kernel with output channels on lanes (last: the cases above keep their inputs).
    conv_relu_case(fam, "direct_lenet2_b5", 5, 6, 14, 14, 16, 5, 5)
    return fam
