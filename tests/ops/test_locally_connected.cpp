// locally_connected2d: naive loops, equal-weights = conv2d, gradcheck, PyTorch goldens (F.unfold +
// einsum), bad input, thread-count independence.
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

struct Config {
  const char* name;
  int64_t n, c, h, w, k, kh, kw;
  Int2 stride = 1;
  Padding2d pad = 0;
};

const std::vector<Config> kConfigs = {
    {"k3", 2, 3, 6, 6, 4, 3, 3},
    {"k3_pad1", 2, 2, 5, 5, 3, 3, 3, 1, 1},
    {"k2_stride2", 3, 2, 6, 8, 2, 2, 2, 2},
    {"nonsquare_asym", 2, 3, 7, 6, 3, 3, 2, {2, 1}, {1, 0, 2, 1}},
    {"k1", 2, 4, 3, 3, 2, 1, 1},
    {"single_image", 1, 1, 6, 6, 5, 3, 3},
    {"whole_image", 2, 2, 4, 3, 3, 4, 3},  // one position: a fully connected layer
};

int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t before, int64_t after) {
  return (in + before + after - k) / s + 1;
}

Shape weight_shape(const Config& c) {
  return {out_size(c.h, c.kh, c.stride.h, c.pad.top, c.pad.bottom),
          out_size(c.w, c.kw, c.stride.w, c.pad.left, c.pad.right), c.k, c.c, c.kh, c.kw};
}

LocallyConnected2dOptions options_of(const Config& c) {
  return LocallyConnected2dOptions().stride(c.stride).padding(c.pad);
}

// Straight from the definition, in double.
Tensor naive(const Tensor& x, const Tensor& w, const Tensor& b, const Config& c) {
  const Shape ws = weight_shape(c);
  const int64_t oh = ws[0], ow = ws[1];
  std::vector<double> out;
  for (int64_t n = 0; n < c.n; ++n)
    for (int64_t k = 0; k < c.k; ++k)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t z = 0; z < ow; ++z) {
          double acc = b.defined() ? test::read(b, {k, y, z}) : 0.0;
          for (int64_t ci = 0; ci < c.c; ++ci)
            for (int64_t i = 0; i < c.kh; ++i)
              for (int64_t j = 0; j < c.kw; ++j) {
                const int64_t ih = y * c.stride.h - c.pad.top + i, iw = z * c.stride.w - c.pad.left + j;
                if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w) continue;
                acc += test::read(x, {n, ci, ih, iw}) * test::read(w, {y, z, k, ci, i, j});
              }
          out.push_back(acc);
        }
  return test::from_doubles(out, {c.n, c.k, oh, ow});
}

}  // namespace

TEST_CASE("locally_connected2d matches naive loops, with and without bias, any strides") {
  for (const Config& c : kConfigs) {
    INFO(std::string(c.name));
    const Shape ws = weight_shape(c);
    const Tensor x = random_tensor({c.n, c.c, c.h, c.w}, 1), w = random_tensor(ws, 2);
    const Tensor b = random_tensor({c.k, ws[0], ws[1]}, 3);
    check_close(locally_connected2d(x, w, b, options_of(c)), naive(x, w, b, c), 1e-5, 1e-5);
    check_close(locally_connected2d(x, w, Tensor(), options_of(c)), naive(x, w, Tensor(), c), 1e-5, 1e-5);
  }
  // Non-contiguous x, weight and bias; an unbatched input.
  const Config c = kConfigs[1];
  const Shape ws = weight_shape(c);
  const Tensor x = random_tensor({c.n, c.c, c.w, c.h}, 4).transpose(2, 3);
  const Tensor w = random_tensor({ws[1], ws[0], c.k, c.c, c.kh, c.kw}, 5).transpose(0, 1);
  const Tensor b = random_tensor({c.k, ws[1], ws[0]}, 6).transpose(1, 2);
  check_close(locally_connected2d(x, w, b, options_of(c)), naive(x, w, b, c), 1e-5, 1e-5);
  check_close(locally_connected2d(x.select(0, 1), w, b, options_of(c)),
              naive(x, w, b, c).select(0, 1), 1e-5, 1e-5);
}

TEST_CASE("locally_connected2d with the same filters at every position is conv2d") {
  const Config c = kConfigs[3];
  const Shape ws = weight_shape(c);
  const Tensor filters = random_tensor({c.k, c.c, c.kh, c.kw}, 7), bias = random_tensor({c.k}, 8);
  const Tensor w = filters.unsqueeze(0).unsqueeze(0).expand(ws);
  const Tensor b = bias.reshape({c.k, 1, 1}).expand({c.k, ws[0], ws[1]});
  const Tensor x = random_tensor({c.n, c.c, c.h, c.w}, 9);
  check_close(locally_connected2d(x, w, b, options_of(c)),
              conv2d(x, filters, bias, Conv2dOptions().stride(c.stride).padding(c.pad)), 1e-5, 1e-5);
}

