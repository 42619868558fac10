// conv2d and conv_transpose2d: naive loops, every kernel path against the general one,
// gradcheck, PyTorch goldens, bad input, thread-count independence.
#include "support/golden.h"
#include "support/helpers.h"

using namespace ember;
using ember::test::check_bitwise_equal;
using ember::test::check_close;
using ember::test::check_error;
using ember::test::check_gradcheck;
using ember::test::random_leaf;
using ember::test::random_tensor;

namespace {

struct Config {
  const char* name;
  int64_t n, c, h, w, k, kh, kw;
  Int2 stride = 1;
  Padding2d pad = 0;
  Int2 dilation = 1;
  int64_t groups = 1;
};

// Covers every kernel path: im2col (general, and with several images per GEMM: the batched_
// cases, including an uneven last block), pointwise (1x1), depthwise (multiplier 1 and 2; strides 1, 2, 3
// and 2x3; dilated), Winograd (3x3 stride 1, >= 16 channels), direct (stride 1, 4-32 output
// channels; the batched_lenet case with an im2col input gradient).
const std::vector<Config> kConfigs = {
    {"lenet1", 2, 1, 12, 12, 6, 5, 5, 1, 2},
    {"k3_p1", 3, 4, 9, 7, 5, 3, 3, 1, 1},
    {"batched_lenet", 9, 1, 12, 12, 6, 5, 5, 1, 2},
    {"batched_strided_uneven", 10, 3, 9, 8, 4, 3, 3, 2, {1, 0, 1, 2}},
    {"pointwise", 2, 8, 5, 6, 6, 1, 1},
    {"pointwise_groups", 2, 8, 5, 5, 6, 1, 1, 1, 0, 1, 2},
    {"pointwise_stride2", 2, 4, 7, 7, 3, 1, 1, 2},
    {"depthwise", 2, 6, 9, 9, 6, 3, 3, 1, 1, 1, 6},
    {"depthwise_mult2_s2", 2, 3, 9, 8, 6, 3, 3, 2, 1, 1, 3},
    {"depthwise_dilated_asym", 1, 4, 10, 9, 4, 3, 2, {1, 2}, {2, 0, 1, 3}, {2, 1}, 4},
    {"depthwise_s1_dilated_asym", 2, 4, 9, 8, 8, 3, 2, 1, {2, 1, 0, 3}, 2, 4},
    {"depthwise_s3_dilated", 3, 4, 13, 11, 4, 3, 3, 3, 2, 2, 4},
    {"depthwise_s2x3_mult2", 2, 3, 10, 12, 6, 5, 3, {2, 3}, {2, 1, 0, 2}, 1, 3},
    {"single_channel_mult", 2, 1, 7, 9, 5, 4, 3, 1, {1, 2, 1, 1}},
    {"dilated", 2, 3, 11, 11, 4, 3, 3, 1, 2, 2},
    {"nonsquare_asym", 2, 3, 8, 9, 2, 3, 5, {2, 1}, {1, 0, 2, 1}},
    {"groups2", 1, 4, 6, 6, 6, 3, 2, {1, 2}, {0, 1, 1, 0}, 1, 2},
    {"alex_like", 1, 3, 27, 27, 4, 11, 11, 4},
    {"single_batch", 1, 3, 6, 6, 4, 3, 3, 1, 1},
    {"winograd", 3, 16, 9, 7, 17, 3, 3, 1, 1},
    {"winograd_asym_single", 1, 16, 6, 8, 16, 3, 3, 1, {0, 2, 2, 1}},
    {"winograd_dilated", 2, 16, 10, 8, 16, 3, 3, 1, 2, 2},
    {"winograd_dilated3", 1, 16, 12, 15, 17, 3, 3, 1, 3, 3},
    // Direct (stride 1, one group, channels x taps >= 32, little pitch waste): output channels
    // not a multiple of the register block, tiles crossing rows, dilation, asymmetric padding.
    {"direct", 2, 4, 16, 16, 9, 3, 3, 1, 1},
    {"direct_dilated_asym", 3, 5, 28, 30, 7, 3, 3, 1, {2, 1, 0, 1}, {2, 1}},
    {"direct_single_5x5", 1, 3, 32, 30, 11, 5, 5, 1, 2},
    // LeNet-5's second layer (tiles of 6 output channels for the input gradient), and output
    // channels on lanes in the forward and the weight gradient.
    {"direct_lenet2", 9, 6, 14, 14, 16, 5, 5, 1, 0},
    {"direct_channels", 2, 4, 10, 9, 24, 3, 3, 1, 1},
};

int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t before, int64_t after, int64_t d) {
  return (in + before + after - d * (k - 1) - 1) / s + 1;
}

