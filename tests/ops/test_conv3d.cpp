// conv3d: vol2col/col2vol against their naive versions, the op against naive loops, gradcheck,
// padding modes, unbatched input, PyTorch goldens, bad input, thread-count independence.
#include "ember/kernels/conv3d_kernels.h"
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
  int64_t n, c;
  Int3 in;
  int64_t k;
  Int3 kernel;
  Int3 stride = 1;
  Padding3d pad = 0;
  Int3 dilation = 1;
  int64_t groups = 1;
};

// One image (parallel GEMMs) and several (parallel images), the pointwise path (1x1x1), strides,
// asymmetric padding, dilation, groups and depthwise, a kernel as large as the input; columns
// built in several blocks of output depths (kernels::depths_per_block), the last one shorter.
const std::vector<Config> kConfigs = {
    {"k3_p1", 2, 3, {4, 5, 6}, 4, 3, 1, 1},
    {"single_image", 1, 2, {5, 4, 4}, 3, {3, 2, 3}, 1, {1, 0, 1}},
    {"strided_asym", 3, 2, {7, 6, 5}, 3, {3, 3, 2}, {2, 1, 2}, Padding3d({1, 0, 2}, {0, 2, 1})},
    {"dilated", 2, 2, {7, 7, 6}, 2, 3, 1, {2, 1, 0}, {2, 3, 1}},
    {"pointwise", 2, 4, {3, 4, 5}, 6, 1},
    {"pointwise_stride2", 2, 3, {5, 5, 4}, 2, 1, 2},
    {"groups2", 2, 4, {3, 4, 4}, 6, {2, 3, 3}, 1, Padding3d({0, 1, 1}, {1, 1, 0}), 1, 2},
    {"depthwise_mult2", 1, 3, {4, 6, 5}, 6, 3, {1, 2, 1}, 1, 1, 3},
    {"whole_input", 2, 2, {3, 3, 4}, 3, {3, 3, 4}},
    {"blocks_uneven", 2, 4, {3, 22, 22}, 3, 3, 1, 1},            // 2 + 1 output depths per block
    {"blocks_single_strided", 1, 8, {5, 48, 48}, 2, 3, 2, 1},   // 3 blocks of 1
    {"direct", 2, 3, {4, 16, 16}, 5, 3, 1, 1},                   // the direct kernel (direct_conv.h)
    {"direct_asym_dilated", 1, 4, {3, 18, 17}, 6, 3, 1, Padding3d({1, 0, 2}, {1, 2, 0}), {2, 1, 1}},
    // Winograd (kd x 3 x 3, stride 1, >= 16 channels): clipped tiles, asymmetric padding, a
    // kernel depth of 2, one image (parallel products).
    {"winograd", 2, 16, {4, 9, 7}, 17, 3, 1, 1},
    {"winograd_asym_kd2", 1, 16, {5, 8, 10}, 16, {2, 3, 3}, 1, Padding3d({0, 2, 1}, {1, 0, 2})},
};

int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t before, int64_t after, int64_t d) {
  return (in + before + after - d * (k - 1) - 1) / s + 1;
}

Shape out_shape(const Config& c) {
  return {c.n, c.k, out_size(c.in.d, c.kernel.d, c.stride.d, c.pad.before.d, c.pad.after.d, c.dilation.d),
          out_size(c.in.h, c.kernel.h, c.stride.h, c.pad.before.h, c.pad.after.h, c.dilation.h),
          out_size(c.in.w, c.kernel.w, c.stride.w, c.pad.before.w, c.pad.after.w, c.dilation.w)};
}

