// The Winograd F(4x4, 3x3) and F(4, 5) kernels (kernels/winograd.h) against naive loops in double: forward,
// input and weight gradients, dilated sub-grids, tiles clipped at the edges, one chunk of images
// (parallel GEMMs) and many (parallel chunks, several weight-gradient slots); the measured error;
// bitwise the same for 1, 2 and 3 threads; which shapes conv2d sends here. test_conv and
// test_conv1d run the paths through conv2d and conv1d with gradcheck and PyTorch goldens.
#include <cmath>

#include "ember/kernels/conv_kernels.h"
#include "ember/kernels/winograd.h"
#include "support/helpers.h"

using namespace ember;
using ember::kernels::Winograd3x3Shape;
using ember::kernels::WinogradRowShape;
using ember::test::check_bitwise_equal;
using ember::test::random_tensor;

namespace {

Winograd3x3Shape make_shape(int64_t batch, int64_t c, int64_t k, int64_t h, int64_t w, int64_t pad, int64_t dilation,
                            int64_t pad_after) {
  Winograd3x3Shape s;
  s.batch = batch;
  s.in_channels = c;
  s.out_channels = k;
  s.in_h = h;
  s.in_w = w;
  s.pad_top = s.pad_left = pad;
  s.dilation = dilation;
  s.out_h = h + pad + pad_after - 2 * dilation;
  s.out_w = w + pad + pad_after - 2 * dilation;
  return s;
}

// Calls term(y_index, w_index, x_index) for every product of the convolution's definition.
template <typename Term>
void for_each_product(const Winograd3x3Shape& s, Term term) {
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t k = 0; k < s.out_channels; ++k)
      for (int64_t oh = 0; oh < s.out_h; ++oh)
        for (int64_t ow = 0; ow < s.out_w; ++ow)
          for (int64_t c = 0; c < s.in_channels; ++c)
            for (int64_t i = 0; i < 3; ++i)
              for (int64_t j = 0; j < 3; ++j) {
                const int64_t ih = oh - s.pad_top + i * s.dilation, iw = ow - s.pad_left + j * s.dilation;
                if (ih < 0 || ih >= s.in_h || iw < 0 || iw >= s.in_w) continue;
                term(((n * s.out_channels + k) * s.out_h + oh) * s.out_w + ow, (k * s.in_channels + c) * 9 + i * 3 + j,
                     ((n * s.in_channels + c) * s.in_h + ih) * s.in_w + iw);
              }
}

struct Pass {
  const char* name;
  Tensor actual;
  std::vector<double> expected;
};

// The three passes of `s` on random data, with their double-precision references.
std::vector<Pass> run_passes(const Winograd3x3Shape& s) {
  const Shape x_shape{s.batch, s.in_channels, s.in_h, s.in_w}, y_shape{s.batch, s.out_channels, s.out_h, s.out_w};
  const Shape w_shape{s.out_channels, s.in_channels, 3, 3};
  const Tensor x = random_tensor(x_shape, 1), w = random_tensor(w_shape, 2), dy = random_tensor(y_shape, 3);
  Tensor y = empty(y_shape), dx = empty(x_shape), dw = empty(w_shape);
  kernels::winograd_forward(s, x.data<float>(), w.data<float>(), y.data<float>());
  kernels::winograd_backward_input(s, dy.data<float>(), w.data<float>(), dx.data<float>());
  kernels::winograd_backward_weight(s, x.data<float>(), dy.data<float>(), dw.data<float>());
  std::vector<double> ry(static_cast<size_t>(y.numel())), rdx(static_cast<size_t>(dx.numel())),
      rdw(static_cast<size_t>(dw.numel()));
  const float *xp = x.data<float>(), *wp = w.data<float>(), *dyp = dy.data<float>();
  for_each_product(s, [&](int64_t o, int64_t wi, int64_t xi) {
    ry[o] += double(wp[wi]) * xp[xi];
    rdx[xi] += double(wp[wi]) * dyp[o];
    rdw[wi] += double(dyp[o]) * xp[xi];
  });
  return {{"forward", y, ry}, {"input gradient", dx, rdx}, {"weight gradient", dw, rdw}};
}

// max |actual - expected| / max |expected|: the error on the scale of the result.
double scaled_error(const Tensor& actual, const std::vector<double>& expected) {
  double worst = 0.0, scale = 0.0;
  for (size_t i = 0; i < expected.size(); ++i) {
    worst = std::max(worst, std::abs(double(actual.data<float>()[i]) - expected[i]));
    scale = std::max(scale, std::abs(expected[i]));
  }
  return worst / std::max(scale, 1e-30);
}

