// Pooling: against naive loops, gradcheck, PyTorch golden data, bad input, thread determinism.
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <tuple>
#include <string>
#include <vector>

#include <ember/kernels/pool_kernels.h>

#include "support/golden.h"
#include "support/helpers.h"

using namespace ember;
using ember::test::check_bitwise_equal;
using ember::test::check_close;
using ember::test::check_error;
using ember::test::check_gradcheck;
using ember::test::Golden;
using ember::test::random_tensor;
using ember::test::with_threads;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr float kInff = std::numeric_limits<float>::infinity();

// One windowed-pooling configuration (avg ignores dilation).
struct Window {
  Shape shape;
  Int2 kernel, stride;
  Padding2d padding = 0;
  Int2 dilation = 1;
  bool ceil = false;
  bool count_include_pad = true;
};

std::string describe(const Window& w) {
  return fmt::format("input {} kernel {} stride {} padding {} dilation {} ceil {} count_include_pad {}",
                     shape_str(w.shape), to_string(w.kernel), to_string(w.stride), to_string(w.padding),
                     to_string(w.dilation), w.ceil, w.count_include_pad);
}

MaxPool2dOptions max_options(const Window& w) {
  return MaxPool2dOptions(w.kernel).stride(w.stride).padding(w.padding).dilation(w.dilation).ceil_mode(w.ceil);
}

AvgPool2dOptions avg_options(const Window& w) {
  return AvgPool2dOptions(w.kernel).stride(w.stride).padding(w.padding).ceil_mode(w.ceil).count_include_pad(
      w.count_include_pad);
}

// PyTorch's output-size formula, written out here independently of window_output_size.
int64_t naive_out(int64_t in, int64_t k, int64_t s, int64_t pad_before, int64_t pad_after, int64_t d, bool ceil) {
  const int64_t num = in + pad_before + pad_after - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
  int64_t out = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;  // floor division
  if (ceil && (out - 1) * s >= in + pad_before) --out;
  return out;
}

Shape with_plane(Shape shape, int64_t h, int64_t w) {
  shape[shape.size() - 2] = h;
  shape[shape.size() - 1] = w;
  return shape;
}

Tensor to_tensor(const std::vector<double>& v, const Shape& shape) {
  return from_vector(std::vector<float>(v.begin(), v.end()), shape);
}

// Naive max pooling: every window position is tested against the input bounds. The first
// element taken is the first in-range one; afterwards a strictly greater value or a NaN replaces it.
struct NaiveMax {
  Tensor values, indices;
};

NaiveMax naive_max_pool(const Tensor& x, const Window& w) {
  const auto v = x.to_vector<double>();
  const int64_t H = x.size(-2), W = x.size(-1), planes = x.numel() / (H * W);
  const int64_t OH = naive_out(H, w.kernel.h, w.stride.h, w.padding.top, w.padding.bottom, w.dilation.h, w.ceil);
  const int64_t OW = naive_out(W, w.kernel.w, w.stride.w, w.padding.left, w.padding.right, w.dilation.w, w.ceil);
  std::vector<double> out;
  std::vector<int64_t> idx;
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t oh = 0; oh < OH; ++oh) {
      for (int64_t ow = 0; ow < OW; ++ow) {
        double best = -kInf;
        int64_t at = -1;
        for (int64_t kh = 0; kh < w.kernel.h; ++kh) {
          for (int64_t kw = 0; kw < w.kernel.w; ++kw) {
            const int64_t ih = oh * w.stride.h - w.padding.top + kh * w.dilation.h;
            const int64_t iw = ow * w.stride.w - w.padding.left + kw * w.dilation.w;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            const double val = v[p * H * W + ih * W + iw];
            if (at < 0 || val > best || std::isnan(val)) {
              best = val;
              at = ih * W + iw;
            }
          }
        }
        out.push_back(best);
        idx.push_back(at);
      }
    }
  }
  const Shape shape = with_plane(x.shape(), OH, OW);
  return {to_tensor(out, shape), from_vector(idx, shape)};
}

// grad_in[argmax] += grad_out, in double.
Tensor naive_scatter(const Tensor& grad_out, const Tensor& indices, const Shape& in_shape) {
  const auto g = grad_out.to_vector<double>();
  const auto idx = indices.to_vector<int64_t>();
  const int64_t in_plane = in_shape[in_shape.size() - 2] * in_shape.back();
  const int64_t out_plane = grad_out.size(-2) * grad_out.size(-1);
  std::vector<double> gi(static_cast<size_t>(numel_of(in_shape)), 0.0);
  for (size_t j = 0; j < g.size(); ++j) gi[static_cast<int64_t>(j) / out_plane * in_plane + idx[j]] += g[j];
  return to_tensor(gi, in_shape);
}

