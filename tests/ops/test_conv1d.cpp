// conv1d: naive loops (on every conv2d path it runs as), gradcheck, padding modes, unbatched
// input, PyTorch goldens, bad input, thread-count independence.
#include "support/golden.h"
#include "support/helpers.h"

using namespace ember;
using ember::test::check_close;
using ember::test::check_error;
using ember::test::check_gradcheck;
using ember::test::random_leaf;
using ember::test::random_tensor;

namespace {

struct Config {
  const char* name;
  int64_t n, c, length, k, kernel;
  int64_t stride = 1;
  int64_t pad_left = 0, pad_right = 0;
  int64_t dilation = 1;
  int64_t groups = 1;
};

// Reaches the conv2d paths conv1d runs on: im2col (one image, and several per GEMM), pointwise,
// depthwise (stride 1 and strided, multiplier 2), grouped, dilated, asymmetric padding.
const std::vector<Config> kConfigs = {
    {"k3_p1", 2, 3, 11, 4, 3, 1, 1, 1},
    {"single_image", 1, 4, 9, 5, 5, 1, 2, 2},
    {"batched_strided", 9, 2, 13, 3, 4, 2, 1, 2},
    {"dilated_asym", 3, 3, 14, 2, 3, 3, 0, 2, 2},
    {"pointwise", 2, 6, 7, 4, 1},
    {"pointwise_stride2", 2, 4, 9, 3, 1, 2},
    {"groups2", 2, 4, 10, 6, 3, 1, 1, 0, 1, 2},
    {"depthwise", 2, 5, 12, 5, 3, 1, 1, 1, 1, 5},
    {"depthwise_mult2_s2_dilated", 3, 3, 15, 6, 3, 2, 2, 1, 2, 3},
    {"long_kernel", 2, 2, 8, 3, 8},
    {"direct", 2, 8, 40, 9, 5, 1, 2, 2},
    {"direct_dilated_asym", 3, 7, 37, 8, 5, 1, 5, 1, 2},
    // Winograd F(4, 5) (5 taps, stride 1, >= 16 channels): clipped last tile, asymmetric padding,
    // padding past the kernel (the input gradient's is then negative).
    {"winograd_row", 3, 16, 45, 17, 5, 1, 2, 2},
    {"winograd_row_asym", 2, 17, 30, 16, 5, 1, 4, 1},
    {"winograd_row_wide_pad", 1, 16, 20, 16, 5, 1, 6, 0},
};

// Straight from the definition, in double.
Tensor naive_conv1d(const Tensor& x, const Tensor& w, const Tensor& b, const Config& c) {
  const int64_t ol = (c.length + c.pad_left + c.pad_right - c.dilation * (c.kernel - 1) - 1) / c.stride + 1;
  const int64_t cg = c.c / c.groups, kg = c.k / c.groups;
  std::vector<float> out(static_cast<size_t>(c.n * c.k * ol));
  for (int64_t n = 0; n < c.n; ++n)
    for (int64_t k = 0; k < c.k; ++k)
      for (int64_t o = 0; o < ol; ++o) {
        double acc = b.defined() ? b.at({k}) : 0.0;
        for (int64_t ci = 0; ci < cg; ++ci)
          for (int64_t j = 0; j < c.kernel; ++j) {
            const int64_t i = o * c.stride - c.pad_left + j * c.dilation;
            if (i < 0 || i >= c.length) continue;
            acc += static_cast<double>(x.at({n, (k / kg) * cg + ci, i})) * w.at({k, ci, j});
          }
        out[static_cast<size_t>((n * c.k + k) * ol + o)] = static_cast<float>(acc);
      }
  return from_vector(out, {c.n, c.k, ol});
}

Conv1dOptions options_of(const Config& c) {
  return Conv1dOptions().stride(c.stride).padding(c.pad_left, c.pad_right).dilation(c.dilation).groups(c.groups);
}

}  // namespace