// Each case's three passes against their double-precision references, within winograd.h's
// documented error (each pass's measured error is printed).
template <typename Case, typename Run>
void check_references(const std::vector<Case>& cases, Run run) {
  for (const Case& c : cases) {
    INFO(std::string(c.name));
    for (const Pass& pass : run(c.shape)) {
      INFO(pass.name);
      const double error = scaled_error(pass.actual, pass.expected);
      MESSAGE(std::string(c.name) << " " << std::string(pass.name) << ": max error " << error << " of the largest value");
      CHECK(error < 2e-5);
    }
  }
}

// Each case's three passes, bitwise the same for 1, 2 and 3 threads.
template <typename Case, typename Run>
void check_thread_counts(const std::vector<Case>& cases, Run run) {
  for (const Case& c : cases) {
    INFO(std::string(c.name));
    std::vector<Tensor> results[3];
    for (int threads = 1; threads <= 3; ++threads) {
      ember::test::with_threads(threads, [&] {
        for (const Pass& pass : run(c.shape)) results[threads - 1].push_back(pass.actual);
      });
    }
    for (int t = 1; t < 3; ++t) {
      for (size_t i = 0; i < results[0].size(); ++i) check_bitwise_equal(results[0][i], results[t][i]);
    }
  }
}

struct Case {
  const char* name;
  Winograd3x3Shape shape;
};

const std::vector<Case> kCases = {
    {"one_tile_row_clipped", make_shape(1, 16, 17, 6, 7, 1, 1, 1)},
    {"odd_channels_nonsquare", make_shape(3, 16, 17, 9, 7, 1, 1, 1)},
    {"asymmetric_padding", make_shape(2, 16, 16, 10, 9, 0, 1, 2)},
    {"padding_past_the_kernel", make_shape(2, 16, 16, 7, 5, 3, 1, 3)},  // the input gradient's is -1
    {"many_chunks", make_shape(40, 16, 18, 12, 12, 1, 1, 1)},
    {"dilated2", make_shape(3, 16, 16, 14, 10, 2, 2, 2)},
    {"dilated2_wide", make_shape(1, 16, 16, 40, 46, 2, 2, 2)},
    {"dilated3", make_shape(2, 17, 16, 15, 12, 3, 3, 3)},
    {"cifar_like", make_shape(2, 64, 64, 32, 32, 1, 1, 1)},
};

}  // namespace

TEST_CASE("winograd matches naive loops in all three passes, within its documented error") {
  for (const Case& c : kCases) {
    INFO(std::string(c.name));
    CHECK(kernels::winograd_fits(c.shape));
  }
  check_references(kCases, run_passes);
}

TEST_CASE("winograd is bitwise identical for 1, 2 and 3 threads") {
  check_thread_counts(kCases, run_passes);
}

TEST_CASE("conv2d takes the winograd path for 3x3 stride-1 shapes with enough channels and whole tiles") {
  auto path = [](int64_t c, int64_t k, int64_t hw, int64_t pad, int64_t dilation, int64_t stride = 1,
                 int64_t groups = 1) {
    kernels::ConvShape s;
    s.batch = 2;
    s.in_channels = c;
    s.out_channels = k;
    s.groups = groups;
    s.in_h = s.in_w = hw;
    s.kernel_h = s.kernel_w = 3;
    s.stride_h = s.stride_w = stride;
    s.pad_top = s.pad_bottom = s.pad_left = s.pad_right = pad;
    s.dilation_h = s.dilation_w = dilation;
    s.out_h = s.out_w = (hw + 2 * pad - 2 * dilation - 1) / stride + 1;
    return kernels::plan_conv(s).path;
  };
  CHECK(path(64, 64, 32, 1, 1) == kernels::ConvPath::winograd);
  CHECK(path(16, 16, 8, 2, 2) == kernels::ConvPath::winograd);
  CHECK(path(64, 64, 32, 2, 2) == kernels::ConvPath::winograd);
  CHECK(path(8, 64, 32, 1, 1) != kernels::ConvPath::winograd);      // too few input channels
  CHECK(path(64, 64, 32, 1, 1, 2) != kernels::ConvPath::winograd);  // stride 2
  CHECK(path(64, 64, 32, 1, 1, 1, 2) != kernels::ConvPath::winograd);  // groups
  CHECK(path(64, 64, 3, 1, 1) != kernels::ConvPath::winograd);      // a plane smaller than one tile
  CHECK(path(64, 64, 9, 2, 2) != kernels::ConvPath::winograd);      // sub-grids do not split evenly
}

