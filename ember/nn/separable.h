#pragma once
// SpatiallySeparableConv2d: a k x k convolution factored into a k x 1 convolution (down the
// rows) followed by a 1 x k one (along the columns), as in Inception-v3's "n x 1 then 1 x n" and
// separable image filters. Both are ordinary Conv2d children, so summary(), state_dict and the
// conv kernels see two plain convolutions:
//   vertical   = Conv2d(in  -> mid, (k, 1), stride (s, 1), padding (p, 0), dilation (d, 1))
//   horizontal = Conv2d(mid -> out, (1, k), stride (1, s), padding (0, p), dilation (1, d))
// The output size is the k x k convolution's with the same stride, padding and dilation.
//
// Parameters: k * in * mid + k * mid * out (+ mid + out biases), against k^2 * in * out (+ out)
// for the full k x k convolution. With mid = out (the default) that is k * out * (in + out): for
// in = out = 64, k = 3, 24,576 weights instead of 36,864 (2/3), and for k = 7, 57,344 instead of
// 200,704 (2/7); the ratio is (in + out) / (k * in) in general, and the multiply-adds fall about
// as much. What it gives up: the pair's effective k x k filter for each (out, in) is a sum of mid
// outer products (a k x 1 column times a 1 x k row), so not every k x k filter bank is reachable.
//   SpatiallySeparableConv2d(SpatiallySeparableConv2dOptions(16, 32, 5).padding(2).mid_channels(24))
#include <memory>
#include <string>

#include "ember/core/options.h"
#include "ember/nn/conv.h"
#include "ember/nn/module.h"

namespace ember::nn {

struct SpatiallySeparableConv2dOptions {
  SpatiallySeparableConv2dOptions(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  EMBER_ARG(int64_t, in_channels, 0);
  EMBER_ARG(int64_t, out_channels, 0);
  EMBER_ARG(int64_t, kernel_size, 0);
  EMBER_ARG(int64_t, mid_channels, 0);  // channels between the two convolutions; 0: out_channels
  EMBER_ARG(int64_t, stride, 1);
  EMBER_ARG(int64_t, padding, 0);
  EMBER_ARG(int64_t, dilation, 1);
  EMBER_ARG(bool, bias, true);  // both convolutions

 public:
  int64_t mid() const { return mid_channels_ > 0 ? mid_channels_ : out_channels_; }
};

class SpatiallySeparableConv2d : public Module {
 public:
  explicit SpatiallySeparableConv2d(const SpatiallySeparableConv2dOptions& options);
  Tensor forward(const Tensor& x) override;  // horizontal(vertical(x))
  std::string extra_repr() const override;   // "16, 32, kernel_size=5, mid_channels=24, padding=2"

  // The parameter counts above, for these options: the factored pair, and a full k x k Conv2d.
  static int64_t parameter_count(const SpatiallySeparableConv2dOptions& options);
  static int64_t full_conv_parameter_count(const SpatiallySeparableConv2dOptions& options);

  std::shared_ptr<Conv2d> vertical, horizontal;

 private:
  SpatiallySeparableConv2dOptions options_;
};

}  // namespace ember::nn
