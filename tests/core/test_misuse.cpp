// Tensor API misuse (issue 7): out-of-range indices, views outliving what they view, a second
// backward without retain_graph, and backward through a tensor written in place after it was
// saved. Each gets an ember::Error naming the op; the views must stay valid (run under ASan by
// .ci/run). Mismatched shapes are in test_misuse_shapes.cpp, undefined and moved-from tensors in
// test_misuse_undefined.cpp, NaN/Inf in test_misuse_nonfinite.cpp.
#include "support/helpers.h"

using namespace ember;
using ember::test::check_error;
using ember::test::random_leaf;
using ember::test::random_tensor;

// ---- out-of-range indices ----

TEST_CASE("at() and set() take negative indices from the end and refuse anything outside") {
  const Tensor t = arange(6).reshape({2, 3});
  CHECK(t.at({-1, -1}) == 5.0f);
  CHECK(t.at({-2, 0}) == 0.0f);
  check_error([&] { (void)t.at({2, 0}); }, {"tensor index", "index 2", "dimension 0 of size 2", "[2, 3]"});
  check_error([&] { (void)t.at({0, -4}); }, {"tensor index", "index -4", "dimension 1 of size 3"});
  check_error([&] { t.set({0, 3}, 1.0f); }, {"tensor index", "index 3", "dimension 1 of size 3"});
  check_error([&] { (void)t.at({1}); }, {"tensor index", "1 indices", "2 dimensions", "[2, 3]"});
  check_error([&] { (void)t.at({0, 0, 0}); }, {"tensor index", "3 indices", "2 dimensions"});
  // A failed set() writes nothing and does not bump the version.
  CHECK(t.version() == 0);
  // Bounds are those of the view, not of the storage behind it.
  const Tensor column = t.select(1, 2);
  CHECK(column.at({1}) == 5.0f);
  check_error([&] { (void)column.at({2}); }, {"tensor index", "index 2", "dimension 0 of size 2"});
}

TEST_CASE("size(), stride() and every dim argument refuse dims outside [-ndim, ndim)") {
  const Tensor t = zeros({2, 3});
  CHECK(t.size(-1) == 3);
  check_error([&] { (void)t.size(2); }, {"size:", "dim 2", "2 dimensions", "-2 to 1"});
  check_error([&] { (void)t.stride(-3); }, {"stride:", "dim -3", "-2 to 1"});
  check_error([&] { (void)t.transpose(0, -3); }, {"transpose:", "dim -3"});
  check_error([&] { (void)t.unsqueeze(3); }, {"unsqueeze:", "dim 3", "-3 to 2"});
  check_error([&] { (void)t.flatten(0, 2); }, {"flatten:", "dim 2"});
  check_error([&] { (void)t.softmax(-3); }, {"softmax:", "dim -3"});
  check_error([&] { (void)t.argmax(2); }, {"argmax:", "dim 2"});
  check_error([&] { (void)cat({t, t}, 2); }, {"cat:", "dim 2"});
  check_error([&] { (void)stack({t, t}, 4); }, {"stack:", "dim 4", "-3 to 2"});
}

TEST_CASE("select, narrow and slice: indices and ranges outside the dim") {
  const Tensor t = arange(12).reshape({3, 4});
  CHECK(t.select(0, -1).at({0}) == 8.0f);
  check_error([&] { (void)t.select(0, 3); }, {"select:", "index 3", "dimension 0 of size 3", "[3, 4]"});
  check_error([&] { (void)t.select(1, -5); }, {"select:", "index -5", "dimension 1 of size 4"});
  check_error([&] { (void)scalar_tensor(1).select(0, 0); }, {"select:", "0-d"});
  CHECK(t.narrow(1, -2, 2).at({0, 0}) == 2.0f);
  check_error([&] { (void)t.narrow(1, 3, 2); }, {"narrow:", "[3, 5)", "dimension 1 of size 4"});
  check_error([&] { (void)t.narrow(1, -5, 1); }, {"narrow:", "[-1, 0)", "dimension 1 of size 4"});
  check_error([&] { (void)t.narrow(0, 0, -1); }, {"narrow:", "[0, -1)", "dimension 0 of size 3"});
  // slice clamps its bounds like Python's (and PyTorch's) slicing; only a bad step or dim is an error.
  CHECK(t.slice(1, -100, 100).shape() == Shape{3, 4});
  CHECK(t.slice(1, 3, 1).shape() == Shape{3, 0});
  check_error([&] { (void)t.slice(1, 0, 4, 0); }, {"slice:", "step", "at least 1", "got 0"});
  check_error([&] { (void)t.slice(2, 0, 1); }, {"slice:", "dim 2"});
}