// Naive average pooling and its gradient: the divisor counts window positions inside the padded
// input (count_include_pad) or inside the input.
std::pair<Tensor, Tensor> naive_avg_pool(const Tensor& x, const Window& w, const Tensor& grad_out) {
  const auto v = x.to_vector<double>();
  const int64_t H = x.size(-2), W = x.size(-1), planes = x.numel() / (H * W);
  const int64_t OH = naive_out(H, w.kernel.h, w.stride.h, w.padding.top, w.padding.bottom, 1, w.ceil);
  const int64_t OW = naive_out(W, w.kernel.w, w.stride.w, w.padding.left, w.padding.right, 1, w.ceil);
  const auto g = grad_out.defined() ? grad_out.to_vector<double>() : std::vector<double>();
  std::vector<double> out, gi(v.size(), 0.0);
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t oh = 0; oh < OH; ++oh) {
      for (int64_t ow = 0; ow < OW; ++ow) {
        double sum = 0;
        int64_t inside = 0, padded = 0;
        std::vector<int64_t> members;
        for (int64_t kh = 0; kh < w.kernel.h; ++kh) {
          for (int64_t kw = 0; kw < w.kernel.w; ++kw) {
            const int64_t ih = oh * w.stride.h - w.padding.top + kh, iw = ow * w.stride.w - w.padding.left + kw;
            if (ih >= -w.padding.top && ih < H + w.padding.bottom && iw >= -w.padding.left && iw < W + w.padding.right) {
              ++padded;
            }
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            ++inside;
            sum += v[p * H * W + ih * W + iw];
            members.push_back(p * H * W + ih * W + iw);
          }
        }
        const double divisor = static_cast<double>(w.count_include_pad ? padded : inside);
        out.push_back(sum / divisor);
        if (!g.empty()) {
          for (int64_t m : members) gi[m] += g[out.size() - 1] / divisor;
        }
      }
    }
  }
  return {to_tensor(out, with_plane(x.shape(), OH, OW)), to_tensor(gi, x.shape())};
}

// PyTorch's adaptive bins from their definition: [floor(i * in / out), ceil((i + 1) * in / out)).
int64_t bin_start(int64_t i, int64_t in, int64_t out) {
  return static_cast<int64_t>(std::floor(static_cast<double>(i * in) / static_cast<double>(out)));
}
int64_t bin_end(int64_t i, int64_t in, int64_t out) {
  return static_cast<int64_t>(std::ceil(static_cast<double>((i + 1) * in) / static_cast<double>(out)));
}

// Naive adaptive pooling: values, argmax indices (max only) and the gradient for grad_out.
struct NaiveAdaptive {
  Tensor values, indices, grad;
};

NaiveAdaptive naive_adaptive(const Tensor& x, Int2 out, bool max, const Tensor& grad_out) {
  const auto v = x.to_vector<double>();
  const auto g = grad_out.to_vector<double>();
  const int64_t H = x.size(-2), W = x.size(-1), planes = x.numel() / (H * W);
  std::vector<double> values, gi(v.size(), 0.0);
  std::vector<int64_t> idx;
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t oh = 0; oh < out.h; ++oh) {
      for (int64_t ow = 0; ow < out.w; ++ow) {
        const size_t j = values.size();
        const int64_t h0 = bin_start(oh, H, out.h), h1 = bin_end(oh, H, out.h);
        const int64_t w0 = bin_start(ow, W, out.w), w1 = bin_end(ow, W, out.w);
        double acc = max ? -kInf : 0.0;
        int64_t at = -1;
        for (int64_t ih = h0; ih < h1; ++ih) {
          for (int64_t iw = w0; iw < w1; ++iw) {
            const double val = v[p * H * W + ih * W + iw];
            if (!max) {
              acc += val;
            } else if (at < 0 || val > acc || std::isnan(val)) {
              acc = val;
              at = ih * W + iw;
            }
          }
        }
        const double count = static_cast<double>((h1 - h0) * (w1 - w0));
        values.push_back(max ? acc : acc / count);
        idx.push_back(at);
        if (max) {
          gi[p * H * W + at] += g[j];
        } else {
          for (int64_t ih = h0; ih < h1; ++ih) {
            for (int64_t iw = w0; iw < w1; ++iw) gi[p * H * W + ih * W + iw] += g[j] / count;
          }
        }
      }
    }
  }
  const Shape shape = with_plane(x.shape(), out.h, out.w);
  return {to_tensor(values, shape), from_vector(idx, shape), to_tensor(gi, x.shape())};
}

// Distinct values, far enough apart (>= 2 / numel) that finite differences never reorder a window:
// a multiplicative permutation of 0..n-1 scaled into [-1, 1).
Tensor distinct_leaf(const Shape& shape) {
  const int64_t n = numel_of(shape);
  int64_t a = 101;
  while (std::gcd(a, n) != 1) a += 2;
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = -1.0f + 2.0f * static_cast<float>((i * a) % n) / static_cast<float>(n);
  Tensor t = from_vector(v, shape);
  t.requires_grad_();
  return t;
}