// Straight from the definition, in double.
Tensor naive_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, const Config& c) {
  const int64_t oh = out_size(c.h, c.kh, c.stride.h, c.pad.top, c.pad.bottom, c.dilation.h);
  const int64_t ow = out_size(c.w, c.kw, c.stride.w, c.pad.left, c.pad.right, c.dilation.w);
  const int64_t cg = c.c / c.groups, kg = c.k / c.groups;
  std::vector<float> out(static_cast<size_t>(c.n * c.k * oh * ow));
  for (int64_t n = 0; n < c.n; ++n)
    for (int64_t k = 0; k < c.k; ++k)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t z = 0; z < ow; ++z) {
          double acc = b.defined() ? b.at({k}) : 0.0;
          const int64_t g = k / kg;
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t i = 0; i < c.kh; ++i)
              for (int64_t j = 0; j < c.kw; ++j) {
                const int64_t ih = y * c.stride.h - c.pad.top + i * c.dilation.h;
                const int64_t iw = z * c.stride.w - c.pad.left + j * c.dilation.w;
                if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w) continue;
                acc += static_cast<double>(x.at({n, g * cg + ci, ih, iw})) * w.at({k, ci, i, j});
              }
          out[((n * c.k + k) * oh + y) * ow + z] = static_cast<float>(acc);
        }
  return from_vector(out, {c.n, c.k, oh, ow});
}

Conv2dOptions options_of(const Config& c) {
  return Conv2dOptions().stride(c.stride).padding(c.pad).dilation(c.dilation).groups(c.groups);
}

}  // namespace

TEST_CASE("conv2d matches naive loops on every path, forced im2col included") {
  for (const Config& c : kConfigs) {
    INFO(std::string(c.name));
    const Tensor x = random_tensor({c.n, c.c, c.h, c.w}, 1);
    const Tensor w = random_tensor({c.k, c.c / c.groups, c.kh, c.kw}, 2);
    const Tensor b = random_tensor({c.k}, 3);
    const Tensor expected = naive_conv2d(x, w, b, c);
    check_close(conv2d(x, w, b, options_of(c)), expected, 1e-4, 1e-4);
    check_close(conv2d(x, w, b, options_of(c).algorithm(ConvAlgorithm::im2col)), expected, 1e-4, 1e-4);
    check_close(conv2d(x, w, Tensor(), options_of(c)), naive_conv2d(x, w, Tensor(), c), 1e-4, 1e-4);
  }
}

TEST_CASE("conv2d gradients on every path") {
  // conv2d is linear in each input, so central differences are exact for any step: large steps
  // keep float32 rounding (Winograd's is a few 1e-6 of the output, test_winograd.cpp) from
  // swamping the difference of two nearly equal losses.
  const auto linear = autograd::GradcheckOptions().step(0.5).second_step(0.25);
  for (const Config& c : kConfigs) {
    INFO(std::string(c.name));
    for (ConvAlgorithm algorithm : {ConvAlgorithm::automatic, ConvAlgorithm::im2col}) {
      check_gradcheck(
          [&](const TensorList& in) { return conv2d(in[0], in[1], in[2], options_of(c).algorithm(algorithm)); },
          {random_leaf({c.n, c.c, c.h, c.w}, 4), random_leaf({c.k, c.c / c.groups, c.kh, c.kw}, 5),
           random_leaf({c.k}, 6)},
          linear);
    }
  }
}

