#pragma once
// 2-D convolutions, differentiable. NCHW activations; weights (out, in/groups, kh, kw) for
// conv2d and (in, out/groups, kh, kw) for conv_transpose2d, as in PyTorch.
#include <concepts>
#include <string_view>
#include <type_traits>

#include "ember/core/options.h"
#include "ember/core/tensor.h"
#include "ember/ops/window.h"

namespace ember {

// How conv2d is computed. automatic picks the fastest path for the shape (see
// docs/ARCHITECTURE.md, "Convolution paths"); im2col forces the general path (tests compare the
// direct paths against it; benchmarks time both).
enum class ConvAlgorithm { automatic, im2col };

enum class PaddingMode { explicit_sizes, valid, same, full };

namespace conv_detail {
// "valid", "same" or "full"; throws ember::Error naming `op` and listing them otherwise.
PaddingMode parse_padding_mode(const char* op, std::string_view mode);
}  // namespace conv_detail

namespace conv_detail {
template <class Size>
constexpr const char* conv_name() {
  if constexpr (std::is_same_v<Size, int64_t>) return "conv1d";
  if constexpr (std::is_same_v<Size, Int2>) return "conv2d";
  return "conv3d";
}
}  // namespace conv_detail

// The options of a convolution, one struct for the op and its layer, in every dimension (Size is
// int64_t, Int2 or Int3; Padding1d/2d/3d for each side). Conv2dOptions, below, is the 2-D one:
//   conv2d(x, w, b, Conv2dOptions().stride(2).padding(1))
//   nn::Conv2d(Conv2dOptions(3, 64, 5).stride(2).padding("same").bias(false))
// The layer reads in_channels, out_channels, kernel_size and bias to make its parameters; the op
// takes them from its weight and bias tensors, and checks any channel count or kernel size set
// here against them.
template <class Size, class PaddingSizes>
struct ConvOptions {
  ConvOptions() = default;
  ConvOptions(int64_t in_channels, int64_t out_channels, Size kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}

  EMBER_ARG(int64_t, in_channels, 0);  // 0: not set (the op's weight tells)
  EMBER_ARG(int64_t, out_channels, 0);
  EMBER_ARG(Size, kernel_size, 0);
  EMBER_ARG(bool, bias, true);  // the layer's bias parameter; the op is given a bias tensor or none
  EMBER_ARG(Size, stride, 1);
  EMBER_ARG(Size, dilation, 1);
  EMBER_ARG(int64_t, groups, 1);
  EMBER_ARG(ConvAlgorithm, algorithm, ConvAlgorithm::automatic);

 public:
  // Padding has two forms. Sizes, through any constructor of PaddingSizes: padding(1),
  // padding(1, 2), padding(Padding2d(...)). Or a mode by name: "valid" (none), "same" (output
  // size = input size; stride 1 only; an odd total goes after, as PyTorch) or "full"
  // (dilation * (k - 1) on every side); a wrong name throws ember::Error at once, naming the op.
  template <class First, class... Rest>
    requires std::constructible_from<PaddingSizes, First, Rest...>
  ConvOptions& padding(First first, Rest... rest) {
    padding_ = PaddingSizes(first, rest...);
    padding_mode_ = PaddingMode::explicit_sizes;
    return *this;
  }
  ConvOptions& padding(std::string_view mode) {
    padding_mode_ = conv_detail::parse_padding_mode(conv_detail::conv_name<Size>(), mode);
    padding_ = 0;
    return *this;
  }
  const PaddingSizes& padding() const { return padding_; }
  PaddingMode padding_mode() const { return padding_mode_; }

 private:
  PaddingSizes padding_ = 0;
  PaddingMode padding_mode_ = PaddingMode::explicit_sizes;
};

using Conv2dOptions = ConvOptions<Int2, Padding2d>;

// conv2d(x, weight, bias, options)
//   x:      [N, C, H, W] (or unbatched [C, H, W])       float32
//   weight: [K, C / groups, kh, kw]                      float32
//   bias:   [K] or undefined
//   out:    [N, K, OH, OW] with
//           OH = floor((H + pad_top + pad_bottom - dilation_h * (kh - 1) - 1) / stride_h) + 1
//           OW likewise.
// Throws ember::Error, naming the shapes, when: x is not 3-D/4-D or weight not 4-D; C or K is not
// divisible by groups; weight.size(1) != C / groups; bias is not [K]; stride, dilation or groups
// < 1; padding < 0; "same" with stride != 1; the dilated kernel is larger than the padded input;
// the options' in_channels, out_channels or kernel_size, where set, differ from x's and weight's.
// Backward computes only the needed gradients: dx (GEMM + col2im), dweight (GEMM), dbias (sum).
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv2dOptions& options = Conv2dOptions());

// relu(conv2d(...)): the bias and ReLU applied in the convolution's output pass, and the ReLU's
// backward folded into the convolution's (a Conv2d the fusion pass gave its ReLU uses it, nn/fusion.h).
// Same arguments, checks and results as the two ops in a row.
Tensor conv2d_relu(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
                   const Conv2dOptions& options = Conv2dOptions());

// The options of a transposed 2-D convolution, for the op and its layer (nn::ConvTranspose2d),
// as Conv2dOptions. Padding takes sizes only.
struct ConvTranspose2dOptions {
  ConvTranspose2dOptions() = default;
  ConvTranspose2dOptions(int64_t in_channels, int64_t out_channels, Int2 kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}

  EMBER_ARG(int64_t, in_channels, 0);  // 0: not set (the op's weight tells)
  EMBER_ARG(int64_t, out_channels, 0);
  EMBER_ARG(Int2, kernel_size, 0);
  EMBER_ARG(bool, bias, true);
  EMBER_ARG(Int2, stride, 1);
  EMBER_ARG(Padding2d, padding, 0);
  EMBER_ARG(Int2, output_padding, 0);
  EMBER_ARG(Int2, dilation, 1);
  EMBER_ARG(int64_t, groups, 1);
};

// conv_transpose2d(x, weight, bias, options): the adjoint (gradient w.r.t. input) of conv2d.
//   x:      [N, C, H, W] (or unbatched [C, H, W])        float32
//   weight: [C, K / groups, kh, kw]                      float32
//   bias:   [K] or undefined
//   out:    [N, K, OH, OW] with
//           OH = (H - 1) * stride_h - pad_top - pad_bottom + dilation_h * (kh - 1) + output_padding_h + 1
// output_padding must be smaller than stride or dilation (PyTorch's rule). Throws ember::Error
// naming the shapes for the conv2d errors above and for an output size < 1.
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
                        const ConvTranspose2dOptions& options = ConvTranspose2dOptions());

namespace conv_detail {
// conv2d under another op's name: `op` in errors and the profile, `node` for the backward. conv1d
// runs as this on an [N, C, 1, L] view, after checking its arguments in its own terms.
Tensor conv2d_named(const char* op, const char* node, const Tensor& x, const Tensor& weight, const Tensor& bias,
                    const Conv2dOptions& options);
}  // namespace conv_detail

}  // namespace ember