// The windowed configurations shared by the reference tests: odd sizes, non-square kernels,
// per-dim and per-side padding, strides 1, 2 and 3 (the kernel's specialized and generic paths),
// dilation, ceil mode, overlapping windows, unbatched input.
std::vector<Window> windows() {
  return {
      {{2, 3, 8, 8}, 2, 2},
      {{2, 3, 7, 9}, 3, 2},
      {{1, 4, 9, 11}, 3, 2, 1},
      {{2, 2, 7, 8}, {2, 3}, {1, 2}, {1, 0}},
      {{1, 3, 10, 7}, {4, 2}, {3, 1}, {2, 1}},
      {{1, 2, 11, 13}, {3, 5}, {3, 3}, {1, 2}},
      {{1, 2, 9, 8}, 3, 1, 1, 2},
      {{2, 2, 10, 9}, {2, 3}, {2, 1}, 1, {3, 2}},
      {{1, 2, 12, 10}, {3, 4}, {2, 3}, {1, 0, 2, 1}},  // different padding on each side
      {{1, 2, 7, 7}, 2, 2, 0, 1, true},
      {{2, 2, 8, 6}, 3, 2, 1, 1, true},
      {{1, 3, 10, 11}, 4, 3, 2, 1, true},
      {{1, 2, 9, 10}, {3, 2}, {2, 3}, 1, 2, true},
      {{1, 1, 2, 2}, 3, 2, 0, 1, true},  // a single window longer than the input
      {{3, 6, 5}, {3, 2}, 2, {1, 0}},    // unbatched
      {{2, 1, 5, 4}, {5, 4}, 1},         // global
      {{1, 2, 6, 7}, 1, 1},              // 1x1: the identity
      {{1, 2, 9, 37}, 3, 2, 1},          // wide rows: vector blocks in the stride-2 kernel
      {{1, 1, 6, 34}, {2, 3}, 2, {0, 1}},
      {{2, 1, 5, 16}, 2, 2},
      {{1, 1, 5, 47}, {2, 4}, {1, 2}, {0, 2}, {1, 3}},
      {{1, 1, 19, 18}, 16, {1, 2}},      // 256 taps: too many for the compact argmax
  };
}

// Golden helpers: a case's input as a fresh leaf, and an integer scalar argument.
Tensor golden_leaf(const Golden& g, const std::string& name) {
  Tensor t = g[name].detach();
  t.requires_grad_();
  return t;
}

int64_t arg(const Golden& g, const std::string& c, const std::string& name) {
  return static_cast<int64_t>(g.scalar(c + "." + name));
}

// Checks a golden case: output, indices (exactly, if given) and the input gradient.
void check_golden(const Golden& g, const std::string& c, const Tensor& x, const Tensor& out,
                  const Tensor& indices = Tensor()) {
  check_close(out, g[c + ".out"]);
  if (indices.defined()) check_bitwise_equal(indices, g[c + ".indices"]);
  out.backward(g[c + ".grad_out"]);
  REQUIRE(x.grad().defined());
  check_close(x.grad(), g[c + ".grad_x"]);
}

}  // namespace

TEST_CASE("pool options are fluent and stride defaults to the kernel") {
  const auto m = MaxPool2dOptions({3, 2}).padding(1).dilation(2).ceil_mode(true);
  CHECK(m.kernel_size() == Int2(3, 2));
  CHECK(m.stride() == Int2(3, 2));
  CHECK(m.padding() == Padding2d(1));
  CHECK(m.dilation() == Int2(2));
  CHECK(m.ceil_mode());
  const auto a = AvgPool2dOptions(2).stride(1).count_include_pad(false);
  CHECK(a.stride() == Int2(1));
  CHECK_FALSE(a.count_include_pad());
  CHECK_FALSE(a.ceil_mode());
}

TEST_CASE("max_pool2d matches naive loops: values, indices and gradient") {
  for (const Window& w : windows()) {
    INFO(describe(w));
    const Tensor x = random_tensor(w.shape, 1);
    const NaiveMax ref = naive_max_pool(x, w);
    auto [values, indices] = max_pool2d_with_indices(x, max_options(w));
    check_close(values, ref.values, 0, 0);  // a max is exact
    check_bitwise_equal(indices, ref.indices);
    check_bitwise_equal(max_pool2d(x, max_options(w)), values);

    // Backward from the compact argmax (max_pool2d) and from the indices (..._with_indices).
    Tensor leaf = x.clone().requires_grad_();
    const Tensor out = max_pool2d(leaf, max_options(w));
    const Tensor grad_out = random_tensor(out.shape(), 2);
    out.backward(grad_out);
    check_close(leaf.grad(), naive_scatter(grad_out, ref.indices, x.shape()));
    Tensor leaf2 = x.clone().requires_grad_();
    max_pool2d_with_indices(leaf2, max_options(w)).first.backward(grad_out);
    check_bitwise_equal(leaf2.grad(), leaf.grad());
  }
}