TEST_CASE("conv1d matches naive loops, with and without bias, forced im2col included") {
  for (const Config& c : kConfigs) {
    INFO(std::string(c.name));
    const Tensor x = random_tensor({c.n, c.c, c.length}, 1);
    const Tensor w = random_tensor({c.k, c.c / c.groups, c.kernel}, 2);
    const Tensor b = random_tensor({c.k}, 3);
    const Tensor expected = naive_conv1d(x, w, b, c);
    check_close(conv1d(x, w, b, options_of(c)), expected, 1e-4, 1e-4);
    check_close(conv1d(x, w, b, options_of(c).algorithm(ConvAlgorithm::im2col)), expected, 1e-4, 1e-4);
    check_close(conv1d(x, w, Tensor(), options_of(c)), naive_conv1d(x, w, Tensor(), c), 1e-4, 1e-4);
  }
}

TEST_CASE("conv1d gradients") {
  // Linear in each input: large steps are exact and keep float32 rounding (Winograd's, a few 1e-6
  // of the output) from swamping the difference (as in test_conv.cpp).
  const auto linear = autograd::GradcheckOptions().step(0.5).second_step(0.25);
  for (const Config& c : kConfigs) {
    INFO(std::string(c.name));
    check_gradcheck([&](const TensorList& in) { return conv1d(in[0], in[1], in[2], options_of(c)); },
                    {random_leaf({c.n, c.c, c.length}, 4), random_leaf({c.k, c.c / c.groups, c.kernel}, 5),
                     random_leaf({c.k}, 6)},
                    linear);
  }
  // With a frozen weight, only the input's gradient is computed, and it is the same.
  Tensor x1 = random_leaf({2, 3, 8}, 7), x2 = random_leaf({2, 3, 8}, 7);
  Tensor frozen = random_tensor({4, 3, 3}, 8), trained = random_leaf({4, 3, 3}, 8);
  conv1d(x1, frozen).sum().backward();
  conv1d(x2, trained).sum().backward();
  CHECK_FALSE(frozen.grad().defined());
  ember::test::check_bitwise_equal(x1.grad(), x2.grad());
}

TEST_CASE("conv1d padding modes") {
  const Tensor x = random_tensor({2, 3, 9}, 11), w = random_tensor({4, 3, 4}, 12);
  Config c{"", 2, 3, 9, 4, 4};
  c.pad_left = 1;
  c.pad_right = 2;  // "same" for a kernel of 4: the odd total goes to the right, as PyTorch
  check_close(conv1d(x, w, Tensor(), Conv1dOptions().padding("same")), naive_conv1d(x, w, Tensor(), c), 1e-4, 1e-4);
  CHECK(conv1d(x, w, Tensor(), Conv1dOptions().padding("same")).shape() == Shape{2, 4, 9});
  c.pad_left = c.pad_right = 0;
  check_close(conv1d(x, w, Tensor(), Conv1dOptions().padding("valid")), naive_conv1d(x, w, Tensor(), c), 1e-4, 1e-4);
  CHECK(conv1d(x, w, Tensor(), Conv1dOptions().padding("valid")).shape() == Shape{2, 4, 6});
  c.pad_left = c.pad_right = 3;
  check_close(conv1d(x, w, Tensor(), Conv1dOptions().padding("full")), naive_conv1d(x, w, Tensor(), c), 1e-4, 1e-4);
  CHECK(conv1d(x, w, Tensor(), Conv1dOptions().padding("full")).shape() == Shape{2, 4, 12});
  c.dilation = 3;
  c.pad_left = 4;
  c.pad_right = 5;
  check_close(conv1d(x, w, Tensor(), Conv1dOptions().padding("same").dilation(3)), naive_conv1d(x, w, Tensor(), c),
              1e-4, 1e-4);
  // An explicit padding after a mode replaces it.
  CHECK(conv1d(x, w, Tensor(), Conv1dOptions().padding("same").padding(0)).shape() == Shape{2, 4, 6});
}

