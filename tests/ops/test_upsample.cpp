// upsample_nearest2d and upsample_bilinear2d: hand-computed values, naive loops, gradcheck,
// PyTorch goldens (F.interpolate), bad input, thread-count independence.
#include <cmath>

#include "support/golden.h"
#include "support/helpers.h"
#include "support/reference.h"

using namespace ember;
using ember::test::check_bitwise_equal;
using ember::test::check_close;
using ember::test::check_error;
using ember::test::check_gradcheck;
using ember::test::Golden;
using ember::test::random_leaf;
using ember::test::random_tensor;
using ember::test::with_threads;

namespace {

// Straight from PyTorch 1.13's definitions (UpSample.h), one output element at a time; the
// interpolation itself in double.
float source_scale(int64_t in, int64_t out, std::optional<double> scale) {
  return scale ? static_cast<float>(1.0 / *scale) : static_cast<float>(in) / static_cast<float>(out);
}

int64_t nearest_source(int64_t dst, int64_t in, int64_t out, std::optional<double> scale) {
  return std::min<int64_t>(static_cast<int64_t>(std::floor(static_cast<float>(dst) * source_scale(in, out, scale))),
                           in - 1);
}

// The two source positions and the second one's weight.
struct Linear {
  int64_t i0, i1;
  double lambda;
};

Linear linear_source(int64_t dst, int64_t in, int64_t out, std::optional<double> scale, bool align_corners) {
  if (out == in) return {dst, dst, 0.0};
  float src;
  if (align_corners) {
    const float s = out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.0f;
    src = s * static_cast<float>(dst);
  } else {
    src = static_cast<float>(source_scale(in, out, scale) * (dst + 0.5) - 0.5);
    src = std::max(src, 0.0f);
  }
  const int64_t i0 = std::min<int64_t>(static_cast<int64_t>(src), in - 1);
  return {i0, std::min(i0 + 1, in - 1), std::clamp(static_cast<double>(src) - i0, 0.0, 1.0)};
}

Shape out_shape(const Tensor& x, const UpsampleSize& size) {
  if (size.size) return {x.size(0), x.size(1), size.size->h, size.size->w};
  return {x.size(0), x.size(1), static_cast<int64_t>(std::floor(x.size(2) * *size.scale_h)),
          static_cast<int64_t>(std::floor(x.size(3) * *size.scale_w))};
}

Tensor naive_nearest(const Tensor& x, const UpsampleSize& size) {
  const Shape s = out_shape(x, size);
  std::vector<double> out;
  test::for_each_index(s, [&](const test::Index& i) {
    const int64_t h = nearest_source(i[2], x.size(2), s[2], size.scale_h);
    const int64_t w = nearest_source(i[3], x.size(3), s[3], size.scale_w);
    out.push_back(test::read(x, {i[0], i[1], h, w}));
  });
  return test::from_doubles(out, s);
}

Tensor naive_bilinear(const Tensor& x, const UpsampleSize& size, bool align_corners) {
  const Shape s = out_shape(x, size);
  std::vector<double> out;
  test::for_each_index(s, [&](const test::Index& i) {
    const Linear h = linear_source(i[2], x.size(2), s[2], size.scale_h, align_corners);
    const Linear w = linear_source(i[3], x.size(3), s[3], size.scale_w, align_corners);
    auto at = [&](int64_t r, int64_t c) { return test::read(x, {i[0], i[1], r, c}); };
    out.push_back((1 - h.lambda) * ((1 - w.lambda) * at(h.i0, w.i0) + w.lambda * at(h.i0, w.i1)) +
                  h.lambda * ((1 - w.lambda) * at(h.i1, w.i0) + w.lambda * at(h.i1, w.i1)));
  });
  return test::from_doubles(out, s);
}

Tensor floats(const std::vector<float>& values, const Shape& shape) { return from_vector(values, shape); }

struct Case {
  const char* name;
  Shape shape;
  UpsampleSize size;
};

const std::vector<Case> kCases = {
    {"x2", {2, 3, 4, 5}, UpsampleSize::scale(2)},
    {"x3_nonsquare", {1, 2, 3, 5}, UpsampleSize::scale(3, 2)},
    {"fractional", {2, 2, 5, 4}, UpsampleSize::scale(1.7, 2.5)},
    {"down_half", {1, 2, 8, 6}, UpsampleSize::scale(0.5)},
    {"down_fraction", {1, 2, 9, 10}, UpsampleSize::scale(0.7, 0.45)},
    {"size_up", {2, 2, 4, 5}, UpsampleSize::to({7, 9})},
    {"size_double", {1, 2, 3, 4}, UpsampleSize::to({6, 8})},
    {"size_down", {1, 2, 7, 5}, UpsampleSize::to({3, 2})},
    {"size_mixed", {1, 1, 6, 3}, UpsampleSize::to({4, 8})},
    {"to_1x1", {1, 2, 4, 3}, UpsampleSize::to({1, 1})},
    {"from_1x1", {2, 1, 1, 1}, UpsampleSize::to({3, 4})},
    {"same_size", {1, 2, 3, 4}, UpsampleSize::scale(1.2, 1.1)},  // bilinear copies, nearest does not
    {"double_size", {1, 2, 3, 4}, UpsampleSize::scale(2.25)},
    {"empty_batch", {0, 2, 3, 4}, UpsampleSize::scale(2)},
    {"parallel", {4, 16, 20, 20}, UpsampleSize::scale(2)},  // 64 planes: several tasks
};

}  // namespace