TEST_CASE("max_pool2d fast kernel equals the naive kernel bitwise") {
  for (const Window& w : windows()) {
    INFO(describe(w));
    // Random values with some NaN, +inf and -inf mixed in.
    std::vector<float> v = random_tensor(w.shape, 3).to_vector();
    for (size_t i = 0; i < v.size(); i += 7) v[i] = i % 3 == 0 ? kNaNf : i % 3 == 1 ? -kInff : kInff;
    const Tensor x = from_vector(v, w.shape);
    kernels::Pool2dGeometry g;
    g.in_h = x.size(-2);
    g.in_w = x.size(-1);
    g.kernel_h = w.kernel.h, g.kernel_w = w.kernel.w, g.stride_h = w.stride.h, g.stride_w = w.stride.w;
    g.dilation_h = w.dilation.h, g.dilation_w = w.dilation.w;
    g.pad_top = w.padding.top, g.pad_bottom = w.padding.bottom, g.pad_left = w.padding.left,
    g.pad_right = w.padding.right;
    g.out_h = naive_out(g.in_h, g.kernel_h, g.stride_h, g.pad_top, g.pad_bottom, g.dilation_h, w.ceil);
    g.out_w = naive_out(g.in_w, g.kernel_w, g.stride_w, g.pad_left, g.pad_right, g.dilation_w, w.ceil);
    const auto fast = kernels::max_pool2d(x, g);
    const auto naive = kernels::max_pool2d_naive(x, g);
    check_bitwise_equal(fast.first, naive.first);
    check_bitwise_equal(fast.second, naive.second);
    CHECK_FALSE(kernels::max_pool2d(x, g, /*with_indices=*/false).second.defined());
  }
}

TEST_CASE("max_pool2d: ties pick the first maximum, NaN propagates, infinities") {
  // Every window of a constant plane ties: the index is the window's first in-range element.
  const Tensor c = full({1, 1, 5, 5}, 2.0f);
  auto [values, indices] = max_pool2d_with_indices(c, MaxPool2dOptions(3).stride(2).padding(1));
  check_bitwise_equal(indices, from_vector(std::vector<int64_t>{0, 1, 3, 5, 6, 8, 15, 16, 18}, {1, 1, 3, 3}));
  // Overlapping windows picking the same element accumulate its gradient.
  Tensor x = c.clone().requires_grad_();
  max_pool2d(x, MaxPool2dOptions(3).stride(2).padding(1)).sum().backward();
  CHECK(x.grad().at({0, 0, 0, 0}) == 1.0f);
  CHECK(x.grad().at({0, 0, 0, 1}) == 1.0f);
  CHECK(x.grad().at({0, 0, 1, 1}) == 1.0f);
  CHECK(x.grad().sum().item() == 9.0f);

  // NaN wins over any number, and the last NaN in scan order is reported (PyTorch).
  const Tensor n = from_vector(std::vector<float>{1, kNaNf, 3, kNaNf, 5, 6, 7, 8}, {1, 1, 2, 4});
  auto [nv, ni] = max_pool2d_with_indices(n, MaxPool2dOptions({2, 4}));
  CHECK(std::isnan(nv.item()));
  CHECK(ni.item<int64_t>() == 3);
  // A window of -inf reports its first element; +inf is an ordinary maximum.
  const Tensor inf = from_vector(std::vector<float>{-kInff, -kInff, -kInff, kInff}, {1, 1, 2, 2});
  auto [iv, ii] = max_pool2d_with_indices(inf, MaxPool2dOptions({1, 2}));
  CHECK(iv.at({0, 0, 0, 0}) == -kInff);
  CHECK(ii.at<int64_t>({0, 0, 0, 0}) == 0);
  CHECK(iv.at({0, 0, 1, 0}) == kInff);
  CHECK(ii.at<int64_t>({0, 0, 1, 0}) == 3);
  // Gradients follow the same choices, whichever argmax backward keeps.
  for (bool with_indices : {false, true}) {
    Tensor leaf = from_vector(std::vector<float>{-kInff, -kInff, 1, kNaNf, 2, kNaNf, -kInff, -kInff, -kInff},
                              {1, 1, 3, 3})
                      .requires_grad_();
    const auto opts = MaxPool2dOptions({1, 3});
    const Tensor out = with_indices ? max_pool2d_with_indices(leaf, opts).first : max_pool2d(leaf, opts);
    out.backward(from_vector(std::vector<float>{10, 20, 30}, {1, 1, 3, 1}));
    check_close(leaf.grad(), from_vector(std::vector<float>{0, 0, 10, 0, 0, 20, 30, 0, 0}, {1, 1, 3, 3}), 0, 0);
  }
}