TEST_CASE("conv2d direct paths give the same gradients as the im2col path") {
  for (const Config& c : kConfigs) {
    INFO(std::string(c.name));
    TensorList grads[2];
    int slot = 0;
    for (ConvAlgorithm algorithm : {ConvAlgorithm::automatic, ConvAlgorithm::im2col}) {
      Tensor x = random_leaf({c.n, c.c, c.h, c.w}, 7), w = random_leaf({c.k, c.c / c.groups, c.kh, c.kw}, 8);
      Tensor b = random_leaf({c.k}, 9);
      Tensor out = conv2d(x, w, b, options_of(c).algorithm(algorithm));
      out.backward(random_tensor(out.shape(), 10));
      grads[slot++] = {x.grad(), w.grad(), b.grad()};
    }
    for (size_t i = 0; i < 3; ++i) check_close(grads[0][i], grads[1][i], 1e-4, 1e-4);
  }
}

TEST_CASE("conv2d padding modes") {
  const Tensor x = random_tensor({1, 2, 6, 5}, 11), w = random_tensor({3, 2, 4, 3}, 12);
  Config c{"", 1, 2, 6, 5, 3, 4, 3};
  c.pad = Padding2d(1, 2, 1, 1);  // "same" for a 4x3 kernel: the odd total goes to the bottom
  check_close(conv2d(x, w, Tensor(), Conv2dOptions().padding("same")), naive_conv2d(x, w, Tensor(), c), 1e-4, 1e-4);
  CHECK(conv2d(x, w, Tensor(), Conv2dOptions().padding("same")).shape() == Shape{1, 3, 6, 5});
  c.pad = 0;
  check_close(conv2d(x, w, Tensor(), Conv2dOptions().padding("valid")), naive_conv2d(x, w, Tensor(), c), 1e-4, 1e-4);
  c.pad = Padding2d(3, 2);
  check_close(conv2d(x, w, Tensor(), Conv2dOptions().padding("full")), naive_conv2d(x, w, Tensor(), c), 1e-4, 1e-4);
  CHECK(conv2d(x, w, Tensor(), Conv2dOptions().padding("full")).shape() == Shape{1, 3, 9, 7});
  c.dilation = Int2(2, 1);
  c.pad = Padding2d(3, 3, 1, 1);
  check_close(conv2d(x, w, Tensor(), Conv2dOptions().padding("same").dilation({2, 1})), naive_conv2d(x, w, Tensor(), c),
              1e-4, 1e-4);
}

TEST_CASE("conv2d accepts an unbatched [C, H, W] input") {
  const Tensor x = random_tensor({3, 5, 5}, 13), w = random_tensor({2, 3, 3, 3}, 14);
  const Tensor out = conv2d(x, w, Tensor(), Conv2dOptions().padding(1));
  CHECK(out.shape() == Shape{2, 5, 5});
  check_close(out, conv2d(x.unsqueeze(0), w, Tensor(), Conv2dOptions().padding(1)).squeeze(0));
}