// Straight from the definition, in double.
Tensor naive_conv3d(const Tensor& x, const Tensor& w, const Tensor& b, const Config& c) {
  const Shape shape = out_shape(c);
  const int64_t od = shape[2], oh = shape[3], ow = shape[4];
  const int64_t cg = c.c / c.groups, kg = c.k / c.groups;
  std::vector<float> out;
  for (int64_t n = 0; n < c.n; ++n)
    for (int64_t k = 0; k < c.k; ++k)
      for (int64_t z = 0; z < od; ++z)
        for (int64_t y = 0; y < oh; ++y)
          for (int64_t v = 0; v < ow; ++v) {
            double acc = b.defined() ? b.at({k}) : 0.0;
            for (int64_t ci = 0; ci < cg; ++ci)
              for (int64_t a = 0; a < c.kernel.d; ++a)
                for (int64_t i = 0; i < c.kernel.h; ++i)
                  for (int64_t j = 0; j < c.kernel.w; ++j) {
                    const int64_t id = z * c.stride.d - c.pad.before.d + a * c.dilation.d;
                    const int64_t ih = y * c.stride.h - c.pad.before.h + i * c.dilation.h;
                    const int64_t iw = v * c.stride.w - c.pad.before.w + j * c.dilation.w;
                    if (id < 0 || id >= c.in.d || ih < 0 || ih >= c.in.h || iw < 0 || iw >= c.in.w) continue;
                    acc += static_cast<double>(x.at({n, (k / kg) * cg + ci, id, ih, iw})) * w.at({k, ci, a, i, j});
                  }
            out.push_back(static_cast<float>(acc));
          }
  return from_vector(out, shape);
}

Conv3dOptions options_of(const Config& c) {
  return Conv3dOptions().stride(c.stride).padding(c.pad).dilation(c.dilation).groups(c.groups);
}

Shape x_shape(const Config& c) { return {c.n, c.c, c.in.d, c.in.h, c.in.w}; }
Shape w_shape(const Config& c) { return {c.k, c.c / c.groups, c.kernel.d, c.kernel.h, c.kernel.w}; }

}  // namespace

TEST_CASE("vol2col and col2vol match their naive versions") {
  for (const Config& c : kConfigs) {
    INFO(std::string(c.name));
    const Shape out = out_shape(c);
    const kernels::VolGeometry g{c.c,        c.in.d,     c.in.h,          c.in.w,          c.kernel.d,
                                 c.kernel.h, c.kernel.w, out[2],          out[3],          out[4],
                                 c.stride.d, c.stride.h, c.stride.w,      c.pad.before.d,  c.pad.before.h,
                                 c.pad.before.w,         c.dilation.d,    c.dilation.h,    c.dilation.w};
    const Tensor x = random_tensor({c.c, c.in.d, c.in.h, c.in.w}, 41);
    Tensor cols = full({g.col_rows(), g.col_cols()}, 7.0f), expected = zeros({g.col_rows(), g.col_cols()});
    kernels::vol2col(x.data<float>(), g, cols.data<float>());
    kernels::vol2col_reference(x.data<float>(), g, expected.data<float>());
    ember::test::check_bitwise_equal(cols, expected);
    // A block of output depths is the matching slice of the whole matrix, and col2vol of the
    // blocks adds up to col2vol of the whole.
    const int64_t plane = out[3] * out[4];
    Tensor blocks_back = zeros(x.shape()), whole_back = zeros(x.shape());
    kernels::col2vol(expected.data<float>(), g, whole_back.data<float>());
    for (int64_t d0 = 0; d0 < g.out_d; d0 += 2) {
      const int64_t d1 = std::min(d0 + 2, g.out_d), width = (d1 - d0) * plane;
      Tensor block = empty({g.col_rows(), width});
      kernels::vol2col(x.data<float>(), g, block.data<float>(), d0, d1);
      ember::test::check_bitwise_equal(block, expected.narrow(1, d0 * plane, width).contiguous());
      kernels::col2vol(block.data<float>(), g, blocks_back.data<float>(), d0, d1);
    }
    check_close(blocks_back, whole_back, 1e-5, 1e-5);
    // col2vol accumulates: both start from the same values.
    const Tensor spread = random_tensor({g.col_rows(), g.col_cols()}, 42);
    Tensor back = random_tensor(x.shape(), 43), back_expected = back.clone();
    kernels::col2vol(spread.data<float>(), g, back.data<float>());
    kernels::col2vol_reference(spread.data<float>(), g, back_expected.data<float>());
    check_close(back, back_expected, 1e-6, 1e-6);
  }
}