TEST_CASE("max_pool2d: a window wholly in the padding gives -inf and no gradient") {
  // Width 3, kernel width 2, dilation 4, padding 1: the window taps columns -1 and 3.
  Tensor x = from_vector(std::vector<float>{1, 2, 3}, {1, 1, 1, 3}).requires_grad_();
  const auto options = MaxPool2dOptions({1, 2}).stride(1).padding({0, 1}).dilation({1, 4});
  auto [values, indices] = max_pool2d_with_indices(x, options);
  REQUIRE(values.shape() == Shape{1, 1, 1, 1});
  CHECK(values.item() == -kInff);
  CHECK(indices.item<int64_t>() == 3);  // PyTorch's value: the first tap stepped into range
  values.sum().backward();
  check_close(x.grad(), zeros({1, 1, 1, 3}), 0, 0);
  // The same through max_pool2d, whose backward uses the compact argmax.
  Tensor y = from_vector(std::vector<float>{1, 2, 3}, {1, 1, 1, 3}).requires_grad_();
  const Tensor out = max_pool2d(y, options);
  CHECK(out.item() == -kInff);
  out.sum().backward();
  check_close(y.grad(), zeros({1, 1, 1, 3}), 0, 0);
}

TEST_CASE("avg_pool2d matches naive loops with PyTorch's divisor rules") {
  for (Window w : windows()) {
    if (w.dilation != Int2(1)) continue;
    for (bool include : {true, false}) {
      w.count_include_pad = include;
      INFO(describe(w));
      const Tensor x = random_tensor(w.shape, 4);
      Tensor leaf = x.clone().requires_grad_();
      const Tensor out = avg_pool2d(leaf, avg_options(w));
      const Tensor grad_out = random_tensor(out.shape(), 5);
      const auto [ref, ref_grad] = naive_avg_pool(x, w, grad_out);
      check_close(out, ref);
      out.backward(grad_out);
      check_close(leaf.grad(), ref_grad);
    }
  }
}

TEST_CASE("adaptive pooling matches naive loops") {
  const std::vector<std::pair<Shape, Int2>> cases = {
      {{2, 3, 8, 8}, 1},      {{2, 3, 8, 6}, {4, 3}}, {{2, 3, 7, 9}, {3, 4}}, {{1, 2, 10, 5}, {3, 2}},
      {{1, 2, 4, 5}, {4, 5}}, {{1, 2, 3, 4}, {5, 7}}, {{3, 6, 5}, {2, 3}},    {{1, 1, 13, 1}, {4, 1}},
  };
  for (const auto& [shape, out] : cases) {
    INFO("input " << shape_str(shape) << " output " << to_string(out));
    const Tensor x = random_tensor(shape, 6);
    const Tensor grad_out = random_tensor(with_plane(shape, out.h, out.w), 7);
    for (bool max : {true, false}) {
      INFO((max ? "max" : "avg"));
      const NaiveAdaptive ref = naive_adaptive(x, out, max, grad_out);
      Tensor leaf = x.clone().requires_grad_();
      Tensor values;
      if (max) {
        Tensor indices;
        std::tie(values, indices) = adaptive_max_pool2d_with_indices(leaf, out);
        check_bitwise_equal(indices, ref.indices);
        check_close(values, ref.values, 0, 0);
        check_bitwise_equal(adaptive_max_pool2d(x, out), values);
      } else {
        values = adaptive_avg_pool2d(leaf, out);
        check_close(values, ref.values);
      }
      values.backward(grad_out);
      check_close(leaf.grad(), ref.grad);
    }
  }
  // Output 1 is global pooling.
  const Tensor x = random_tensor({2, 3, 5, 7}, 8);
  check_close(adaptive_avg_pool2d(x, 1), x.mean({2, 3}, true));
  check_close(adaptive_max_pool2d(x, 1), x.reshape({2, 3, 35}).max(2, true).reshape({2, 3, 1, 1}), 0, 0);
}

