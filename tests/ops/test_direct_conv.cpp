// The direct convolution kernel (kernels/direct_conv.h) against naive loops in double: forward
// (bias, ReLU), input and weight gradients, 1-D to 3-D, dilation, asymmetric padding, output channels and
// positions that do not fill a register tile, many small images; bitwise the same for 1, 2 and
// 3 threads; which shapes it takes. The ops' suites (test_conv, test_conv1d, test_conv3d) run it through conv2d, conv1d
// and conv3d with gradcheck and goldens.
#include <array>

#include "ember/kernels/direct_conv.h"
#include "support/helpers.h"

using namespace ember;
using ember::kernels::DirectConvShape;
using ember::test::check_bitwise_equal;
using ember::test::check_close;
using ember::test::random_tensor;

namespace {

DirectConvShape make_shape(int64_t batch, int64_t c, int64_t k, std::array<int64_t, 3> in, std::array<int64_t, 3> kernel,
                           std::array<int64_t, 3> dilation, std::array<int64_t, 3> pad_before,
                           std::array<int64_t, 3> pad_after) {
  DirectConvShape s;
  s.batch = batch;
  s.in_channels = c;
  s.out_channels = k;
  s.in_d = in[0];
  s.in_h = in[1];
  s.in_w = in[2];
  s.kernel_d = kernel[0];
  s.kernel_h = kernel[1];
  s.kernel_w = kernel[2];
  s.dilation_d = dilation[0];
  s.dilation_h = dilation[1];
  s.dilation_w = dilation[2];
  s.pad_front = pad_before[0];
  s.pad_top = pad_before[1];
  s.pad_left = pad_before[2];
  s.out_d = in[0] + pad_before[0] + pad_after[0] - (kernel[0] - 1) * dilation[0];
  s.out_h = in[1] + pad_before[1] + pad_after[1] - (kernel[1] - 1) * dilation[1];
  s.out_w = in[2] + pad_before[2] + pad_after[2] - (kernel[2] - 1) * dilation[2];
  return s;
}

// Calls term(y_index, w_index, x_index) for every product of the definition
// y[n][k][o] = sum over c and taps of w[k][c][tap] * x[n][c][o's input for that tap] (0 outside).
template <typename Term>
void for_each_product(const DirectConvShape& s, Term term) {
  int64_t o = 0;
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t k = 0; k < s.out_channels; ++k)
      for (int64_t od = 0; od < s.out_d; ++od)
        for (int64_t oh = 0; oh < s.out_h; ++oh)
          for (int64_t ow = 0; ow < s.out_w; ++ow, ++o)
            for (int64_t c = 0; c < s.in_channels; ++c)
              for (int64_t a = 0; a < s.kernel_d; ++a)
                for (int64_t i = 0; i < s.kernel_h; ++i)
                  for (int64_t j = 0; j < s.kernel_w; ++j) {
                    const int64_t id = od - s.pad_front + a * s.dilation_d, ih = oh - s.pad_top + i * s.dilation_h,
                                  iw = ow - s.pad_left + j * s.dilation_w;
                    if (id < 0 || id >= s.in_d || ih < 0 || ih >= s.in_h || iw < 0 || iw >= s.in_w) continue;
                    term(o, (((k * s.in_channels + c) * s.kernel_d + a) * s.kernel_h + i) * s.kernel_w + j,
                         (((n * s.in_channels + c) * s.in_d + id) * s.in_h + ih) * s.in_w + iw);
                  }
}

int64_t numel(const DirectConvShape& s, bool output) {
  return output ? s.batch * s.out_channels * s.out_d * s.out_h * s.out_w
                : s.batch * s.in_channels * s.in_d * s.in_h * s.in_w;
}

// y = bias + the sum of products, in double.
std::vector<double> naive_forward(const DirectConvShape& s, const float* x, const float* w, const float* bias) {
  std::vector<double> y(static_cast<size_t>(numel(s, true)));
  const int64_t plane = s.out_d * s.out_h * s.out_w;
  for (size_t o = 0; o < y.size(); ++o) y[o] = bias ? bias[o / plane % s.out_channels] : 0.0;
  for_each_product(s, [&](int64_t o, int64_t wi, int64_t xi) { y[o] += double(w[wi]) * x[xi]; });
  return y;
}