TEST_CASE("conv2d rejects bad input, naming the shapes") {
  const Tensor x = ones({2, 3, 8, 8});
  check_error([&] { (void)conv2d(x, ones({4, 6, 3, 3})); }, {"conv2d", "3 channels", "expects 6", "[2, 3, 8, 8]", "[4, 6, 3, 3]"});
  check_error([&] { (void)conv2d(x, ones({4, 3, 3})); }, {"conv2d", "weight must be", "[4, 3, 3]"});
  check_error([&] { (void)conv2d(ones({8, 8}), ones({4, 3, 3, 3})); }, {"conv2d", "input must be", "[8, 8]"});
  check_error([&] { (void)conv2d(x, ones({4, 1, 3, 3}), Tensor(), Conv2dOptions().groups(2)); }, {"conv2d", "groups 2", "3"});
  check_error([&] { (void)conv2d(x, ones({5, 1, 3, 3}), Tensor(), Conv2dOptions().groups(3)); }, {"conv2d", "groups 3", "5"});
  check_error([&] { (void)conv2d(x, ones({4, 3, 3, 3}), ones({5})); }, {"conv2d", "bias", "[4]", "[5]"});
  check_error([&] { (void)conv2d(x, ones({4, 3, 3, 3}), Tensor(), Conv2dOptions().stride(0)); }, {"conv2d", "stride", "0"});
  check_error([&] { (void)conv2d(x, ones({4, 3, 3, 3}), Tensor(), Conv2dOptions().dilation({1, 0})); }, {"conv2d", "dilation"});
  check_error([&] { (void)conv2d(x, ones({4, 3, 3, 3}), Tensor(), Conv2dOptions().padding(-1)); }, {"conv2d", "padding", "-1"});
  check_error([&] { (void)conv2d(x, ones({4, 3, 3, 3}), Tensor(), Conv2dOptions().groups(0)); }, {"conv2d", "groups", "0"});
  check_error([&] { (void)conv2d(x, ones({4, 3, 9, 3})); }, {"conv2d", "larger than the padded input", "8x8"});
  check_error([&] { (void)conv2d(x, ones({4, 3, 3, 3}), Tensor(), Conv2dOptions().dilation(4)); }, {"conv2d", "spanning 9x9"});
  check_error([&] { (void)conv2d(x, ones({4, 3, 3, 3}), Tensor(), Conv2dOptions().padding("same").stride(2)); },
              {"conv2d", "same", "stride 1"});
  check_error([] { (void)Conv2dOptions().padding("sam"); }, {"conv2d", "valid", "sam"});
  check_error([&] { (void)conv2d(to_dtype(x, DType::i64), ones({4, 3, 3, 3})); }, {"conv2d", "int64"});
  check_error([&] { (void)conv2d(x, Tensor()); }, {"conv2d", "weight", "undefined"});
}

TEST_CASE("a layer's options given to the op are checked against its tensors") {
  // One options struct serves nn::Conv2d and conv2d; the sizes a layer reads, where set, must be
  // the ones the op's tensors have, so options meant for another layer are not silently ignored.
  const Tensor x = ones({2, 3, 8, 8}), w = ones({4, 3, 3, 3});
  check_bitwise_equal(conv2d(x, w, Tensor(), Conv2dOptions(3, 4, 3).padding(1)),
                      conv2d(x, w, Tensor(), Conv2dOptions().padding(1)));
  check_error([&] { (void)conv2d(x, w, Tensor(), Conv2dOptions(6, 4, 3)); },
              {"conv2d", "in_channels 6", "input has 3 channels"});
  check_error([&] { (void)conv2d(x, w, Tensor(), Conv2dOptions(3, 8, 3)); }, {"conv2d", "out_channels 8", "4"});
  check_error([&] { (void)conv2d(x, w, Tensor(), Conv2dOptions(3, 4, {3, 5})); },
              {"conv2d", "kernel_size (3, 5)", "kernel is 3"});
  check_error([&] { (void)conv_transpose2d(x, ones({3, 2, 3, 3}), Tensor(), ConvTranspose2dOptions(3, 5, 3)); },
              {"conv_transpose2d", "out_channels 5", "2"});
  // Every option reads back as set, and a two-value padding is padding(Padding2d(h, w)).
  const Conv2dOptions o = Conv2dOptions(3, 4, {3, 5}).stride(2).padding(1, 2).dilation({1, 2}).groups(1).bias(false);
  CHECK(o.in_channels() == 3);
  CHECK(o.out_channels() == 4);
  CHECK(o.kernel_size() == Int2(3, 5));
  CHECK(o.stride() == Int2(2));
  CHECK(o.padding() == Padding2d(1, 1, 2, 2));
  CHECK(o.padding_mode() == PaddingMode::explicit_sizes);
  CHECK(o.dilation() == Int2(1, 2));
  CHECK_FALSE(o.bias());
  // A mode replaces the sizes, and sizes replace the mode.
  CHECK(Conv2dOptions().padding(3).padding("same").padding_mode() == PaddingMode::same);
  CHECK(Conv2dOptions().padding("same").padding(2).padding() == Padding2d(2));
  CHECK(Conv2dOptions().padding("full").padding(2).padding_mode() == PaddingMode::explicit_sizes);
}