TEST_CASE("spatial_pyramid_pool has a fixed length for any input size and equals its composition") {
  for (const Shape& shape : {Shape{2, 3, 7, 9}, Shape{2, 3, 16, 5}, Shape{2, 3, 4, 4}}) {
    const Tensor x = random_tensor(shape, 9);
    const Tensor out = spatial_pyramid_pool(x);
    REQUIRE(out.shape() == Shape{2, 3 * (1 + 4 + 16)});
    const Tensor manual = cat({adaptive_max_pool2d(x, 1).flatten(1), adaptive_max_pool2d(x, 2).flatten(1),
                               adaptive_max_pool2d(x, 4).flatten(1)},
                              1);
    check_bitwise_equal(out, manual);
    const Tensor avg = spatial_pyramid_pool(x, {3, 1}, PoolMode::avg);
    check_bitwise_equal(avg, cat({adaptive_avg_pool2d(x, 3).flatten(1), adaptive_avg_pool2d(x, 1).flatten(1)}, 1));
  }
  CHECK(spatial_pyramid_pool(random_tensor({3, 6, 5}, 10), {2}).shape() == Shape{12});  // unbatched
}

TEST_CASE("unbatched input equals batch of one; empty batch; strided input") {
  const Tensor x = random_tensor({3, 7, 6}, 11);
  const Tensor batched = x.unsqueeze(0);
  const auto opts = MaxPool2dOptions(3).stride(2).padding(1);
  check_bitwise_equal(max_pool2d(x, opts), max_pool2d(batched, opts).squeeze(0));
  check_bitwise_equal(avg_pool2d(x, AvgPool2dOptions(2)), avg_pool2d(batched, AvgPool2dOptions(2)).squeeze(0));
  check_bitwise_equal(adaptive_avg_pool2d(x, 3), adaptive_avg_pool2d(batched, 3).squeeze(0));
  Tensor leaf = x.clone().requires_grad_();
  max_pool2d(leaf, opts).sum().backward();
  CHECK(leaf.grad().shape() == x.shape());

  CHECK(max_pool2d(zeros({0, 3, 8, 8}), MaxPool2dOptions(2)).shape() == Shape{0, 3, 4, 4});
  CHECK(adaptive_avg_pool2d(zeros({0, 3, 8, 8}), 2).shape() == Shape{0, 3, 2, 2});

  // A transposed (non-contiguous) input is read through its strides.
  const Tensor t = random_tensor({2, 3, 9, 8}, 12).transpose(2, 3);
  const Window w{{2, 3, 8, 9}, 3, 2, 1};
  check_close(max_pool2d(t, max_options(w)), naive_max_pool(t, w).values, 0, 0);
  check_close(avg_pool2d(t, avg_options(w)), naive_avg_pool(t, w, Tensor()).first);
}

TEST_CASE("pool gradients pass gradcheck") {
  // Distinct values: max has no ties, so finite differences see a smooth function.
  for (const Window& w : {Window{{1, 2, 7, 7}, 3, 2}, Window{{1, 2, 6, 7}, {2, 3}, {1, 2}, {1, 0}},
                          Window{{1, 1, 9, 8}, 3, 1, 1, 2}, Window{{1, 2, 7, 6}, 3, 2, 1, 1, true}}) {
    INFO(describe(w));
    check_gradcheck([&](const TensorList& x) { return max_pool2d(x[0], max_options(w)); }, {distinct_leaf(w.shape)});
    if (w.dilation == Int2(1)) {
      for (bool include : {true, false}) {
        Window a = w;
        a.count_include_pad = include;
        check_gradcheck([&](const TensorList& x) { return avg_pool2d(x[0], avg_options(a)); },
                        {distinct_leaf(w.shape)});
      }
    }
  }
  check_gradcheck([](const TensorList& x) { return adaptive_max_pool2d(x[0], {3, 2}); }, {distinct_leaf({1, 2, 7, 5})});
  check_gradcheck([](const TensorList& x) { return adaptive_avg_pool2d(x[0], {3, 4}); }, {distinct_leaf({1, 2, 7, 9})});
  check_gradcheck([](const TensorList& x) { return spatial_pyramid_pool(x[0], {1, 2, 3}); }, {distinct_leaf({2, 1, 6, 7})});
  check_gradcheck([](const TensorList& x) { return spatial_pyramid_pool(x[0], {1, 2}, PoolMode::avg); },
                  {distinct_leaf({2, 2, 5, 6})});
}