// dx: each product's dy times its weight, added where its input came from.
std::vector<double> naive_input_gradient(const DirectConvShape& s, const float* dy, const float* w) {
  std::vector<double> dx(static_cast<size_t>(numel(s, false)), 0.0);
  for_each_product(s, [&](int64_t o, int64_t wi, int64_t xi) { dx[xi] += double(w[wi]) * dy[o]; });
  return dx;
}

// dw: each product's dy times its input, added to its weight.
std::vector<double> naive_weight_gradient(const DirectConvShape& s, const float* x, const float* dy) {
  std::vector<double> dw(static_cast<size_t>(s.out_channels * s.in_channels * s.kernel_d * s.kernel_h * s.kernel_w));
  for_each_product(s, [&](int64_t o, int64_t wi, int64_t xi) { dw[wi] += double(dy[o]) * x[xi]; });
  return dw;
}

Tensor as_tensor(const std::vector<double>& values, const Shape& shape) {
  Tensor t = empty(shape);
  for (size_t i = 0; i < values.size(); ++i) t.data<float>()[i] = static_cast<float>(values[i]);
  return t;
}

struct Case {
  const char* name;
  DirectConvShape shape;
};

const std::vector<Case> kCases = {
    {"1d_k5", make_shape(2, 8, 9, {1, 1, 40}, {1, 1, 5}, {1, 1, 1}, {0, 0, 2}, {0, 0, 2})},
    {"1d_dilated_asym", make_shape(3, 7, 8, {1, 1, 37}, {1, 1, 5}, {1, 1, 2}, {0, 0, 5}, {0, 0, 1})},
    {"2d_3x3", make_shape(2, 4, 9, {1, 16, 16}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1})},
    {"2d_dilated_asym", make_shape(1, 5, 17, {1, 28, 30}, {1, 3, 3}, {1, 2, 1}, {0, 2, 0}, {0, 1, 1})},
    {"2d_no_padding", make_shape(2, 6, 3, {1, 26, 26}, {1, 5, 3}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0})},
    {"3d_3x3x3", make_shape(2, 3, 5, {4, 16, 16}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1})},
    {"3d_dilated_asym", make_shape(1, 4, 6, {3, 18, 17}, {3, 3, 3}, {2, 1, 1}, {1, 0, 2}, {1, 2, 0})},
    // The weight gradient's other tile shapes (taps not a multiple of 9, 5 or 3), and positions
    // split into several chunks of one image.
    {"1d_k7", make_shape(3, 6, 13, {1, 1, 50}, {1, 1, 7}, {1, 1, 1}, {0, 0, 3}, {0, 0, 3})},
    {"2d_2x2", make_shape(2, 9, 10, {1, 20, 21}, {1, 2, 2}, {1, 1, 1}, {0, 1, 0}, {0, 0, 1})},
    {"2d_chunked", make_shape(2, 4, 5, {1, 70, 64}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1})},
    // LeNet-5's layers: one input channel (whose input gradient is not the kernel's); many small
    // images, several to a block of the weight gradient and several blocks to a slice.
    {"lenet_c1", make_shape(3, 1, 6, {1, 28, 28}, {1, 5, 5}, {1, 1, 1}, {0, 2, 2}, {0, 2, 2})},
    {"lenet_c2", make_shape(37, 6, 16, {1, 14, 14}, {1, 5, 5}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0})},
    // Output channels on lanes in one, two and four vectors (forward and weight gradient), and an
    // input gradient with them.
    {"channels_30", make_shape(3, 1, 30, {1, 28, 28}, {1, 5, 5}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0})},
    {"channels_24", make_shape(2, 12, 24, {1, 11, 13}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1})},
    {"channels_70", make_shape(2, 9, 70, {1, 9, 9}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1})},
};

}  // namespace