TEST_CASE("conv1d accepts an unbatched [C, L] input") {
  const Tensor x = random_tensor({3, 10}, 13), w = random_tensor({2, 3, 3}, 14), b = random_tensor({2}, 15);
  const Tensor out = conv1d(x, w, b, Conv1dOptions().padding(1).stride(2));
  CHECK(out.shape() == Shape{2, 5});
  check_close(out, conv1d(x.unsqueeze(0), w, b, Conv1dOptions().padding(1).stride(2)).squeeze(0));
  check_gradcheck([](const TensorList& in) { return conv1d(in[0], in[1], in[2], Conv1dOptions().padding(1)); },
                  {random_leaf({3, 7}, 16), random_leaf({2, 3, 3}, 17), random_leaf({2}, 18)});
}

TEST_CASE("conv1d works on non-contiguous input and weight") {
  const Tensor x = random_tensor({3, 2, 9}, 19).transpose(0, 1);  // [2, 3, 9], strided
  const Tensor w = random_tensor({3, 4, 3}, 20).transpose(0, 1);  // [4, 3, 3], strided
  CHECK_FALSE(x.is_contiguous());
  Config c{"", 2, 3, 9, 4, 3, 2, 1, 1};
  check_close(conv1d(x, w, Tensor(), options_of(c)), naive_conv1d(x, w, Tensor(), c), 1e-4, 1e-4);
}

TEST_CASE("conv1d rejects bad input, naming the op and the shapes") {
  const Tensor x = ones({2, 3, 8});
  check_error([&] { (void)conv1d(x, ones({4, 6, 3})); }, {"conv1d", "3 channels", "expects 6", "[2, 3, 8]", "[4, 6, 3]"});
  check_error([&] { (void)conv1d(x, ones({4, 3, 3, 3})); }, {"conv1d", "weight must be [out_channels", "[4, 3, 3, 3]"});
  check_error([&] { (void)conv1d(ones({8}), ones({4, 3, 3})); }, {"conv1d", "input must be [N, C, L] or [C, L]", "[8]"});
  check_error([&] { (void)conv1d(ones({1, 2, 3, 8}), ones({4, 3, 3})); }, {"conv1d", "input must be", "[1, 2, 3, 8]"});
  check_error([&] { (void)conv1d(x, ones({4, 1, 3}), Tensor(), Conv1dOptions().groups(2)); }, {"conv1d", "groups 2", "(3)"});
  check_error([&] { (void)conv1d(x, ones({5, 1, 3}), Tensor(), Conv1dOptions().groups(3)); }, {"conv1d", "groups 3", "(5)"});
  check_error([&] { (void)conv1d(x, ones({4, 3, 3}), ones({5})); }, {"conv1d", "bias must be [4]", "[5]"});
  check_error([&] { (void)conv1d(x, ones({4, 3, 3}), ones({4, 1})); }, {"conv1d", "bias must be [4]", "[4, 1]"});
  check_error([&] { (void)conv1d(x, ones({4, 3, 3}), Tensor(), Conv1dOptions().stride(0)); }, {"conv1d", "stride", "got 0"});
  check_error([&] { (void)conv1d(x, ones({4, 3, 3}), Tensor(), Conv1dOptions().dilation(-1)); }, {"conv1d", "dilation", "-1"});
  check_error([&] { (void)conv1d(x, ones({4, 3, 3}), Tensor(), Conv1dOptions().padding(0, -2)); }, {"conv1d", "padding", "(0, -2)"});
  check_error([&] { (void)conv1d(x, ones({4, 3, 3}), Tensor(), Conv1dOptions().groups(0)); }, {"conv1d", "groups", "got 0"});
  check_error([&] { (void)conv1d(x, ones({4, 3, 0})); }, {"conv1d", "kernel must be at least 1", "[4, 3, 0]"});
  check_error([&] { (void)conv1d(x, ones({4, 3, 9})); }, {"conv1d", "longer than the padded input (8)", "[2, 3, 8]"});
  check_error([&] { (void)conv1d(x, ones({4, 3, 3}), Tensor(), Conv1dOptions().dilation(4)); },
              {"conv1d", "spanning 9 with dilation 4", "(8)"});
  check_error([&] { (void)conv1d(x, ones({4, 3, 3}), Tensor(), Conv1dOptions().padding("same").stride(2)); },
              {"conv1d", "same", "stride 1", "stride 2"});
  check_error([] { (void)Conv1dOptions().padding("sam"); }, {"conv1d", "valid", "\"sam\""});
  check_error([] { (void)conv1d(ones({2, 3, 9}), ones({4, 3, 3}), Tensor(), Conv1dOptions(3, 4, 5)); },
              {"conv1d", "kernel_size 5", "kernel is 3"});
  check_error([&] { (void)conv1d(to_dtype(x, DType::i64), ones({4, 3, 3})); }, {"conv1d", "input", "int64"});
  check_error([&] { (void)conv1d(x, ones({4, 3, 3}), to_dtype(ones({4}), DType::i64)); }, {"conv1d", "bias", "int64"});
  check_error([&] { (void)conv1d(x, Tensor()); }, {"conv1d", "weight", "undefined"});
}