TEST_CASE("class indices outside [0, C) in the losses") {
  const Tensor logits = zeros({2, 3});
  check_error([&] { (void)cross_entropy(logits, labels({0, 3})); },
              {"cross_entropy:", "target 3", "position 1", "3 classes"});
  check_error([&] { (void)cross_entropy(logits, labels({-1, 0})); }, {"cross_entropy:", "target -1", "position 0"});
  check_error([&] { (void)nll_loss(logits, labels({1, 7})); }, {"nll_loss:", "target 7", "3 classes"});
}

TEST_CASE("a raw view reaching outside its storage is refused") {
  const Tensor t = zeros({2, 3});
  check_error([&] { (void)make_view(t, {2, 4}, {4, 1}, 0); }, {"view:", "[2, 4]", "reaches outside", "6 elements"});
  check_error([&] { (void)make_view(t, {3}, {1}, 4); }, {"view:", "offset 4", "6 elements"});
  check_error([&] { (void)make_view(t, {2}, {-1}, 0); }, {"view:", "outside"});
}

// ---- views and saved tensors outliving the tensors they came from ----

TEST_CASE("a view keeps its storage alive after the base tensor is gone") {
  Tensor row, column, expanded, reshaped;
  {
    const Tensor base = arange(12).reshape({3, 4});
    row = base.select(0, 1);
    column = base.t().select(0, 2);
    expanded = base.slice(0, 0, 1).expand({5, 4});
    reshaped = base.view({12}).narrow(0, 4, 4);
  }
  // Fill fresh storages of the base's size class: had the base's block gone back to the caching
  // allocator, these would take it and overwrite the views' data (and ASan, which poisons cached
  // blocks, would report the reads below). Emptying the cache must not touch live blocks either.
  std::vector<Tensor> fillers;
  for (int i = 0; i < 8; ++i) fillers.push_back(full({3, 4}, -1.0f));
  empty_cache();
  CHECK(row.to_vector() == std::vector<float>{4, 5, 6, 7});
  CHECK(column.to_vector() == std::vector<float>{2, 6, 10});
  CHECK(expanded.at({4, 3}) == 3.0f);
  CHECK(reshaped.to_vector() == std::vector<float>{4, 5, 6, 7});
  // The views still work as op inputs and as write targets.
  CHECK(sum(row).item() == 22.0f);
  NoGradGuard no_grad;
  row.add_(1.0f);
  CHECK(reshaped.to_vector() == std::vector<float>{5, 6, 7, 8});
}

TEST_CASE("backward works after the user dropped every handle on the graph's inputs") {
  const Tensor w = random_leaf({3, 4}, 1);
  Tensor loss;
  {
    const Tensor x = random_tensor({2, 4}, 2);
    const Tensor hidden = relu(linear(x, w)).t();  // a view of a saved output
    loss = sum(hidden * hidden);
  }
  loss.backward();
  REQUIRE(w.grad().defined());
  CHECK(w.grad().shape() == Shape{3, 4});
  // A gradient handle outlives the leaf it belongs to.
  Tensor grad;
  {
    const Tensor leaf = random_leaf({4}, 3);
    sum(leaf * 2.0f).backward();
    grad = leaf.grad();
  }
  CHECK(grad.to_vector() == std::vector<float>{2, 2, 2, 2});
}

// ---- a second backward without retain_graph ----

TEST_CASE("a second backward through a freed graph names the node and retain_graph") {
  const Tensor x = random_leaf({3}, 4);
  const Tensor y = sum(ember::exp(x) * x);
  y.backward();
  check_error([&] { y.backward(); }, {"backward", "second time", "retain_graph=true"});
  // Every kind of node refuses, not only those that saved tensors: SumBackward saved nothing.
  const Tensor z = sum(x);
  z.backward();
  check_error([&] { z.backward(); }, {"SumBackward", "second time"});
}