namespace {

struct RowCase {
  const char* name;
  WinogradRowShape shape;
};

WinogradRowShape row_shape(int64_t batch, int64_t c, int64_t k, int64_t w, int64_t pad, int64_t pad_after) {
  WinogradRowShape s;
  s.batch = batch;
  s.in_channels = c;
  s.out_channels = k;
  s.in_w = w;
  s.pad_left = pad;
  s.out_w = w + pad + pad_after - 4;
  return s;
}

const std::vector<RowCase> kRowCases = {
    {"two_tiles", row_shape(1, 16, 16, 8, 2, 2)},
    {"clipped_odd_channels", row_shape(3, 17, 19, 45, 2, 2)},
    {"padding_past_the_kernel", row_shape(2, 16, 16, 20, 6, 1)},
    {"conv1d_like", row_shape(4, 64, 64, 256, 2, 2)},
};

// The three passes of a row shape and their double-precision references.
std::vector<Pass> run_row_passes(const WinogradRowShape& s) {
  const Tensor x = random_tensor({s.batch, s.in_channels, s.in_w}, 11);
  const Tensor w = random_tensor({s.out_channels, s.in_channels, 5}, 12);
  const Tensor dy = random_tensor({s.batch, s.out_channels, s.out_w}, 13);
  Tensor y = empty(dy.shape()), dx = empty(x.shape()), dw = empty(w.shape());
  kernels::winograd_row_forward(s, x.data<float>(), w.data<float>(), y.data<float>());
  kernels::winograd_row_backward_input(s, dy.data<float>(), w.data<float>(), dx.data<float>());
  kernels::winograd_row_backward_weight(s, x.data<float>(), dy.data<float>(), dw.data<float>());
  std::vector<double> ry(static_cast<size_t>(y.numel())), rdx(static_cast<size_t>(dx.numel())),
      rdw(static_cast<size_t>(dw.numel()));
  const float *xp = x.data<float>(), *wp = w.data<float>(), *dyp = dy.data<float>();
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t k = 0; k < s.out_channels; ++k)
      for (int64_t o = 0; o < s.out_w; ++o)
        for (int64_t c = 0; c < s.in_channels; ++c)
          for (int64_t j = 0; j < 5; ++j) {
            const int64_t i = o - s.pad_left + j;
            if (i < 0 || i >= s.in_w) continue;
            const int64_t yi = (n * s.out_channels + k) * s.out_w + o, wi = (k * s.in_channels + c) * 5 + j;
            const int64_t xi = (n * s.in_channels + c) * s.in_w + i;
            ry[yi] += double(wp[wi]) * xp[xi];
            rdx[xi] += double(wp[wi]) * dyp[yi];
            rdw[wi] += double(dyp[yi]) * xp[xi];
          }
  return {{"forward", y, ry}, {"input gradient", dx, rdx}, {"weight gradient", dw, rdw}};
}

}  // namespace

TEST_CASE("winograd rows match naive loops in all three passes, within the documented error") {
  check_references(kRowCases, run_row_passes);
}

TEST_CASE("winograd rows are bitwise identical for 1, 2 and 3 threads") {
  check_thread_counts(kRowCases, run_row_passes);
}

TEST_CASE("conv1d takes the winograd row path for 5 taps, stride 1 and enough channels") {
  auto path = [](int64_t c, int64_t k, int64_t length, int64_t kernel, int64_t stride = 1, int64_t dilation = 1) {
    kernels::ConvShape s;
    s.batch = 2;
    s.in_channels = c;
    s.out_channels = k;
    s.in_h = s.out_h = 1;
    s.in_w = length;
    s.kernel_w = kernel;
    s.stride_w = stride;
    s.dilation_w = dilation;
    s.pad_left = s.pad_right = 2;
    s.out_w = (length + 4 - dilation * (kernel - 1) - 1) / stride + 1;
    return kernels::plan_conv(s).path;
  };
  CHECK(path(64, 64, 1024, 5) == kernels::ConvPath::winograd_row);
  CHECK(path(8, 64, 1024, 5) != kernels::ConvPath::winograd_row);     // too few input channels
  CHECK(path(64, 64, 1024, 3) != kernels::ConvPath::winograd_row);    // 3 taps
  CHECK(path(64, 64, 1024, 5, 2) != kernels::ConvPath::winograd_row);  // stride 2
  CHECK(path(64, 64, 1024, 5, 1, 2) != kernels::ConvPath::winograd_row);  // dilated
  CHECK(path(64, 64, 3, 5) != kernels::ConvPath::winograd_row);       // fewer than two tiles
}