TEST_CASE("conv1d matches PyTorch") {
  const ember::test::Golden golden("conv_nd");
  auto i = [&](const std::string& name) { return static_cast<int64_t>(golden.scalar(name)); };
  for (const char* name : {"c1_k3_p1", "c1_stride_dil", "c1_groups", "c1_depthwise", "c1_pointwise_nobias",
                           "c1_same_even", "c1_valid", "c1_asym", "c1_unbatched", "c1_winograd"}) {
    const std::string n = name;
    INFO(n);
    Tensor x = golden[n + ".x"].requires_grad_(), w = golden[n + ".weight"].requires_grad_();
    Tensor b = golden.contains(n + ".bias") ? golden[n + ".bias"].requires_grad_() : Tensor();
    auto options = Conv1dOptions().stride(i(n + ".stride")).dilation(i(n + ".dil")).groups(i(n + ".groups"));
    if (golden.contains(n + ".mode_same")) {
      options.padding("same");
    } else if (golden.contains(n + ".mode_valid")) {
      options.padding("valid");
    } else {
      options.padding(i(n + ".pad_l"), i(n + ".pad_r"));
    }
    Tensor out = conv1d(x, w, b, options);
    check_close(out, golden[n + ".out"], 1e-4, 1e-4);
    out.backward(golden[n + ".grad_out"]);
    check_close(x.grad(), golden[n + ".grad_x"], 1e-4, 1e-4);
    check_close(w.grad(), golden[n + ".grad_weight"], 1e-4, 1e-4);
    if (b.defined()) check_close(b.grad(), golden[n + ".grad_bias"], 1e-4, 1e-4);
  }
}

TEST_CASE("conv1d is bitwise identical for 1 and 2 threads") {
  auto run = [] {
    TensorList results;
    for (const Config& c : {Config{"batched", 16, 16, 200, 32, 5, 1, 2, 2}, Config{"one", 1, 32, 400, 32, 3, 2, 1, 1},
                            Config{"dw", 8, 32, 300, 32, 7, 1, 3, 3, 1, 32}, Config{"pw", 8, 32, 256, 16, 1}}) {
      Tensor x = random_leaf({c.n, c.c, c.length}, 31), w = random_leaf({c.k, c.c / c.groups, c.kernel}, 32);
      Tensor b = random_leaf({c.k}, 33);
      Tensor out = conv1d(x, w, b, options_of(c));
      out.backward(random_tensor(out.shape(), 34));
      results.insert(results.end(), {out, x.grad(), w.grad(), b.grad()});
    }
    return results;
  };
  TensorList one, two;
  ember::test::with_threads(1, [&] { one = run(); });
  ember::test::with_threads(2, [&] { two = run(); });
  for (size_t i = 0; i < one.size(); ++i) ember::test::check_bitwise_equal(one[i], two[i]);
}
