// Fused ops (conv2d_relu, batch_norm2d_relu) and nn::Sequential's fusion: bit-identical to the
// unfused pair, forward and backward, on every conv path; gradcheck; PyTorch goldens.
#include "support/golden.h"
#include "support/helpers.h"

using namespace ember;
using ember::test::check_bitwise_equal;
using ember::test::check_close;
using ember::test::check_gradcheck;
using ember::test::Golden;
using ember::test::random_leaf;
using ember::test::random_tensor;
using ember::test::with_threads;

namespace {

struct ConvCase {
  const char* name;
  Shape x, w;
  Conv2dOptions options;
};

// One case per conv path: several images per GEMM (even and uneven blocks), one image per GEMM,
// direct (a single-channel input, output channels on lanes), depthwise, pointwise, Winograd,
// grouped.
std::vector<ConvCase> conv_cases() {
  return {{"batched_im2col", {8, 3, 9, 9}, {3, 3, 3, 3}, Conv2dOptions().padding(1)},
          {"batched_uneven", {9, 2, 7, 6}, {4, 2, 5, 5}, Conv2dOptions().padding(2).stride(2)},
          {"one_image", {1, 3, 9, 9}, {5, 3, 3, 3}, Conv2dOptions().padding(1)},
          {"single_channel", {16, 1, 12, 12}, {6, 1, 5, 5}, Conv2dOptions().padding(2)},
          {"direct_channels", {5, 6, 10, 10}, {16, 6, 5, 5}, Conv2dOptions()},
          {"depthwise", {4, 6, 8, 8}, {6, 1, 3, 3}, Conv2dOptions().padding(1).groups(6)},
          {"pointwise", {4, 8, 5, 5}, {6, 8, 1, 1}, Conv2dOptions()},
          {"winograd", {3, 16, 8, 8}, {16, 16, 3, 3}, Conv2dOptions().padding(1)},
          {"groups2", {4, 4, 7, 7}, {6, 2, 3, 3}, Conv2dOptions().groups(2)}};
}

// out, dx, dw, db of f(x, w, b) after backward with a fixed upstream gradient.
TensorList forward_backward(const std::function<Tensor(const Tensor&, const Tensor&, const Tensor&)>& f,
                            const ConvCase& c) {
  Tensor x = random_leaf(c.x, 1), w = random_leaf(c.w, 2, -0.5f, 0.5f), b = random_leaf({c.w[0]}, 3, -0.2f, 0.2f);
  Tensor out = f(x, w, b);
  out.backward(random_tensor(out.shape(), 4));
  return {out, x.grad(), w.grad(), b.grad()};
}

}  // namespace

TEST_CASE("conv2d_relu is bit-identical to relu(conv2d) on every conv path, forward and backward") {
  for (const ConvCase& c : conv_cases()) {
    INFO(c.name);
    const TensorList fused =
        forward_backward([&](const Tensor& x, const Tensor& w, const Tensor& b) { return conv2d_relu(x, w, b, c.options); }, c);
    const TensorList pair =
        forward_backward([&](const Tensor& x, const Tensor& w, const Tensor& b) { return relu(conv2d(x, w, b, c.options)); }, c);
    for (size_t i = 0; i < fused.size(); ++i) check_bitwise_equal(fused[i], pair[i]);
  }
}

TEST_CASE("conv2d_relu does not depend on the thread count") {
  for (const ConvCase& c : conv_cases()) {
    INFO(c.name);
    auto run = [&] {
      return forward_backward(
          [&](const Tensor& x, const Tensor& w, const Tensor& b) { return conv2d_relu(x, w, b, c.options); }, c);
    };
    TensorList one, two;
    with_threads(1, [&] { one = run(); });
    with_threads(2, [&] { two = run(); });
    for (size_t i = 0; i < one.size(); ++i) check_bitwise_equal(one[i], two[i]);
  }
}

