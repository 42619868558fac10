// The backward engine: accumulation, un-broadcasting, retain_graph, version checks, graph lifetime.
#include "support/helpers.h"

using namespace ember;
using ember::test::check_close;
using ember::test::check_error;

TEST_CASE("gradients of a simple expression") {
  Tensor x = tensor({1, 2, 3}).requires_grad_();
  Tensor y = (x * x).sum();
  y.backward();
  check_close(x.grad(), tensor({2, 4, 6}));
  CHECK(x.is_leaf());
  CHECK_FALSE(y.is_leaf());
  CHECK(y.grad_fn()->name() == "SumBackward");
}

TEST_CASE("a tensor used twice receives the sum of both gradients") {
  Tensor x = tensor({1, -2}).requires_grad_();
  Tensor y = (x * x + x * 3.0f).sum();  // dy/dx = 2x + 3
  y.backward();
  check_close(x.grad(), tensor({5, -1}));
}

TEST_CASE(".grad accumulates across backward calls until zero_grad") {
  Tensor x = tensor({1, 2}).requires_grad_();
  (x * 2.0f).sum().backward();
  (x * 3.0f).sum().backward();
  check_close(x.grad(), tensor({5, 5}));
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
  (x * 4.0f).sum().backward();
  check_close(x.grad(), tensor({4, 4}));
}

TEST_CASE("accumulated .grad never aliases another leaf's gradient") {
  Tensor a = tensor({1, 1}).requires_grad_();
  Tensor b = tensor({1, 1}).requires_grad_();
  (a + b).sum().backward();  // both receive the very same gradient tensor
  (a * 2.0f).sum().backward();
  check_close(a.grad(), tensor({3, 3}));
  check_close(b.grad(), tensor({1, 1}));
}

TEST_CASE("gradients of broadcast inputs are summed back to their shapes") {
  Tensor a = ember::test::random_leaf({2, 3, 4}, 1);
  Tensor b = ember::test::random_leaf({3, 1}, 2);
  Tensor c = ember::test::random_leaf({4}, 3);
  Tensor s = scalar_tensor(2.0f).requires_grad_();
  ((a + b) * c * s).sum().backward();
  CHECK(b.grad().shape() == Shape{3, 1});
  CHECK(c.grad().shape() == Shape{4});
  CHECK(s.grad().shape() == Shape{});
  // db[j] = sum over i, k of c[k] * s
  const float c_sum = c.sum().item();
  for (int64_t j = 0; j < 3; ++j) CHECK(b.grad().at({j, 0}) == doctest::Approx(2 * c_sum * 2.0f).epsilon(1e-5));
}

TEST_CASE("backward needs a scalar or an explicit gradient of the right shape") {
  Tensor x = ones({2, 2}).requires_grad_();
  Tensor y = x * 2.0f;
  check_error([&] { y.backward(); }, {"one-element", "[2, 2]"});
  check_error([&] { y.backward(ones({3})); }, {"[3]", "[2, 2]"});
  y.backward(full({2, 2}, 0.5f));
  check_close(x.grad(), full({2, 2}, 1.0f));
  check_error([] { ones({1}).backward(); }, {"does not require grad"});
}

TEST_CASE("a second backward needs retain_graph") {
  Tensor x = tensor({1, 2}).requires_grad_();
  Tensor y = (x * x).sum();
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();
  check_close(x.grad(), tensor({4, 8}));
  check_error([&] { y.backward(); }, {"second time", "retain_graph"});
}

TEST_CASE("modifying a saved tensor in place makes backward throw") {
  Tensor x = tensor({1, 2, 3}).requires_grad_();
  Tensor w = tensor({4, 5, 6});
  Tensor y = (x * w).sum();  // saves w for dx
  {
    NoGradGuard no_grad;
    w.mul_(2.0f);
  }
  check_error([&] { y.backward(); }, {"MulBackward", "modified by an in-place operation", "version was 0", "now 1"});
}

TEST_CASE("an in-place write through a view is seen by the saved base") {
  Tensor x = tensor({1, 2, 3}).requires_grad_();
  Tensor e = x.exp();  // saves its output
  Tensor y = e.sum();
  Tensor view = e.detach().narrow(0, 0, 1);
  view.fill_(0.0f);
  check_error([&] { y.backward(); }, {"ExpBackward", "in-place"});
}

TEST_CASE("in-place updates of tensors that require grad need NoGradGuard") {
  Tensor w = ones({2}).requires_grad_();
  check_error([&] { w.add_(1.0f); }, {"add_", "NoGradGuard"});
  {
    NoGradGuard no_grad;
    w.add_(1.0f);
  }
  CHECK(w.at({0}) == 2.0f);
  Tensor expanded = ones({1}).expand({3});
  check_error([&] { expanded.add_(1.0f); }, {"add_", "expanded"});
}

TEST_CASE("only the needed gradients are computed") {
  Tensor a = ember::test::random_tensor({3, 4}, 1);
  Tensor b = ember::test::random_leaf({4, 2}, 2);
  matmul(a, b).sum().backward();
  CHECK_FALSE(a.grad().defined());
  CHECK(b.grad().defined());
  const Tensor y = a * b.sum();  // a does not require grad; the node's mask says so
  CHECK_FALSE(y.grad_fn()->needs_input_grad(0));
  CHECK(y.grad_fn()->needs_input_grad(1));
}

TEST_CASE("NoGradGuard stops recording and restores the mode") {
  Tensor x = ones({2}).requires_grad_();
  {
    NoGradGuard no_grad;
    Tensor y = x * 2.0f;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
    CHECK_FALSE(autograd::is_grad_enabled());
  }
  CHECK(autograd::is_grad_enabled());
  CHECK((x * 2.0f).requires_grad());
}

TEST_CASE("detach shares data but not history") {
  Tensor x = ones({2}).requires_grad_();
  Tensor y = x * 3.0f;
  Tensor d = y.detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.is_leaf());
  CHECK(d.data<float>() == y.data<float>());
  check_error([&] { y.requires_grad_(false); }, {"leaf", "MulBackward"});
  check_error([] { labels({1}).requires_grad_(); }, {"float32"});
}

TEST_CASE("the graph is freed after backward, so a training loop does not grow") {
  Tensor w = ember::test::random_leaf({16, 8}, 1);
  Tensor x = ember::test::random_tensor({4, 8}, 2);
  const int64_t before = autograd::live_node_count();
  for (int step = 0; step < 200; ++step) {
    Tensor loss = linear(x, w).relu().pow(2.0f).mean();
    loss.backward();
    NoGradGuard no_grad;
    w.add_(w.grad(), -0.01f);
    w.zero_grad();
  }
  CHECK(autograd::live_node_count() == before);
}

TEST_CASE("very deep graphs run backward and are destroyed without recursion") {
  Tensor x = scalar_tensor(1.0f).requires_grad_();
  const int64_t before = autograd::live_node_count();
  {
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = y + 1.0f;
    y.backward();
    CHECK(y.item() == 100001.0f);
  }
  CHECK(x.grad().item() == 1.0f);
  CHECK(autograd::live_node_count() == before);
}

TEST_CASE("errors inside a backward name the node") {
  Tensor x = tensor({1, 2}).requires_grad_();
  Tensor w = tensor({3, 4});
  Tensor y = (x / w).sum();
  {
    NoGradGuard no_grad;
    w.zero_();
  }
  check_error([&] { y.backward(); }, {"backward of DivBackward"});
}