namespace {

struct Case3d {
  const char* name;
  ember::kernels::Winograd3dShape shape;
};

ember::kernels::Winograd3dShape shape_3d(int64_t batch, int64_t c, int64_t k, int64_t d, int64_t h, int64_t w,
                                         int64_t kernel_d, int64_t pad_front, int64_t pad) {
  ember::kernels::Winograd3dShape s;
  s.batch = batch;
  s.in_channels = c;
  s.out_channels = k;
  s.in_d = d;
  s.in_h = h;
  s.in_w = w;
  s.kernel_d = kernel_d;
  s.pad_front = pad_front;
  s.pad_top = s.pad_left = pad;
  s.out_d = d + 2 * pad_front - kernel_d + 1;
  s.out_h = h + 2 * pad - 2;
  s.out_w = w + 2 * pad - 2;
  return s;
}

const std::vector<Case3d> kCases3d = {
    {"one_image_clipped", shape_3d(1, 16, 17, 3, 9, 7, 3, 1, 1)},
    {"kernel_depth_2_no_padding", shape_3d(2, 17, 16, 4, 8, 10, 2, 0, 0)},
    {"depth_padding_past_the_kernel", shape_3d(3, 16, 16, 3, 6, 6, 3, 3, 1)},  // output slices of padding only
    {"conv3d_like", shape_3d(2, 16, 32, 6, 16, 16, 3, 1, 1)},
};

std::vector<Pass> run_3d_passes(const ember::kernels::Winograd3dShape& s) {
  const Shape x_shape{s.batch, s.in_channels, s.in_d, s.in_h, s.in_w};
  const Shape y_shape{s.batch, s.out_channels, s.out_d, s.out_h, s.out_w};
  const Shape w_shape{s.out_channels, s.in_channels, s.kernel_d, 3, 3};
  const Tensor x = random_tensor(x_shape, 21), w = random_tensor(w_shape, 22), dy = random_tensor(y_shape, 23);
  Tensor y = empty(y_shape), dx = empty(x_shape), dw = empty(w_shape);
  kernels::winograd3d_forward(s, x.data<float>(), w.data<float>(), y.data<float>());
  kernels::winograd3d_backward_input(s, dy.data<float>(), w.data<float>(), dx.data<float>());
  kernels::winograd3d_backward_weight(s, x.data<float>(), dy.data<float>(), dw.data<float>());
  std::vector<double> ry(static_cast<size_t>(y.numel())), rdx(static_cast<size_t>(dx.numel())),
      rdw(static_cast<size_t>(dw.numel()));
  const float *xp = x.data<float>(), *wp = w.data<float>(), *dyp = dy.data<float>();
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t k = 0; k < s.out_channels; ++k)
      for (int64_t od = 0; od < s.out_d; ++od)
        for (int64_t oh = 0; oh < s.out_h; ++oh)
          for (int64_t ow = 0; ow < s.out_w; ++ow)
            for (int64_t c = 0; c < s.in_channels; ++c)
              for (int64_t a = 0; a < s.kernel_d; ++a)
                for (int64_t i = 0; i < 3; ++i)
                  for (int64_t j = 0; j < 3; ++j) {
                    const int64_t id = od - s.pad_front + a, ih = oh - s.pad_top + i, iw = ow - s.pad_left + j;
                    if (id < 0 || id >= s.in_d || ih < 0 || ih >= s.in_h || iw < 0 || iw >= s.in_w) continue;
                    const int64_t yi = (((n * s.out_channels + k) * s.out_d + od) * s.out_h + oh) * s.out_w + ow;
                    const int64_t wi = ((k * s.in_channels + c) * s.kernel_d + a) * 9 + i * 3 + j;
                    const int64_t xi = (((n * s.in_channels + c) * s.in_d + id) * s.in_h + ih) * s.in_w + iw;
                    ry[yi] += double(wp[wi]) * xp[xi];
                    rdx[xi] += double(wp[wi]) * dyp[yi];
                    rdw[wi] += double(dyp[yi]) * xp[xi];
                  }
  return {{"forward", y, ry}, {"input gradient", dx, rdx}, {"weight gradient", dw, rdw}};
}

}  // namespace

TEST_CASE("winograd 3-D matches naive loops in all three passes, within the documented error") {
  check_references(kCases3d, run_3d_passes);
}

TEST_CASE("winograd 3-D is bitwise identical for 1, 2 and 3 threads") {
  check_thread_counts(kCases3d, run_3d_passes);
}