TEST_CASE("conv2d_relu gradcheck") {
  check_gradcheck([](const TensorList& in) { return conv2d_relu(in[0], in[1], in[2], Conv2dOptions().padding(1)); },
                  {random_leaf({4, 2, 5, 5}, 5), random_leaf({3, 2, 3, 3}, 6), random_leaf({3}, 7)});
  check_gradcheck(
      [](const TensorList& in) { return conv2d_relu(in[0], in[1], in[2], Conv2dOptions().padding(1).groups(2)); },
      {random_leaf({2, 2, 4, 4}, 8), random_leaf({2, 1, 3, 3}, 9), random_leaf({2}, 10)});
}

TEST_CASE("batch_norm2d_relu is bit-identical to relu(batch_norm2d), training and eval") {
  for (bool training : {true, false}) {
    INFO("training " << training);
    auto run = [&](bool fused) {
      Tensor x = random_leaf({4, 3, 5, 6}, 11, -2.0f, 2.0f), w = random_leaf({3}, 12), b = random_leaf({3}, 13);
      Tensor mean = random_tensor({3}, 14, -0.1f, 0.1f), var = random_tensor({3}, 15, 0.5f, 1.5f);
      Tensor out = fused ? batch_norm2d_relu(x, mean, var, w, b, training)
                         : relu(batch_norm2d(x, mean, var, w, b, training));
      out.backward(random_tensor(out.shape(), 16));
      return TensorList{out, x.grad(), w.grad(), b.grad(), mean, var};
    };
    const TensorList fused = run(true), pair = run(false);
    for (size_t i = 0; i < fused.size(); ++i) check_bitwise_equal(fused[i], pair[i]);
  }
}

TEST_CASE("batch_norm2d_relu gradcheck") {
  check_gradcheck(
      [](const TensorList& in) { return batch_norm2d_relu(in[0], Tensor(), Tensor(), in[1], in[2], true); },
      {random_leaf({3, 2, 3, 3}, 17, -2.0f, 2.0f), random_leaf({2}, 18), random_leaf({2}, 19)});
}

TEST_CASE("fused ops match PyTorch's relu(conv2d) and relu(batch_norm)") {
  const Golden golden("fused");
  auto i = [&](const std::string& name) { return static_cast<int64_t>(golden.scalar(name)); };
  for (const std::string name : {"single_channel_b8", "k3_b9_uneven", "k5_s2_b8", "depthwise_b4", "pointwise_b4",
                                 "direct_lenet2_b5"}) {
    INFO(name);
    Tensor x = golden[name + ".x"].requires_grad_(), w = golden[name + ".weight"].requires_grad_();
    Tensor b = golden[name + ".bias"].requires_grad_();
    Tensor out = conv2d_relu(
        x, w, b, Conv2dOptions().stride(i(name + ".stride")).padding(i(name + ".pad")).groups(i(name + ".groups")));
    check_close(out, golden[name + ".out"], 1e-4, 1e-4);
    out.backward(golden[name + ".grad_out"]);
    check_close(x.grad(), golden[name + ".grad_x"], 1e-4, 1e-4);
    check_close(w.grad(), golden[name + ".grad_weight"], 1e-4, 1e-4);
    check_close(b.grad(), golden[name + ".grad_bias"], 1e-4, 1e-4);
  }
  for (const std::string name : {"bn_relu", "bn_relu_one_image"}) {
    INFO(name);
    Tensor x = golden[name + ".x"].requires_grad_(), w = golden[name + ".weight"].requires_grad_();
    Tensor b = golden[name + ".bias"].requires_grad_();
    Tensor out = batch_norm2d_relu(x, Tensor(), Tensor(), w, b, true, 0.1f, static_cast<float>(golden.scalar(name + ".eps")));
    check_close(out, golden[name + ".out"], 1e-4, 1e-4);
    out.backward(golden[name + ".grad_out"]);
    check_close(x.grad(), golden[name + ".grad_x"], 1e-4, 1e-4);
    check_close(w.grad(), golden[name + ".grad_weight"], 1e-4, 1e-4);
    check_close(b.grad(), golden[name + ".grad_bias"], 1e-4, 1e-4);
  }
}