TEST_CASE("conv3d's column blocks: the configurations above really span several") {
  // blocks_uneven: 108 rows x 22*22 columns per output depth -> 2 depths per block (of 3).
  kernels::Conv3dPlan plan{2, 4, 3, 1, {4, 3, 22, 22, 3, 3, 3, 3, 22, 22, 1, 1, 1, 1, 1, 1, 1, 1, 1}, false};
  CHECK(kernels::depths_per_block(plan) == 2);
  // blocks_single_strided: 216 rows x 24*24 columns per depth -> 1 depth per block (of 3).
  plan = {1, 8, 2, 1, {8, 5, 48, 48, 3, 3, 3, 3, 24, 24, 2, 2, 2, 1, 1, 1, 1, 1, 1}, false};
  CHECK(kernels::depths_per_block(plan) == 1);
  plan.pointwise = true;  // no columns built: one block
  CHECK(kernels::depths_per_block(plan) == 3);
}

TEST_CASE("conv3d matches naive loops, with and without bias") {
  for (const Config& c : kConfigs) {
    INFO(std::string(c.name));
    const Tensor x = random_tensor(x_shape(c), 1), w = random_tensor(w_shape(c), 2), b = random_tensor({c.k}, 3);
    check_close(conv3d(x, w, b, options_of(c)), naive_conv3d(x, w, b, c), 1e-4, 1e-4);
    check_close(conv3d(x, w, Tensor(), options_of(c)), naive_conv3d(x, w, Tensor(), c), 1e-4, 1e-4);
  }
}

TEST_CASE("conv3d's Winograd and direct paths agree with the forced general path (vol2col + GEMM)") {
  for (const Config& c : kConfigs) {
    INFO(std::string(c.name));
    Tensor x1 = random_leaf(x_shape(c), 1), w1 = random_leaf(w_shape(c), 2);
    Tensor x2 = random_leaf(x_shape(c), 1), w2 = random_leaf(w_shape(c), 2);
    const Tensor fast = conv3d(x1, w1, Tensor(), options_of(c));
    const Tensor general = conv3d(x2, w2, Tensor(), options_of(c).algorithm(ConvAlgorithm::im2col));
    check_close(fast, general, 1e-4, 1e-4);
    // Winograd rounds differently, so equal bits there would mean the flag changed nothing.
    if (std::string(c.name) == "winograd") CHECK(sum(abs(sub(fast, general))).item() > 0.0);
    fast.sum().backward();
    general.sum().backward();
    check_close(x1.grad(), x2.grad(), 1e-4, 1e-4);
    check_close(w1.grad(), w2.grad(), 1e-4, 1e-4);
  }
}

TEST_CASE("conv3d gradients") {
  // Linear in each input: large steps are exact and keep float32 rounding (Winograd's, a few 1e-6
  // of the output) from swamping the difference (as in test_conv.cpp).
  const auto linear = autograd::GradcheckOptions().step(0.5).second_step(0.25);
  for (const Config& c : kConfigs) {
    INFO(std::string(c.name));
    check_gradcheck([&](const TensorList& in) { return conv3d(in[0], in[1], in[2], options_of(c)); },
                    {random_leaf(x_shape(c), 4), random_leaf(w_shape(c), 5), random_leaf({c.k}, 6)}, linear);
  }
  // With a frozen weight, only the input's gradient is computed, and it is the same.
  Tensor x1 = random_leaf({2, 2, 3, 4, 4}, 7), x2 = random_leaf({2, 2, 3, 4, 4}, 7);
  Tensor frozen = random_tensor({3, 2, 2, 2, 2}, 8), trained = random_leaf({3, 2, 2, 2, 2}, 8);
  conv3d(x1, frozen).sum().backward();
  conv3d(x2, trained).sum().backward();
  CHECK_FALSE(frozen.grad().defined());
  ember::test::check_bitwise_equal(x1.grad(), x2.grad());
}

TEST_CASE("conv3d padding modes") {
  const Tensor x = random_tensor({1, 2, 5, 6, 4}, 11), w = random_tensor({3, 2, 2, 4, 3}, 12);
  Config c{"", 1, 2, {5, 6, 4}, 3, {2, 4, 3}};
  c.pad = Padding3d({0, 1, 1}, {1, 2, 1});  // "same": an odd total goes to the back/bottom/right
  check_close(conv3d(x, w, Tensor(), Conv3dOptions().padding("same")), naive_conv3d(x, w, Tensor(), c), 1e-4, 1e-4);
  CHECK(conv3d(x, w, Tensor(), Conv3dOptions().padding("same")).shape() == Shape{1, 3, 5, 6, 4});
  c.pad = 0;
  check_close(conv3d(x, w, Tensor(), Conv3dOptions().padding("valid")), naive_conv3d(x, w, Tensor(), c), 1e-4, 1e-4);
  c.pad = Padding3d(1, 3, 2);
  check_close(conv3d(x, w, Tensor(), Conv3dOptions().padding("full")), naive_conv3d(x, w, Tensor(), c), 1e-4, 1e-4);
  CHECK(conv3d(x, w, Tensor(), Conv3dOptions().padding("full")).shape() == Shape{1, 3, 6, 9, 6});
  c.dilation = Int3(2, 1, 2);
  c.pad = Padding3d({1, 1, 2}, {1, 2, 2});
  check_close(conv3d(x, w, Tensor(), Conv3dOptions().padding("same").dilation({2, 1, 2})),
              naive_conv3d(x, w, Tensor(), c), 1e-4, 1e-4);
}

