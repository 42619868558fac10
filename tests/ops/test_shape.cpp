// Shape ops: values against direct indexing, view-vs-copy behaviour, gradcheck, bad input.
#include "support/helpers.h"

using namespace ember;
using ember::test::check_close;
using ember::test::check_error;
using ember::test::check_gradcheck;
using ember::test::random_leaf;
using ember::test::random_tensor;

TEST_CASE("reshape and view keep row-major order; view never copies") {
  const Tensor x = arange(24).reshape({2, 3, 4});
  CHECK(x.reshape({4, -1}).shape() == Shape{4, 6});
  CHECK(x.view({6, 4}).data<float>() == x.data<float>());
  CHECK(x.reshape({24}).to_vector() == arange(24).to_vector());
  // A permuted tensor cannot be viewed flat, but can be reshaped (with a copy).
  const Tensor p = x.permute({2, 0, 1});
  check_error([&] { (void)p.view({24}); }, {"view", "reshape"});
  const Tensor r = p.reshape({24});
  CHECK(r.at({1}) == x.at({0, 1, 0}));
  // Splitting a dim of a non-contiguous tensor is still a view.
  const Tensor t = arange(12).reshape({3, 4}).t();  // [4, 3]
  const Tensor split = t.view({2, 2, 3});
  CHECK(split.at({1, 0, 2}) == t.at({2, 2}));
  CHECK(x.flatten(1).shape() == Shape{2, 12});
  CHECK(x.flatten(0, 1).shape() == Shape{6, 4});
  CHECK(scalar_tensor(3).flatten().shape() == Shape{1});
}

TEST_CASE("permute, transpose, narrow, slice, select index the right elements") {
  const Tensor x = random_tensor({3, 4, 5}, 1);
  const Tensor p = x.permute({1, 2, 0});
  const Tensor tr = x.transpose(0, 2);
  const Tensor s = x.slice(2, 1, 5, 2);
  const Tensor n = x.narrow(1, 1, 2);
  const Tensor sel = x.select(1, -1);
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t j = 0; j < 4; ++j) {
      for (int64_t k = 0; k < 5; ++k) {
        REQUIRE(p.at({j, k, i}) == x.at({i, j, k}));
        REQUIRE(tr.at({k, j, i}) == x.at({i, j, k}));
      }
      CHECK(s.at({i, j, 0}) == x.at({i, j, 1}));
      CHECK(s.at({i, j, 1}) == x.at({i, j, 3}));
    }
    CHECK(n.at({i, 1, 4}) == x.at({i, 2, 4}));
    CHECK(sel.at({i, 2}) == x.at({i, 3, 2}));
  }
  CHECK(s.shape() == Shape{3, 4, 2});
  CHECK(x.slice(0, -2, 100).shape() == Shape{2, 4, 5});  // clamped like Python
  CHECK(x.slice(0, 2, 1).shape() == Shape{0, 4, 5});     // empty, not an error
}

TEST_CASE("expand, squeeze, unsqueeze") {
  const Tensor v = tensor({1, 2, 3});
  const Tensor e = v.expand({2, 3});
  CHECK(e.to_vector() == std::vector<float>{1, 2, 3, 1, 2, 3});
  CHECK(v.unsqueeze(1).expand({-1, 2}).to_vector() == std::vector<float>{1, 1, 2, 2, 3, 3});
  const Tensor x = zeros({1, 3, 1, 2});
  CHECK(x.squeeze().shape() == Shape{3, 2});
  CHECK(x.squeeze(2).shape() == Shape{1, 3, 2});
  CHECK(x.squeeze(1).shape() == Shape{1, 3, 1, 2});  // size 3: no-op
  CHECK(x.unsqueeze(4).shape() == Shape{1, 3, 1, 2, 1});
  CHECK(x.unsqueeze(-1).shape() == Shape{1, 3, 1, 2, 1});
  CHECK(scalar_tensor(1).unsqueeze(0).shape() == Shape{1});
}

TEST_CASE("contiguous returns the same tensor when already contiguous; clone always copies") {
  const Tensor x = random_tensor({3, 4}, 2);
  CHECK(x.contiguous().is_same(x));
  CHECK(x.clone().data<float>() != x.data<float>());
  const Tensor c = x.t().contiguous();
  CHECK(c.is_contiguous());
  check_close(c, x.t());
}