TEST_CASE("the fusion pass fuses Conv2d+ReLU and BatchNorm2d+ReLU in a Sequential, with the same results as layer by layer") {
  auto make = [] {
    manual_seed(3);
    return nn::sequential({std::make_shared<nn::Conv2d>(nn::Conv2dOptions(2, 4, 3).padding(1)),
                           std::make_shared<nn::ReLU>(),
                           std::make_shared<nn::Conv2d>(nn::Conv2dOptions(4, 4, 3).padding(1).bias(false)),
                           std::make_shared<nn::BatchNorm2d>(4), std::make_shared<nn::ReLU>(),
                           std::make_shared<nn::ReLU>()});  // a second ReLU has nothing to fuse with
  };
  const Tensor input = random_tensor({3, 2, 6, 6}, 20);
  auto net = make();
  CHECK(nn::fuse_relu(*net) == std::vector<std::string>{"0", "3"});
  CHECK(nn::fuse_relu(*net).empty());  // once is all there is
  CHECK(net->skipped(1));
  CHECK(net->skipped(4));
  CHECK_FALSE(net->skipped(5));
  Profiler profiler;
  Tensor fused_out = (*net)(input);
  const auto stats = profiler.stats();
  auto called = [&](const std::string& op) {
    for (const auto& s : stats) {
      if (s.name == op) return s.calls;
    }
    return int64_t{0};
  };
  CHECK(called("conv2d_relu") == 1);
  CHECK(called("batch_norm2d_relu") == 1);
  CHECK(called("conv2d") == 1);
  CHECK(called("relu") == 1);
  fused_out.sum().backward();

  auto reference = make();  // not fused: every module runs
  Tensor out;
  {
    Profiler unfused;
    out = (*reference)(input);
    for (const auto& s : unfused.stats()) CHECK(s.name != "conv2d_relu");
  }
  out.sum().backward();
  check_bitwise_equal(fused_out, out);
  const TensorList a = net->parameters(), b = reference->parameters();
  for (size_t i = 0; i < a.size(); ++i) check_bitwise_equal(a[i].grad(), b[i].grad());
  const auto buffers_a = net->buffers(), buffers_b = reference->buffers();
  for (size_t i = 0; i < buffers_a.size(); ++i) check_bitwise_equal(buffers_a[i], buffers_b[i]);
}

TEST_CASE("summary() shows what the fusion pass did") {
  auto net = nn::sequential({std::make_shared<nn::Conv2d>(nn::Conv2dOptions(1, 2, 3)), std::make_shared<nn::ReLU>()});
  const std::string before = nn::summary(*net, {1, 1, 5, 5});
  CHECK(before.find("0 (Conv2d) ") != std::string::npos);
  CHECK(before.find("1 (ReLU)") != std::string::npos);
  nn::fuse_relu(*net);
  const std::string after = nn::summary(*net, {1, 1, 5, 5});
  INFO(after);
  CHECK(after.find("0 (Conv2d+ReLU)") != std::string::npos);
  CHECK(after.find("(ReLU)") == std::string::npos);
}

TEST_CASE("fused ops reject bad input with the op's errors") {
  using ember::test::check_error;
  const Tensor x = random_tensor({2, 3, 6, 6}, 21);
  check_error([&] { (void)conv2d_relu(x, random_tensor({4, 2, 3, 3}, 22)); }, {"conv2d", "3 channels", "weight expects 2"});
  check_error([&] { (void)conv2d_relu(x, random_tensor({4, 3, 3, 3}, 23), random_tensor({5}, 24)); },
              {"conv2d", "bias", "[4]"});
  check_error([&] { (void)batch_norm2d_relu(random_tensor({2, 3}, 25), Tensor(), Tensor(), Tensor(), Tensor(), true); },
              {"batch_norm2d", "4-D"});
  check_error([&] { (void)batch_norm2d_relu(x, Tensor(), Tensor(), random_tensor({2}, 26), Tensor(), true); },
              {"batch_norm2d", "weight", "3 channels"});
}