// ---- conv_transpose2d ----

namespace {

struct TConfig {
  const char* name;
  int64_t n, c, h, w, k, kh, kw;
  Int2 stride = 1;
  Int2 pad = 0;
  Int2 out_pad = 0;
  Int2 dilation = 1;
  int64_t groups = 1;
};

const std::vector<TConfig> kTConfigs = {
    {"k4_s2_p1", 2, 3, 4, 5, 2, 4, 4, 2, 1},
    {"outpad", 1, 2, 3, 4, 3, 3, 3, 2, 1, 1},
    {"groups_dilated", 1, 4, 3, 3, 6, 3, 2, {1, 2}, {0, 1}, 0, {2, 1}, 2},
    {"nonsquare", 2, 2, 3, 2, 3, 2, 3, {3, 1}},
    {"pointwise", 2, 3, 4, 4, 2, 1, 1},
    {"depthwise", 2, 4, 5, 5, 4, 3, 3, 2, 1, 1, 1, 4},
};

// out[n, g*kg + o, ih*s - p + i*d, iw*s - p + j*d] += x[n, c, ih, iw] * w[c, o, i, j]
Tensor naive_conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& b, const TConfig& c) {
  const int64_t oh = (c.h - 1) * c.stride.h - 2 * c.pad.h + c.dilation.h * (c.kh - 1) + c.out_pad.h + 1;
  const int64_t ow = (c.w - 1) * c.stride.w - 2 * c.pad.w + c.dilation.w * (c.kw - 1) + c.out_pad.w + 1;
  const int64_t cg = c.c / c.groups, kg = c.k / c.groups;
  std::vector<double> out(static_cast<size_t>(c.n * c.k * oh * ow), 0.0);
  for (int64_t n = 0; n < c.n; ++n)
    for (int64_t k = 0; k < c.k; ++k)
      for (int64_t p = 0; p < oh * ow; ++p) out[(n * c.k + k) * oh * ow + p] = b.defined() ? b.at({k}) : 0.0;
  for (int64_t n = 0; n < c.n; ++n)
    for (int64_t ci = 0; ci < c.c; ++ci)
      for (int64_t ih = 0; ih < c.h; ++ih)
        for (int64_t iw = 0; iw < c.w; ++iw)
          for (int64_t o = 0; o < kg; ++o)
            for (int64_t i = 0; i < c.kh; ++i)
              for (int64_t j = 0; j < c.kw; ++j) {
                const int64_t y = ih * c.stride.h - c.pad.h + i * c.dilation.h;
                const int64_t z = iw * c.stride.w - c.pad.w + j * c.dilation.w;
                if (y < 0 || y >= oh || z < 0 || z >= ow) continue;
                const int64_t k = (ci / cg) * kg + o;
                out[((n * c.k + k) * oh + y) * ow + z] +=
                    static_cast<double>(x.at({n, ci, ih, iw})) * w.at({ci, o, i, j});
              }
  return from_vector(std::vector<float>(out.begin(), out.end()), {c.n, c.k, oh, ow});
}

