#pragma once
// 2-D convolutions, differentiable. NCHW activations; weights (out, in/groups, kh, kw) for
// conv2d and (in, out/groups, kh, kw) for conv_transpose2d, as in PyTorch.
#include <string_view>

#include "ember/core/tensor.h"
#include "ember/ops/window.h"

namespace ember {

// How conv2d is computed. automatic picks the fastest path for the shape (see
// docs/ARCHITECTURE.md, "Convolution paths"); im2col forces the general path (tests compare the
// direct paths against it; benchmarks time both).
enum class ConvAlgorithm { automatic, im2col };

enum class PaddingMode { explicit_sizes, valid, same, full };

// Fluent options: conv2d(x, w, b, Conv2dOptions().stride(2).padding(1)).
struct Conv2dOptions {
  Int2 stride_ = 1;
  Padding2d padding_ = 0;
  PaddingMode padding_mode_ = PaddingMode::explicit_sizes;
  Int2 dilation_ = 1;
  int64_t groups_ = 1;
  ConvAlgorithm algorithm_ = ConvAlgorithm::automatic;

  Conv2dOptions& stride(Int2 s) { stride_ = s; return *this; }
  Conv2dOptions& padding(int64_t all) { return padding(Padding2d(all)); }
  Conv2dOptions& padding(int64_t height, int64_t width) { return padding(Padding2d(height, width)); }
  Conv2dOptions& padding(int64_t top, int64_t bottom, int64_t left, int64_t right) {
    return padding(Padding2d(top, bottom, left, right));
  }
  Conv2dOptions& padding(Padding2d p) { padding_ = p; padding_mode_ = PaddingMode::explicit_sizes; return *this; }
  // "valid" (no padding), "same" (output size = input size; stride 1 only; an odd total goes to
  // the bottom/right, as PyTorch) or "full" (dilation*(k-1) on every side). Throws otherwise.
  Conv2dOptions& padding(std::string_view mode);
  Conv2dOptions& dilation(Int2 d) { dilation_ = d; return *this; }
  Conv2dOptions& groups(int64_t g) { groups_ = g; return *this; }
  Conv2dOptions& algorithm(ConvAlgorithm a) { algorithm_ = a; return *this; }
};

// conv2d(x, weight, bias, options)
//   x:      [N, C, H, W] (or unbatched [C, H, W])       float32
//   weight: [K, C / groups, kh, kw]                      float32
//   bias:   [K] or undefined
//   out:    [N, K, OH, OW] with
//           OH = floor((H + pad_top + pad_bottom - dilation_h * (kh - 1) - 1) / stride_h) + 1
//           OW likewise.
// Throws ember::Error, naming the shapes, when: x is not 3-D/4-D or weight not 4-D; C or K is not
// divisible by groups; weight.size(1) != C / groups; bias is not [K]; stride, dilation or groups
// < 1; padding < 0; "same" with stride != 1; the dilated kernel is larger than the padded input.
// Backward computes only the needed gradients: dx (GEMM + col2im), dweight (GEMM), dbias (sum).
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv2dOptions& options = Conv2dOptions());

// relu(conv2d(...)): the bias and ReLU applied in the convolution's output pass, and the ReLU's
// backward folded into the convolution's (a Conv2d the fusion pass gave its ReLU uses it, nn/fusion.h).
// Same arguments, checks and results as the two ops in a row.
Tensor conv2d_relu(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
                   const Conv2dOptions& options = Conv2dOptions());

// Fluent options for conv_transpose2d.
struct ConvTranspose2dOptions {
  Int2 stride_ = 1;
  Padding2d padding_ = 0;
  Int2 output_padding_ = 0;
  Int2 dilation_ = 1;
  int64_t groups_ = 1;

  ConvTranspose2dOptions& stride(Int2 s) { stride_ = s; return *this; }
  ConvTranspose2dOptions& padding(int64_t all) { padding_ = Padding2d(all); return *this; }
  ConvTranspose2dOptions& padding(int64_t height, int64_t width) { padding_ = Padding2d(height, width); return *this; }
  ConvTranspose2dOptions& padding(Padding2d p) { padding_ = p; return *this; }
  ConvTranspose2dOptions& output_padding(Int2 p) { output_padding_ = p; return *this; }
  ConvTranspose2dOptions& dilation(Int2 d) { dilation_ = d; return *this; }
  ConvTranspose2dOptions& groups(int64_t g) { groups_ = g; return *this; }
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