TEST_CASE("locally_connected2d gradients") {
  for (const Config& c : kConfigs) {
    INFO(std::string(c.name));
    const Shape ws = weight_shape(c);
    check_gradcheck([&](const TensorList& in) { return locally_connected2d(in[0], in[1], in[2], options_of(c)); },
                    {random_leaf({c.n, c.c, c.h, c.w}, 10), random_leaf(ws, 11), random_leaf({c.k, ws[0], ws[1]}, 12)});
  }
  // Only the needed gradients: a frozen input gets none, and no weight gradient needs x.
  Tensor x = random_tensor({2, 2, 5, 5}, 13), w = random_leaf({3, 3, 2, 2, 3, 3}, 14);
  locally_connected2d(x, w).sum().backward();
  CHECK(!x.grad().defined());
  REQUIRE(w.grad().defined());
  // d(sum)/dw[p, k, c, i, j] = sum over images of the pixel that tap reads.
  check_close(w.grad().select(2, 0), w.grad().select(2, 1), 0, 0);
}

TEST_CASE("golden: locally_connected2d matches PyTorch's F.unfold + einsum") {
  const Golden g("locally_connected");
  for (const std::string c : {"k3", "k3_pad1", "k2_stride2", "nonsquare", "no_bias", "k1", "single_image"}) {
    INFO("golden case " << c);
    auto leaf = [&](const std::string& name) { return g[c + "." + name].detach().requires_grad_(); };
    auto arg = [&](const std::string& name) { return static_cast<int64_t>(g.scalar(c + "." + name)); };
    Tensor x = leaf("x"), w = leaf("weight"), b = g.contains(c + ".bias") ? leaf("bias") : Tensor();
    const auto o = LocallyConnected2dOptions().stride({arg("stride_h"), arg("stride_w")}).padding(
        Padding2d(arg("pad_h"), arg("pad_w")));
    const Tensor out = locally_connected2d(x, w, b, o);
    check_close(out, g[c + ".out"], 1e-5, 1e-5);
    out.backward(g[c + ".grad_out"]);
    check_close(x.grad(), g[c + ".grad_x"], 1e-5, 1e-5);
    check_close(w.grad(), g[c + ".grad_weight"], 1e-5, 1e-5);
    if (b.defined()) check_close(b.grad(), g[c + ".grad_bias"], 1e-5, 1e-5);
  }
}

TEST_CASE("locally_connected2d results do not depend on the thread count") {
  const Tensor x = random_tensor({16, 4, 12, 12}, 15), w = random_tensor({10, 10, 8, 4, 3, 3}, 16);
  const Tensor b = random_tensor({8, 10, 10}, 17), grad_out = random_tensor({16, 8, 10, 10}, 18);
  TensorList results;
  for (int threads : {1, 2}) {
    with_threads(threads, [&] {
      Tensor xl = x.clone().requires_grad_(), wl = w.clone().requires_grad_(), bl = b.clone().requires_grad_();
      Tensor out = locally_connected2d(xl, wl, bl);
      out.backward(grad_out);
      results.insert(results.end(), {out, xl.grad(), wl.grad(), bl.grad()});
    });
  }
  for (size_t i = 0; i < 4; ++i) check_bitwise_equal(results[i], results[i + 4]);
}

TEST_CASE("locally_connected2d: an empty batch") {
  Tensor x = zeros({0, 2, 5, 5}).requires_grad_(), w = random_leaf({3, 3, 4, 2, 3, 3}, 19);
  Tensor b = random_leaf({4, 3, 3}, 20);
  const Tensor out = locally_connected2d(x, w, b);
  CHECK(out.shape() == Shape{0, 4, 3, 3});
  out.sum().backward();
  check_close(w.grad(), zeros(w.shape()), 0, 0);
  check_close(b.grad(), zeros(b.shape()), 0, 0);
}

TEST_CASE("locally_connected2d rejects bad input, naming the op, what it got and what it expected") {
  const Tensor x = ones({2, 3, 6, 6}), w = ones({4, 4, 5, 3, 3, 3});
  check_error([&] { locally_connected2d(x, ones({4, 4, 5, 2, 3, 3})); },
              {"locally_connected2d", "3 channels", "expects 2", "[2, 3, 6, 6]", "[4, 4, 5, 2, 3, 3]"});
  check_error([&] { locally_connected2d(x, ones({5, 5, 5, 3, 3, 3})); },
              {"locally_connected2d", "gives 4x4 output positions", "weight [5, 5, 5, 3, 3, 3] has filters for 5x5"});
  check_error([&] { locally_connected2d(x, w, ones({5})); },
              {"locally_connected2d", "bias must be [5, 4, 4]", "got [5]"});
  check_error([&] { locally_connected2d(x, ones({5, 3, 3, 3})); }, {"locally_connected2d", "weight", "6-D", "[5, 3, 3, 3]"});
  check_error([&] { locally_connected2d(ones({6, 6}), w); }, {"locally_connected2d", "[N, C, H, W]", "[6, 6]"});
  check_error([&] { locally_connected2d(x, ones({1, 1, 5, 3, 7, 7})); },
              {"locally_connected2d", "kernel (7x7) is larger than the padded input (6x6)"});
  check_error([&] { locally_connected2d(x, w, Tensor(), LocallyConnected2dOptions().stride(0)); },
              {"locally_connected2d", "stride", "got 0"});
  check_error([&] { locally_connected2d(x, w, Tensor(), LocallyConnected2dOptions().padding(-1)); },
              {"locally_connected2d", "padding", "non-negative", "-1"});
  check_error([&] { locally_connected2d(zeros({2, 3, 6, 6}, DType::i64), w); },
              {"locally_connected2d", "float32", "int64"});
  check_error([&] { locally_connected2d(x, Tensor()); }, {"locally_connected2d", "weight", "undefined"});
}