ConvTranspose2dOptions t_options(const TConfig& c) {
  return ConvTranspose2dOptions()
      .stride(c.stride)
      .padding(c.pad.h, c.pad.w)
      .output_padding(c.out_pad)
      .dilation(c.dilation)
      .groups(c.groups);
}

}  // namespace

TEST_CASE("conv_transpose2d matches naive loops and is the adjoint of conv2d") {
  for (const TConfig& c : kTConfigs) {
    INFO(std::string(c.name));
    const Tensor x = random_tensor({c.n, c.c, c.h, c.w}, 21), w = random_tensor({c.c, c.k / c.groups, c.kh, c.kw}, 22);
    const Tensor b = random_tensor({c.k}, 23);
    const Tensor out = conv_transpose2d(x, w, b, t_options(c));
    check_close(out, naive_conv_transpose2d(x, w, b, c), 1e-4, 1e-4);
    // <conv_transpose(x), y> == <x, conv(y)> for the matching conv2d.
    const Tensor y = random_tensor(out.shape(), 24);
    const Tensor conv_y = conv2d(y, w, Tensor(),
                                 Conv2dOptions().stride(c.stride).padding(c.pad.h, c.pad.w).dilation(c.dilation).groups(c.groups));
    const Tensor fitted = conv_y.narrow(2, 0, c.h).narrow(3, 0, c.w);
    const double lhs = (conv_transpose2d(x, w, Tensor(), t_options(c)) * y).sum().item<double>();
    const double rhs = (x * fitted).sum().item<double>();
    CHECK(lhs == doctest::Approx(rhs).epsilon(1e-4));
  }
}

TEST_CASE("conv_transpose2d gradients") {
  for (const TConfig& c : kTConfigs) {
    INFO(std::string(c.name));
    check_gradcheck([&](const TensorList& in) { return conv_transpose2d(in[0], in[1], in[2], t_options(c)); },
                    {random_leaf({c.n, c.c, c.h, c.w}, 25), random_leaf({c.c, c.k / c.groups, c.kh, c.kw}, 26),
                     random_leaf({c.k}, 27)});
  }
}

TEST_CASE("conv_transpose2d rejects bad input") {
  const Tensor x = ones({1, 4, 5, 5});
  check_error([&] { (void)conv_transpose2d(x, ones({3, 2, 3, 3})); }, {"conv_transpose2d", "4 channels", "expects 3"});
  check_error([&] { (void)conv_transpose2d(x, ones({4, 2, 3, 3}), Tensor(), ConvTranspose2dOptions().groups(3)); },
              {"conv_transpose2d", "groups 3"});
  check_error([&] { (void)conv_transpose2d(x, ones({4, 2, 3, 3}), Tensor(), ConvTranspose2dOptions().stride(2).output_padding(2)); },
              {"conv_transpose2d", "output_padding 2", "stride 2"});
  check_error([&] { (void)conv_transpose2d(ones({1, 4, 1, 1}), ones({4, 2, 1, 1}), Tensor(), ConvTranspose2dOptions().padding(1)); },
              {"conv_transpose2d", "output size would be -1x-1"});
  check_error([&] { (void)conv_transpose2d(x, ones({4, 2, 3, 3}), ones({3})); }, {"conv_transpose2d", "bias", "[2]"});
  check_error([&] { (void)conv_transpose2d(x, ones({4, 2, 3})); }, {"conv_transpose2d", "weight must be"});
}

// ---- PyTorch goldens ----