TEST_CASE("conv3d accepts an unbatched [C, D, H, W] input and non-contiguous tensors") {
  const Tensor x = random_tensor({2, 4, 5, 5}, 13), w = random_tensor({3, 2, 3, 3, 3}, 14);
  const Tensor out = conv3d(x, w, Tensor(), Conv3dOptions().padding(1));
  CHECK(out.shape() == Shape{3, 4, 5, 5});
  check_close(out, conv3d(x.unsqueeze(0), w, Tensor(), Conv3dOptions().padding(1)).squeeze(0));
  check_gradcheck([](const TensorList& in) { return conv3d(in[0], in[1], in[2], Conv3dOptions().padding(1)); },
                  {random_leaf({2, 3, 3, 4}, 15), random_leaf({2, 2, 2, 3, 2}, 16), random_leaf({2}, 17)});
  const Tensor strided = random_tensor({2, 2, 4, 5, 5}, 18).transpose(0, 1);  // [2, 2, 4, 5, 5], strided
  CHECK_FALSE(strided.is_contiguous());
  Config c{"", 2, 2, {4, 5, 5}, 3, 3, 1, 1};
  check_close(conv3d(strided, w, Tensor(), options_of(c)), naive_conv3d(strided, w, Tensor(), c), 1e-4, 1e-4);
}

TEST_CASE("conv3d rejects bad input, naming the op and the shapes") {
  const Tensor x = ones({2, 3, 6, 6, 6});
  const Tensor w = ones({4, 3, 3, 3, 3});
  check_error([&] { (void)conv3d(x, ones({4, 6, 3, 3, 3})); },
              {"conv3d", "3 channels", "expects 6", "[2, 3, 6, 6, 6]", "[4, 6, 3, 3, 3]"});
  check_error([&] { (void)conv3d(x, ones({4, 3, 3, 3})); }, {"conv3d", "weight must be [out_channels", "[4, 3, 3, 3]"});
  check_error([&] { (void)conv3d(ones({3, 6, 6}), w); }, {"conv3d", "input must be [N, C, D, H, W] or [C, D, H, W]", "[3, 6, 6]"});
  check_error([&] { (void)conv3d(ones({1, 1, 3, 6, 6, 6}), w); }, {"conv3d", "input must be", "[1, 1, 3, 6, 6, 6]"});
  check_error([&] { (void)conv3d(x, ones({4, 1, 3, 3, 3}), Tensor(), Conv3dOptions().groups(2)); }, {"conv3d", "groups 2", "(3)"});
  check_error([&] { (void)conv3d(x, ones({5, 1, 3, 3, 3}), Tensor(), Conv3dOptions().groups(3)); }, {"conv3d", "groups 3", "(5)"});
  check_error([&] { (void)conv3d(x, w, ones({3})); }, {"conv3d", "bias must be [4]", "[3]"});
  check_error([&] { (void)conv3d(x, w, Tensor(), Conv3dOptions().stride({1, 0, 1})); }, {"conv3d", "stride", "(1, 0, 1)"});
  check_error([&] { (void)conv3d(x, w, Tensor(), Conv3dOptions().dilation(0)); }, {"conv3d", "dilation", "got 0"});
  check_error([&] { (void)conv3d(x, w, Tensor(), Conv3dOptions().padding(1, -1, 0)); }, {"conv3d", "padding", "(1, -1, 0)"});
  check_error([&] { (void)conv3d(x, w, Tensor(), Conv3dOptions().groups(-1)); }, {"conv3d", "groups", "-1"});
  check_error([&] { (void)conv3d(x, ones({4, 3, 3, 0, 3})); }, {"conv3d", "at least 1x1x1", "[4, 3, 3, 0, 3]"});
  check_error([&] { (void)conv3d(x, ones({4, 3, 3, 7, 3})); },
              {"conv3d", "larger than the padded input (6x6x6)", "[2, 3, 6, 6, 6]"});
  check_error([&] { (void)conv3d(x, w, Tensor(), Conv3dOptions().dilation({1, 1, 3})); },
              {"conv3d", "spanning 3x3x7", "(1, 1, 3)"});
  check_error([&] { (void)conv3d(x, w, Tensor(), Conv3dOptions().padding("same").stride({1, 2, 1})); },
              {"conv3d", "same", "stride 1", "(1, 2, 1)"});
  check_error([] { (void)Conv3dOptions().padding("ful"); }, {"conv3d", "full", "\"ful\""});
  check_error([] { (void)conv3d(ones({1, 2, 4, 4, 4}), ones({3, 2, 3, 3, 3}), Tensor(), Conv3dOptions(4, 3, 3)); },
              {"conv3d", "in_channels 4", "input has 2 channels"});
  check_error([&] { (void)conv3d(to_dtype(x, DType::i64), w); }, {"conv3d", "input", "int64"});
  check_error([&] { (void)conv3d(x, Tensor()); }, {"conv3d", "weight", "undefined"});
}