TEST_CASE("direct conv takes these shapes, and not those") {
  for (const Case& c : kCases) {
    INFO(std::string(c.name));
    const bool outputs_fit = c.shape.out_channels >= 4 && c.shape.out_channels <= 32;
    CHECK(kernels::direct_conv_fits(c.shape) == outputs_fit);
    const bool inputs_fit = c.shape.in_channels >= 4 && c.shape.in_channels <= 32;
    CHECK(kernels::direct_conv_input_fits(c.shape) == (outputs_fit && inputs_fit));
  }
  // Too little work per output (1 channel x 9 taps), padding beyond the kernel's reach, a pitch
  // mostly padding (2 outputs a row between 4 padding columns), more than 32 output channels
  // (AlexNet-CIFAR's layers).
  CHECK_FALSE(kernels::direct_conv_fits(make_shape(2, 1, 6, {1, 28, 28}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1})));
  CHECK_FALSE(kernels::direct_conv_fits(make_shape(2, 8, 8, {1, 1, 40}, {1, 1, 3}, {1, 1, 1}, {0, 0, 3}, {0, 0, 0})));
  CHECK_FALSE(kernels::direct_conv_fits(make_shape(2, 8, 8, {1, 6, 6}, {1, 5, 5}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0})));
  CHECK_FALSE(kernels::direct_conv_fits(make_shape(2, 64, 64, {1, 15, 15}, {1, 5, 5}, {1, 1, 1}, {0, 2, 2}, {0, 2, 2})));
}

TEST_CASE("direct conv matches naive loops: forward with bias and ReLU, both gradients") {
  for (const Case& c : kCases) {
    INFO(std::string(c.name));
    const DirectConvShape& s = c.shape;
    const Shape x_shape{s.batch, s.in_channels, s.in_d, s.in_h, s.in_w};
    const Shape y_shape{s.batch, s.out_channels, s.out_d, s.out_h, s.out_w};
    const Tensor x = random_tensor(x_shape, 1), w = random_tensor({s.out_channels, s.in_channels, s.kernel_d,
                                                                    s.kernel_h, s.kernel_w}, 2);
    const Tensor b = random_tensor({s.out_channels}, 3), dy = random_tensor(y_shape, 4);
    const Tensor expected = as_tensor(naive_forward(s, x.data<float>(), w.data<float>(), b.data<float>()), y_shape);
    const Shape w_shape{s.out_channels, s.in_channels, s.kernel_d, s.kernel_h, s.kernel_w};
    Tensor y = empty(y_shape), y_relu = empty(y_shape), dx = empty(x_shape), dw = empty(w_shape);
    kernels::direct_conv_forward(s, x.data<float>(), w.data<float>(), b.data<float>(), false, y.data<float>());
    kernels::direct_conv_forward(s, x.data<float>(), w.data<float>(), b.data<float>(), true, y_relu.data<float>());
    kernels::direct_conv_backward_input(s, dy.data<float>(), w.data<float>(), dx.data<float>());
    kernels::direct_conv_backward_weight(s, x.data<float>(), dy.data<float>(), dw.data<float>());
    check_close(y, expected, 1e-4, 1e-4);
    check_close(y_relu, relu(expected), 1e-4, 1e-4);
    check_close(dx, as_tensor(naive_input_gradient(s, dy.data<float>(), w.data<float>()), x_shape), 1e-4, 1e-4);
    check_close(dw, as_tensor(naive_weight_gradient(s, x.data<float>(), dy.data<float>()), w_shape), 1e-3, 1e-4);
  }
}

TEST_CASE("direct conv is bitwise identical for 1, 2 and 3 threads") {
  for (const Case& c : kCases) {
    INFO(std::string(c.name));
    const DirectConvShape& s = c.shape;
    const Shape x_shape{s.batch, s.in_channels, s.in_d, s.in_h, s.in_w};
    const Shape y_shape{s.batch, s.out_channels, s.out_d, s.out_h, s.out_w};
    const Tensor x = random_tensor(x_shape, 5), dy = random_tensor(y_shape, 6);
    const Tensor w = random_tensor({s.out_channels, s.in_channels, s.kernel_d, s.kernel_h, s.kernel_w}, 7);
    auto run = [&] {
      Tensor y = empty(y_shape), dx = empty(x_shape), dw = empty(w.shape());
      kernels::direct_conv_forward(s, x.data<float>(), w.data<float>(), nullptr, false, y.data<float>());
      kernels::direct_conv_backward_input(s, dy.data<float>(), w.data<float>(), dx.data<float>());
      kernels::direct_conv_backward_weight(s, x.data<float>(), dy.data<float>(), dw.data<float>());
      return std::vector<Tensor>{y, dx, dw};
    };
    std::vector<Tensor> one, two, three;
    ember::test::with_threads(1, [&] { one = run(); });
    ember::test::with_threads(2, [&] { two = run(); });
    ember::test::with_threads(3, [&] { three = run(); });
    for (size_t i = 0; i < one.size(); ++i) {
      check_bitwise_equal(one[i], two[i]);
      check_bitwise_equal(one[i], three[i]);
    }
  }
}