TEST_CASE("conv2d and conv_transpose2d match PyTorch") {
  const ember::test::Golden golden("conv");
  auto i = [&](const std::string& name) { return static_cast<int64_t>(golden.scalar(name)); };
  auto check_case = [&](const std::string& name, bool transposed) {
    INFO(name);
    Tensor x = golden[name + ".x"].requires_grad_();
    Tensor w = golden[name + ".weight"].requires_grad_();
    Tensor b = golden.contains(name + ".bias") ? golden[name + ".bias"].requires_grad_() : Tensor();
    const Int2 stride(i(name + ".stride_h"), i(name + ".stride_w")), dil(i(name + ".dil_h"), i(name + ".dil_w"));
    Tensor out;
    if (transposed) {
      out = conv_transpose2d(x, w, b,
                             ConvTranspose2dOptions()
                                 .stride(stride)
                                 .padding(i(name + ".pad_h"), i(name + ".pad_w"))
                                 .output_padding({i(name + ".out_pad_h"), i(name + ".out_pad_w")})
                                 .dilation(dil)
                                 .groups(i(name + ".groups")));
    } else {
      auto options = Conv2dOptions().stride(stride).dilation(dil).groups(i(name + ".groups"));
      if (name == "same_even") {
        options.padding("same");
      } else {
        options.padding(i(name + ".pad_t"), i(name + ".pad_b"), i(name + ".pad_l"), i(name + ".pad_r"));
      }
      out = conv2d(x, w, b, options);
    }
    check_close(out, golden[name + ".out"], 1e-4, 1e-4);
    out.backward(golden[name + ".grad_out"]);
    check_close(x.grad(), golden[name + ".grad_x"], 1e-4, 1e-4);
    check_close(w.grad(), golden[name + ".grad_weight"], 1e-4, 1e-4);
    if (b.defined()) check_close(b.grad(), golden[name + ".grad_bias"], 1e-4, 1e-4);
  };
  for (const char* name : {"lenet1", "k3_p1", "pointwise", "pointwise_stride2", "depthwise", "depthwise_mult2_s2",
                           "dilated", "nonsquare_asym", "groups2", "same_even", "alex_like", "winograd",
                           "winograd_dilated", "direct_lenet2", "direct_k24"}) {
    check_case(name, false);
  }
  for (const char* name : {"t_k4_s2_p1", "t_k3_outpad", "t_groups_dil", "t_nonsquare", "t_pointwise"}) {
    check_case(name, true);
  }
}

TEST_CASE("convolutions are bitwise identical for 1 and 2 threads") {
  auto run = [] {
    TensorList results;
    for (const Config& c : {Config{"big", 8, 16, 20, 20, 32, 3, 3, 1, 1}, Config{"big_s2", 8, 16, 20, 20, 32, 3, 3, 2, 1},
                            Config{"dw", 8, 32, 20, 20, 32, 3, 3, 1, 1, 1, 32},
                            Config{"wino_many", 70, 16, 12, 12, 16, 3, 3, 1, 1},
                            Config{"wino_dilated", 9, 16, 12, 12, 16, 3, 3, 1, 2, 2},
                            Config{"pw", 8, 32, 16, 16, 16, 1, 1}, Config{"one", 1, 16, 24, 24, 32, 3, 3, 1, 1}}) {
      Tensor x = random_leaf({c.n, c.c, c.h, c.w}, 31), w = random_leaf({c.k, c.c / c.groups, c.kh, c.kw}, 32);
      Tensor b = random_leaf({c.k}, 33);
      Tensor out = conv2d(x, w, b, options_of(c));
      out.backward(random_tensor(out.shape(), 34));
      results.insert(results.end(), {out, x.grad(), w.grad(), b.grad()});
    }
    Tensor x = random_leaf({4, 16, 8, 8}, 35), w = random_leaf({16, 8, 4, 4}, 36);
    Tensor out = conv_transpose2d(x, w, Tensor(), ConvTranspose2dOptions().stride(2).padding(1));
    out.backward(random_tensor(out.shape(), 37));
    results.insert(results.end(), {out, x.grad(), w.grad()});
    return results;
  };
  TensorList one, two;
  ember::test::with_threads(1, [&] { one = run(); });
  ember::test::with_threads(2, [&] { two = run(); });
  for (size_t i = 0; i < one.size(); ++i) ember::test::check_bitwise_equal(one[i], two[i]);
}