TEST_CASE("conv3d matches PyTorch") {
  const ember::test::Golden golden("conv_nd");
  auto i = [&](const std::string& name) { return static_cast<int64_t>(golden.scalar(name)); };
  for (const char* name : {"c3_k3_p1", "c3_stride_dil", "c3_groups", "c3_depthwise", "c3_pointwise_nobias",
                           "c3_same_even", "c3_unbatched", "c3_winograd"}) {
    const std::string n = name;
    INFO(n);
    Tensor x = golden[n + ".x"].requires_grad_(), w = golden[n + ".weight"].requires_grad_();
    Tensor b = golden.contains(n + ".bias") ? golden[n + ".bias"].requires_grad_() : Tensor();
    auto options = Conv3dOptions()
                       .stride({i(n + ".stride_d"), i(n + ".stride_h"), i(n + ".stride_w")})
                       .dilation({i(n + ".dil_d"), i(n + ".dil_h"), i(n + ".dil_w")})
                       .groups(i(n + ".groups"));
    if (golden.contains(n + ".mode_same")) {
      options.padding("same");
    } else {
      options.padding(Padding3d({i(n + ".pad_f"), i(n + ".pad_t"), i(n + ".pad_l")},
                                {i(n + ".pad_bk"), i(n + ".pad_b"), i(n + ".pad_r")}));
    }
    Tensor out = conv3d(x, w, b, options);
    check_close(out, golden[n + ".out"], 1e-4, 1e-4);
    out.backward(golden[n + ".grad_out"]);
    check_close(x.grad(), golden[n + ".grad_x"], 1e-4, 1e-4);
    check_close(w.grad(), golden[n + ".grad_weight"], 1e-4, 1e-4);
    if (b.defined()) check_close(b.grad(), golden[n + ".grad_bias"], 1e-4, 1e-4);
  }
}

TEST_CASE("conv3d is bitwise identical for 1 and 2 threads") {
  auto run = [] {
    TensorList results;
    for (const Config& c : {Config{"batched", 10, 8, {6, 10, 10}, 16, 3, 1, 1},
                            Config{"one", 1, 16, {8, 12, 12}, 16, 3, {1, 2, 2}, 1},
                            Config{"groups", 4, 8, {5, 8, 8}, 8, {1, 3, 3}, 1, {0, 1, 1}, 1, 4},
                            Config{"pw", 3, 16, {4, 8, 8}, 8, 1},
                            Config{"blocks", 3, 8, {4, 24, 24}, 8, 3, 1, 1},
                            Config{"blocks_one", 1, 8, {4, 24, 24}, 8, 3, 1, 1}}) {
      Tensor x = random_leaf(x_shape(c), 31), w = random_leaf(w_shape(c), 32), b = random_leaf({c.k}, 33);
      Tensor out = conv3d(x, w, b, options_of(c));
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