TEST_CASE("retain_graph keeps the graph for another backward, which accumulates") {
  const Tensor x = random_leaf({3}, 5);
  const Tensor y = sum(x * x);
  y.backward(Tensor(), /*retain_graph=*/true);
  const std::vector<float> once = x.grad().to_vector();
  y.backward();
  const std::vector<float> twice = x.grad().to_vector();
  for (size_t i = 0; i < once.size(); ++i) CHECK(twice[i] == doctest::Approx(2 * once[i]));
  // The first node the second pass reaches is the one named.
  check_error([&] { y.backward(); }, {"SumBackward", "second time"});
}

namespace {
struct Square : autograd::Function<Square> {
  static Tensor forward(autograd::FunctionCtx& ctx, const Tensor& x) {
    ctx.save_for_backward({x});
    return x * x;
  }
  static TensorList backward(autograd::FunctionCtx& ctx, const TensorList& grad) {
    return {grad[0] * 2.0f * ctx.saved()[0]};
  }
};
}  // namespace

TEST_CASE("user-defined Functions refuse a second backward and in-place changes too") {
  const Tensor x = random_leaf({3}, 6);
  const Tensor y = Square::apply(x);
  y.backward(ones({3}));
  check_error([&] { y.backward(ones({3})); }, {"Square", "second time", "retain_graph=true"});

  const Tensor z = sum(Square::apply(x));
  {
    NoGradGuard no_grad;
    x.mul_(2.0f);  // Square saved x
  }
  check_error([&] { z.backward(); }, {"Square", "modified by an in-place operation", "version was 0", "now 1"});
}

// ---- backward through a tensor written in place after it was saved ----

TEST_CASE("an in-place write to a saved tensor fails backward, naming the node and both versions") {
  const Tensor w = random_leaf({3}, 8);
  SUBCASE("an input that needs no grad, written by add_") {
    const Tensor a = random_tensor({3}, 9);
    const Tensor y = sum(a * w);  // MulBackward saved a
    a.add_(1.0f);
    check_error([&] { y.backward(); },
                {"backward of MulBackward", "float32 [3]", "modified by an in-place operation", "version was 0",
                 "now 1", "clone()"});
  }
  SUBCASE("an op's own saved output, written under NoGradGuard") {
    const Tensor y = ember::exp(w);  // ExpBackward saved its output
    const Tensor loss = sum(y * 1.0f);
    {
      NoGradGuard no_grad;
      y.mul_(2.0f).add_(1.0f);
    }
    check_error([&] { loss.backward(); }, {"ExpBackward", "version was 0", "now 2"});
  }
  SUBCASE("through another view of the same storage, by set() and copy_") {
    const Tensor a = random_tensor({2, 3}, 10);
    const Tensor y = sum(matmul(a.select(0, 1), w));  // MatmulBackward saved the view
    a.set({0, 0}, 5.0f);                              // another row, same storage: still a write
    a.select(1, 0).copy_(zeros({}));
    check_error([&] { y.backward(); }, {"MatmulBackward", "version was 0", "now 2"});
  }
  SUBCASE("a write to a tensor the graph did not save is fine, as in PyTorch") {
    const Tensor a = random_tensor({3}, 11);
    const Tensor y = sum(a + w);  // AddBackward saves nothing
    a.fill_(0.0f);
    y.backward();
    CHECK(w.grad().to_vector() == std::vector<float>{1, 1, 1});
  }
}

TEST_CASE("in-place updates of tensors that require grad need NoGradGuard; expanded views are refused") {
  const Tensor w = random_leaf({3}, 12);
  check_error([&] { w.add_(1.0f); }, {"add_:", "requires grad", "float32 [3]", "NoGradGuard"});
  check_error([&] { w.copy_(zeros({3})); }, {"copy_:", "requires grad", "NoGradGuard"});
  const Tensor y = w * 2.0f;
  check_error([&] { y.zero_(); }, {"zero_:", "requires grad"});
  const Tensor e = zeros({1, 3}).expand({4, 3});
  check_error([&] { e.add_(1.0f); }, {"add_:", "expanded view", "float32 [4, 3]", "clone()"});
}