TEST_CASE("upsample by hand: nearest x2 repeats pixels, bilinear interpolates") {
  const Tensor x = floats({1, 2, 3, 4}, {1, 1, 2, 2});
  check_close(upsample_nearest2d(x, UpsampleSize::scale(2)),
              floats({1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, {1, 1, 4, 4}), 0, 0);
  // align_corners: the corners stay put and the rest is evenly spaced between them.
  check_close(upsample_bilinear2d(x, UpsampleSize::to({3, 3}), true),
              floats({1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4}, {1, 1, 3, 3}), 0, 0);
  // Half-pixel centres: output pixel 1 of 4 sits at input 0.25 (weights 0.75, 0.25), pixel 0 clamps to 0.
  check_close(upsample_bilinear2d(floats({0, 4}, {1, 1, 1, 2}), UpsampleSize::to({1, 4})),
              floats({0, 1, 3, 4}, {1, 1, 1, 4}), 0, 0);
  // Legacy nearest floors: 3 -> 2 reads pixels 0 and floor(1 * 1.5) = 1, never the last.
  check_close(upsample_nearest2d(floats({5, 6, 7}, {1, 1, 1, 3}), UpsampleSize::to({1, 2})),
              floats({5, 6}, {1, 1, 1, 2}), 0, 0);
}

TEST_CASE("upsample matches naive loops, any strides") {
  for (const Case& c : kCases) {
    INFO(std::string(c.name));
    const Tensor x = random_tensor(c.shape, 1);
    check_close(upsample_nearest2d(x, c.size), naive_nearest(x, c.size), 0, 0);  // a pure copy: exact
    for (bool align : {false, true}) {
      INFO("align_corners " << align);
      check_close(upsample_bilinear2d(x, c.size, align), naive_bilinear(x, c.size, align), 1e-6, 1e-5);
    }
  }
  // A transposed (non-contiguous) input reads the same pixels.
  const Tensor t = random_tensor({2, 3, 6, 5}, 2).transpose(2, 3);
  check_close(upsample_nearest2d(t, UpsampleSize::scale(1.5)), naive_nearest(t, UpsampleSize::scale(1.5)), 0, 0);
  check_close(upsample_bilinear2d(t, UpsampleSize::to({7, 4}), true),
              naive_bilinear(t, UpsampleSize::to({7, 4}), true), 1e-6, 1e-5);
}

TEST_CASE("upsample gradients") {
  for (const Case& c : kCases) {
    // "parallel" is big: its gradient is checked against 1 thread below. An empty batch has no element to check.
    if (std::string(c.name) == "parallel" || std::string(c.name) == "empty_batch") continue;
    INFO(std::string(c.name));
    check_gradcheck([&](const TensorList& in) { return upsample_nearest2d(in[0], c.size); },
                    {random_leaf(c.shape, 3)});
    for (bool align : {false, true}) {
      INFO("align_corners " << align);
      check_gradcheck([&](const TensorList& in) { return upsample_bilinear2d(in[0], c.size, align); },
                      {random_leaf(c.shape, 4)});
    }
  }
}

TEST_CASE("upsample: nearest's gradient sums the copies; an empty batch; no graph without requires_grad") {
  Tensor empty_batch = zeros({0, 2, 3, 3}).requires_grad_();
  Tensor up = upsample_bilinear2d(empty_batch, UpsampleSize::scale(2));
  CHECK(up.shape() == Shape{0, 2, 6, 6});
  up.sum().backward();
  CHECK(empty_batch.grad().shape() == Shape{0, 2, 3, 3});
  Tensor x = ones({1, 1, 2, 3}).requires_grad_();
  upsample_nearest2d(x, UpsampleSize::scale(2, 3)).sum().backward();
  check_close(x.grad(), full({1, 1, 2, 3}, 6.0f), 0, 0);
  CHECK(upsample_nearest2d(ones({1, 1, 2, 2}), UpsampleSize::scale(2)).grad_fn() == nullptr);
  CHECK(upsample_bilinear2d(x, UpsampleSize::scale(2)).grad_fn()->name() == "UpsampleBilinear2dBackward");
}

TEST_CASE("golden: upsampling matches PyTorch's F.interpolate") {
  const Golden g("upsample");
  for (const std::string name : {"x2", "x3", "scale_1_75x2_5", "scale_1_25", "down_scale_0_5", "down_scale_0_75",
                                 "same_size_scale", "scale_2_25", "size_7x9", "size_double", "size_down", "size_mixed",
                                 "size_1x1", "from_1x1", "large_x2"}) {
    for (const std::string mode : {"nearest_", "bilinear_", "bilinear_ac_"}) {
      const std::string c = mode + name;
      INFO("golden case " << c);
      Tensor x = g[c + ".x"].detach().requires_grad_();
      const UpsampleSize size =
          g.contains(c + ".size_h")
              ? UpsampleSize::to({static_cast<int64_t>(g.scalar(c + ".size_h")),
                                  static_cast<int64_t>(g.scalar(c + ".size_w"))})
              : UpsampleSize::scale(g.scalar(c + ".scale_h"), g.scalar(c + ".scale_w"));
      const Tensor out = mode == "nearest_" ? upsample_nearest2d(x, size)
                                            : upsample_bilinear2d(x, size, g.scalar(c + ".align_corners") != 0);
      check_close(out, g[c + ".out"], 1e-6, 1e-5);
      // PyTorch 1.13's nearest backward special-cases out == in and out == 2 * in but its NCHW forward
      // does not, so for these two its gradient is not its forward's adjoint (grad [1, 5, 9] for a
      // forward reading pixels [0, 0, 0, 1, 1, 2]). Ours is the adjoint, which gradcheck checks above.
      if (mode == "nearest_" && (name == "same_size_scale" || name == "scale_2_25")) continue;
      out.backward(g[c + ".grad_out"]);
      check_close(x.grad(), g[c + ".grad_x"], 1e-5, 1e-5);
    }
  }
}

TEST_CASE("upsample results do not depend on the thread count") {
  const Tensor x = random_tensor({4, 16, 20, 20}, 5);
  const Tensor grad_out = random_tensor({4, 16, 50, 30}, 6);
  for (int mode = 0; mode < 3; ++mode) {
    INFO("mode " << mode);
    TensorList results;
    for (int threads : {1, 2}) {
      with_threads(threads, [&] {
        Tensor leaf = x.clone().requires_grad_();
        const UpsampleSize size = UpsampleSize::to({50, 30});
        Tensor out = mode == 0 ? upsample_nearest2d(leaf, size) : upsample_bilinear2d(leaf, size, mode == 2);
        out.backward(grad_out);
        results.push_back(out);
        results.push_back(leaf.grad());
      });
    }
    check_bitwise_equal(results[0], results[2]);
    check_bitwise_equal(results[1], results[3]);
  }
}

TEST_CASE("upsample rejects bad input, naming the op, what it got and what it expected") {
  const Tensor x = ones({1, 2, 3, 4});
  check_error([&] { upsample_nearest2d(ones({2, 3, 4}), UpsampleSize::scale(2)); },
              {"upsample_nearest2d", "4-D [N, C, H, W]", "[2, 3, 4]"});
  check_error([&] { upsample_bilinear2d(zeros({1, 1, 2, 2}, DType::i64), UpsampleSize::scale(2)); },
              {"upsample_bilinear2d", "float32", "int64 [1, 1, 2, 2]"});
  check_error([&] { upsample_nearest2d(Tensor(), UpsampleSize::scale(2)); }, {"upsample_nearest2d", "undefined"});
  check_error([&] { upsample_nearest2d(ones({1, 0, 3, 3}), UpsampleSize::scale(2)); },
              {"upsample_nearest2d", "[1, 0, 3, 3]", "empty"});
  check_error([&] { upsample_nearest2d(x, UpsampleSize::to({0, 4})); },
              {"upsample_nearest2d", "output size must be at least 1", "(0, 4)", "[1, 2, 3, 4]"});
  check_error([&] { upsample_bilinear2d(x, UpsampleSize::scale(0)); },
              {"upsample_bilinear2d", "scale factors must be finite and > 0", "scale_factor=0.0"});
  check_error([&] { upsample_bilinear2d(x, UpsampleSize::scale(2, -1)); },
              {"upsample_bilinear2d", "scale_factor=(2.0, -1.0)"});
  check_error([&] { upsample_nearest2d(x, UpsampleSize::scale(std::nan(""))); }, {"upsample_nearest2d", "nan"});
  check_error([&] { upsample_nearest2d(x, UpsampleSize::scale(0.2)); },
              {"upsample_nearest2d", "output size would be 0x0", "[1, 2, 3, 4]", "scale_factor=0.2"});
  check_error([&] { upsample_nearest2d(x, UpsampleSize::scale(1e12)); },
              {"upsample_nearest2d", "output size would be", "below 2^30"});
  check_error([&] { upsample_nearest2d(x, UpsampleSize{Int2(2), 2.0, 2.0}); },
              {"upsample_nearest2d", "either an output size or scale factors", "both"});
  check_error([&] { upsample_nearest2d(x, UpsampleSize{}); }, {"upsample_nearest2d", "neither"});
}