TEST_CASE("golden: pooling matches PyTorch") {
  const Golden g("pool");
  SUBCASE("max_pool2d") {
    for (const std::string name : {"k2", "k3s2_overlap", "k3s2_pad1", "k3s1_pad1", "nonsquare", "asym_stride_pad",
                                   "dilation2", "dilation_mixed", "ceil_k2", "ceil_k3s2_pad1", "ceil_dilation",
                                   "ceil_tiny", "global", "unbatched", "ties", "nan", "inf"}) {
      const std::string c = "max_" + name;
      INFO("golden case " << c);
      const Tensor x = golden_leaf(g, c + ".x");
      const auto options = MaxPool2dOptions({arg(g, c, "kernel_h"), arg(g, c, "kernel_w")})
                               .stride({arg(g, c, "stride_h"), arg(g, c, "stride_w")})
                               .padding({arg(g, c, "pad_h"), arg(g, c, "pad_w")})
                               .dilation({arg(g, c, "dilation_h"), arg(g, c, "dilation_w")})
                               .ceil_mode(arg(g, c, "ceil_mode") != 0);
      auto [values, indices] = max_pool2d_with_indices(x, options);
      check_golden(g, c, x, values, indices);
    }
  }
  SUBCASE("avg_pool2d") {
    for (const std::string name : {"k2", "k3s2_overlap", "k3s2_pad1_incl", "k3s2_pad1_excl", "nonsquare_incl",
                                   "nonsquare_excl", "asym_excl", "ceil_incl", "ceil_excl", "ceil_k2_incl",
                                   "ceil_k4s3_pad2_incl", "ceil_k4s3_pad2_excl", "ceil_tiny_incl", "unbatched"}) {
      const std::string c = "avg_" + name;
      INFO("golden case " << c);
      const Tensor x = golden_leaf(g, c + ".x");
      const auto options = AvgPool2dOptions({arg(g, c, "kernel_h"), arg(g, c, "kernel_w")})
                               .stride({arg(g, c, "stride_h"), arg(g, c, "stride_w")})
                               .padding({arg(g, c, "pad_h"), arg(g, c, "pad_w")})
                               .ceil_mode(arg(g, c, "ceil_mode") != 0)
                               .count_include_pad(arg(g, c, "count_include_pad") != 0);
      check_golden(g, c, x, avg_pool2d(x, options));
    }
  }
  SUBCASE("adaptive pooling") {
    for (const std::string name : {"global", "divides", "overlap", "uneven", "identity", "upsample", "unbatched"}) {
      const std::string avg = "adaptive_avg_" + name, max = "adaptive_max_" + name;
      INFO("golden case " << name);
      const Tensor xa = golden_leaf(g, avg + ".x");
      check_golden(g, avg, xa, adaptive_avg_pool2d(xa, {arg(g, avg, "out_h"), arg(g, avg, "out_w")}));
      const Tensor xm = golden_leaf(g, max + ".x");
      auto [values, indices] = adaptive_max_pool2d_with_indices(xm, {arg(g, max, "out_h"), arg(g, max, "out_w")});
      check_golden(g, max, xm, values, indices);
    }
  }
  SUBCASE("spatial_pyramid_pool") {
    for (const std::string name : {"124", "13", "unbatched"}) {
      for (PoolMode mode : {PoolMode::max, PoolMode::avg}) {
        const std::string c = std::string(mode == PoolMode::max ? "spp_max_" : "spp_avg_") + name;
        INFO("golden case " << c);
        std::vector<int64_t> levels;
        for (int64_t i = 0; i < arg(g, c, "n_levels"); ++i) levels.push_back(arg(g, c, "levels_" + std::to_string(i)));
        const Tensor x = golden_leaf(g, c + ".x");
        check_golden(g, c, x, spatial_pyramid_pool(x, levels, mode));
      }
    }
  }
}