TEST_CASE("cat and stack") {
  const Tensor a = random_tensor({2, 3}, 1), b = random_tensor({4, 3}, 2), c = random_tensor({2, 5}, 3);
  const Tensor rows = cat({a, b}, 0);
  CHECK(rows.shape() == Shape{6, 3});
  check_close(rows.narrow(0, 2, 4), b);
  const Tensor cols = cat({a, c}, -1);
  CHECK(cols.shape() == Shape{2, 8});
  check_close(cols.narrow(1, 3, 5), c);
  const Tensor st = stack({a, a * 2.0f, a * 3.0f}, 1);
  CHECK(st.shape() == Shape{2, 3, 3});
  check_close(st.select(1, 2), a * 3.0f);
  CHECK(cat({labels({1}), labels({2, 3})}).to_vector<int64_t>() == std::vector<int64_t>{1, 2, 3});
}

TEST_CASE("shape op gradients") {
  check_gradcheck([](const TensorList& x) { return x[0].reshape({4, 6}) * x[1]; }, {random_leaf({2, 3, 4}, 1), random_leaf({6}, 2)});
  check_gradcheck([](const TensorList& x) { return x[0].permute({2, 0, 1}).reshape({-1}); }, {random_leaf({2, 3, 4}, 3)});
  check_gradcheck([](const TensorList& x) { return x[0].transpose(0, 1).contiguous(); }, {random_leaf({3, 4}, 4)});
  check_gradcheck([](const TensorList& x) { return x[0].slice(1, 1, 4, 2) * 2.0f; }, {random_leaf({3, 5}, 5)});
  check_gradcheck([](const TensorList& x) { return x[0].narrow(0, 1, 2); }, {random_leaf({4, 2}, 6)});
  check_gradcheck([](const TensorList& x) { return x[0].select(1, 2); }, {random_leaf({3, 4}, 7)});
  check_gradcheck([](const TensorList& x) { return x[0].expand({3, 2, 4}) * x[1]; },
                  {random_leaf({2, 1}, 8), random_leaf({3, 2, 4}, 9)});
  check_gradcheck([](const TensorList& x) { return x[0].unsqueeze(1).squeeze().flatten(); }, {random_leaf({3, 4}, 10)});
  check_gradcheck([](const TensorList& x) { return cat({x[0], x[1], x[0]}, 1); },
                  {random_leaf({2, 3}, 11), random_leaf({2, 2}, 12)});
  check_gradcheck([](const TensorList& x) { return stack({x[0], x[1]}, 0); }, {random_leaf({2, 3}, 13), random_leaf({2, 3}, 14)});
  check_gradcheck([](const TensorList& x) { return x[0].clone() * x[0]; }, {random_leaf({5}, 15)});
}

TEST_CASE("shape ops reject bad input") {
  const Tensor x = zeros({2, 3});
  check_error([&] { (void)x.reshape({4, 2}); }, {"reshape", "[2, 3]", "[4, 2]"});
  check_error([&] { (void)x.reshape({-1, -1}); }, {"reshape", "only one dimension can be -1"});
  check_error([&] { (void)x.reshape({4, -1}); }, {"reshape", "6 elements"});
  check_error([&] { (void)x.permute({0}); }, {"permute", "1 dims", "2 dimensions"});
  check_error([&] { (void)x.permute({0, 0}); }, {"permute", "twice"});
  check_error([&] { (void)x.permute({0, 2}); }, {"permute", "dim 2", "out of range"});
  check_error([&] { (void)x.transpose(0, 5); }, {"transpose", "dim 5"});
  check_error([&] { (void)x.narrow(1, 2, 2); }, {"narrow", "[2, 4)", "size 3"});
  check_error([&] { (void)x.slice(1, 0, 2, 0); }, {"slice", "step"});
  check_error([&] { (void)x.select(0, 2); }, {"select", "index 2", "size 2"});
  check_error([&] { (void)x.expand({2, 4}); }, {"expand", "size 3", "4"});
  check_error([&] { (void)x.expand({3}); }, {"expand", "fewer dimensions"});
  check_error([&] { (void)x.unsqueeze(4); }, {"unsqueeze", "dim 4"});
  check_error([&] { (void)cat({x, zeros({2, 4})}, 0); }, {"cat", "tensor 1", "[2, 4]", "[2, 3]"});
  check_error([&] { (void)cat({x, labels({1, 2, 3})}, 0); }, {"cat", "int64"});
  check_error([&] { (void)cat({}, 0); }, {"cat", "at least one"});
  check_error([&] { (void)stack({x, zeros({3, 2})}); }, {"stack", "tensor 1", "[3, 2]"});
  check_error([&] { (void)x.t().t().view({6}).view({7}); }, {"view", "6 elements"});
  check_error([&] { (void)zeros({2, 3, 4}).t(); }, {"t:", "transpose"});
}