TEST_CASE("pooling rejects bad input, naming the op, the shape and the value") {
  const Tensor x = ones({1, 3, 2, 2});
  check_error([&] { (void)max_pool2d(x, MaxPool2dOptions(3).stride(1)); },
              {"max_pool2d: output size would be 0x0 for input [1, 3, 2, 2] with kernel 3, stride 1, padding 0"});
  check_error([&] { (void)avg_pool2d(ones({1, 1, 4, 9}), AvgPool2dOptions({5, 2})); },
              {"avg_pool2d", "output size would be 0x4", "[1, 1, 4, 9]", "kernel (5, 2)"});
  check_error([&] { (void)max_pool2d(ones({1, 1, 5, 5}), MaxPool2dOptions(3).dilation(3)); },
              {"max_pool2d", "output size would be 0x0", "dilation 3"});
  check_error([&] { (void)max_pool2d(x, MaxPool2dOptions(0)); }, {"max_pool2d", "kernel size", "got 0", "[1, 3, 2, 2]"});
  check_error([&] { (void)max_pool2d(x, MaxPool2dOptions({1, -2})); }, {"max_pool2d", "kernel size", "(1, -2)"});
  check_error([&] { (void)max_pool2d(x, MaxPool2dOptions(2).stride(0)); }, {"max_pool2d", "stride", "got 0"});
  check_error([&] { (void)avg_pool2d(x, AvgPool2dOptions(2).stride({1, 0})); }, {"avg_pool2d", "stride", "(1, 0)"});
  check_error([&] { (void)max_pool2d(x, MaxPool2dOptions(2).dilation(0)); }, {"max_pool2d", "dilation", "got 0"});
  check_error([&] { (void)max_pool2d(x, MaxPool2dOptions(2).padding(2)); },
              {"max_pool2d", "padding 2", "half the kernel size 2", "[1, 3, 2, 2]"});
  check_error([&] { (void)avg_pool2d(x, AvgPool2dOptions(3).padding({0, 0, 2, 0})); },
              {"avg_pool2d", "padding (0, 0, 2, 0)", "half the kernel size 3"});
  check_error([&] { (void)max_pool2d(x, MaxPool2dOptions(2).padding(-1)); }, {"max_pool2d", "non-negative", "-1"});
  check_error([&] { (void)max_pool2d(ones({3, 4}), MaxPool2dOptions(2)); },
              {"max_pool2d", "3-D [C, H, W] or 4-D [N, C, H, W]", "[3, 4]"});
  check_error([&] { (void)avg_pool2d(ones({1, 1, 1, 4, 4}), AvgPool2dOptions(2)); },
              {"avg_pool2d", "[1, 1, 1, 4, 4]"});
  check_error([&] { (void)max_pool2d_with_indices(zeros({1, 3, 4, 4}, DType::i64), MaxPool2dOptions(2)); },
              {"max_pool2d_with_indices", "float32", "int64 [1, 3, 4, 4]"});
  check_error([&] { (void)avg_pool2d(zeros({1, 3, 4, 4}, DType::i64), AvgPool2dOptions(2)); }, {"avg_pool2d", "int64"});
  check_error([&] { (void)max_pool2d(ones({1, 0, 4, 4}), MaxPool2dOptions(2)); }, {"max_pool2d", "[1, 0, 4, 4]", "empty"});
  check_error([&] { (void)max_pool2d(Tensor(), MaxPool2dOptions(2)); }, {"max_pool2d", "undefined"});
  check_error([&] { (void)adaptive_avg_pool2d(x, {0, 2}); }, {"adaptive_avg_pool2d", "output size", "(0, 2)", "[1, 3, 2, 2]"});
  check_error([&] { (void)adaptive_max_pool2d(x, -1); }, {"adaptive_max_pool2d", "output size", "-1"});
  check_error([&] { (void)adaptive_max_pool2d(zeros({2, 2, 2}, DType::i64), 1); }, {"adaptive_max_pool2d", "int64"});
  check_error([&] { (void)adaptive_avg_pool2d(ones({4}), 1); }, {"adaptive_avg_pool2d", "[4]"});
  check_error([&] { (void)spatial_pyramid_pool(x, {}); }, {"spatial_pyramid_pool", "levels", "empty", "[1, 3, 2, 2]"});
  check_error([&] { (void)spatial_pyramid_pool(x, {1, 0, 2}); }, {"spatial_pyramid_pool", "got 0", "[1, 0, 2]"});
  check_error([&] { (void)spatial_pyramid_pool(ones({2, 2}), {1}); }, {"spatial_pyramid_pool", "[2, 2]"});
}

TEST_CASE("saved indices catch in-place modification before backward") {
  Tensor x = random_tensor({1, 2, 6, 6}, 13).requires_grad_();
  auto [values, indices] = max_pool2d_with_indices(x, MaxPool2dOptions(2));
  indices.bump_version();  // as an in-place write would
  check_error([&] { values.sum().backward(); }, {"MaxPool2dBackward"});
}

TEST_CASE("pooling is bitwise identical for 1 and 2 threads") {
  const Tensor x = random_tensor({8, 32, 41, 39}, 14);
  const Tensor grad_max = random_tensor({8, 32, 20, 19}, 15);
  auto run = [&](const std::function<Tensor(const Tensor&)>& op, const Tensor& grad_out) {
    TensorList results;
    for (int threads : {1, 2}) {
      with_threads(threads, [&] {
        Tensor leaf = x.clone().requires_grad_();
        Tensor out = op(leaf);
        out.backward(grad_out.defined() ? grad_out : ones(out.shape()));
        results.push_back(out);
        results.push_back(leaf.grad());
      });
    }
    check_bitwise_equal(results[0], results[2]);
    check_bitwise_equal(results[1], results[3]);
  };
  run([](const Tensor& t) { return max_pool2d(t, MaxPool2dOptions(3).stride(2)); }, grad_max);
  run([](const Tensor& t) { return avg_pool2d(t, AvgPool2dOptions(3).stride(2).padding(1).ceil_mode(true)); }, Tensor());
  run([](const Tensor& t) { return adaptive_avg_pool2d(t, {5, 7}); }, Tensor());
  run([](const Tensor& t) { return adaptive_max_pool2d(t, {5, 7}); }, Tensor());
  with_threads(2, [&] {
    const auto [v2, i2] = max_pool2d_with_indices(x, MaxPool2dOptions(3).stride(2));
    with_threads(1, [&] { check_bitwise_equal(i2, max_pool2d_with_indices(x, MaxPool2dOptions(3).stride(2)).second); });
  });
}
