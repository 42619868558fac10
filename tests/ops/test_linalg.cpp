// matmul and linear: against naive loops, gradcheck, bad input; gemm against its reference.
#include "support/helpers.h"

#include "ember/kernels/gemm.h"

using namespace ember;
using ember::test::check_close;
using ember::test::check_error;
using ember::test::check_gradcheck;
using ember::test::random_leaf;
using ember::test::random_tensor;

namespace {

// out[i,j] = sum_p a[i,p] b[p,j] in double, for 2-D tensors of any layout.
Tensor naive_matmul(const Tensor& a, const Tensor& b) {
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  std::vector<float> out(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) acc += static_cast<double>(a.at({i, p})) * b.at({p, j});
      out[i * n + j] = static_cast<float>(acc);
    }
  }
  return from_vector(out, {m, n});
}

}  // namespace

TEST_CASE("gemm matches the reference for every transpose combination and odd sizes") {
  for (auto [m, n, k] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
           {1, 1, 1}, {3, 5, 7}, {6, 784, 25}, {128, 1024, 1024}, {257, 129, 65}, {1, 300, 2}, {5, 3, 0}}) {
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        const Tensor a = random_tensor(ta ? Shape{k, m} : Shape{m, k}, 1);
        const Tensor b = random_tensor(tb ? Shape{n, k} : Shape{k, n}, 2);
        const Tensor c0 = random_tensor({m, n}, 3);
        Tensor fast = c0.clone(), ref = c0.clone();
        const int64_t lda = ta ? m : k, ldb = tb ? k : n;
        kernels::gemm(ta, tb, m, n, k, 0.5f, a.data<float>(), std::max<int64_t>(lda, 1), b.data<float>(),
                      std::max<int64_t>(ldb, 1), 2.0f, fast.data<float>(), n);
        kernels::gemm_reference(ta, tb, m, n, k, 0.5f, a.data<float>(), std::max<int64_t>(lda, 1), b.data<float>(),
                                std::max<int64_t>(ldb, 1), 2.0f, ref.data<float>(), n);
        INFO("m=" << m << " n=" << n << " k=" << k << " ta=" << ta << " tb=" << tb);
        check_close(fast, ref, 1e-4, 1e-4);
      }
    }
  }
}

TEST_CASE("gemm with beta 0 ignores garbage in C") {
  const Tensor a = random_tensor({4, 3}, 1), b = random_tensor({3, 5}, 2);
  Tensor c = full({4, 5}, NAN);
  kernels::gemm(false, false, 4, 5, 3, 1.0f, a.data<float>(), 3, b.data<float>(), 5, 0.0f, c.data<float>(), 5);
  check_close(c, naive_matmul(a, b));
}

TEST_CASE("matmul 2-D against naive loops, including transposed and sliced operands") {
  const Tensor a = random_tensor({7, 9}, 1), b = random_tensor({9, 4}, 2);
  check_close(matmul(a, b), naive_matmul(a, b));
  const Tensor at = random_tensor({9, 7}, 3).t();  // column-major view
  check_close(matmul(at, b), naive_matmul(at, b));
  const Tensor strided = random_tensor({9, 8}, 4).slice(1, 0, 8, 2);  // inner stride 2: copied
  check_close(matmul(a, strided), naive_matmul(a, strided));
  const Tensor expanded = random_tensor({1, 4}, 5).expand({9, 4});  // rows alias: copied
  check_close(matmul(a, expanded), naive_matmul(a, expanded));
  const Tensor big_a = random_tensor({200, 300}, 6), big_b = random_tensor({300, 150}, 7);
  check_close(matmul(big_a, big_b), naive_matmul(big_a, big_b), 1e-4, 1e-4);
}

TEST_CASE("matmul vector and batched forms") {
  const Tensor v = random_tensor({5}, 1), w = random_tensor({5}, 2), m = random_tensor({5, 3}, 3);
  double dot = 0;
  for (int64_t i = 0; i < 5; ++i) dot += static_cast<double>(v.at({i})) * w.at({i});
  CHECK(matmul(v, w).dim() == 0);
  CHECK(matmul(v, w).item() == doctest::Approx(dot).epsilon(1e-5));
  CHECK(matmul(v, m).shape() == Shape{3});
  check_close(matmul(v, m), naive_matmul(v.unsqueeze(0), m).squeeze(0));
  CHECK(matmul(m.t(), v).shape() == Shape{3});

  const Tensor a = random_tensor({2, 1, 3, 4}, 4), b = random_tensor({3, 4, 2}, 5);
  const Tensor out = matmul(a, b);
  REQUIRE(out.shape() == Shape{2, 3, 3, 2});
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < 3; ++j) {
      check_close(out.select(0, i).select(0, j), naive_matmul(a.select(0, i).select(0, 0), b.select(0, j)));
    }
  }
}

TEST_CASE("matmul gradients") {
  check_gradcheck([](const TensorList& x) { return matmul(x[0], x[1]); }, {random_leaf({3, 4}, 1), random_leaf({4, 5}, 2)});
  check_gradcheck([](const TensorList& x) { return matmul(x[0], x[1]); },
                  {random_leaf({2, 1, 3, 4}, 3), random_leaf({3, 4, 2}, 4)});
  check_gradcheck([](const TensorList& x) { return matmul(x[0], x[1]); }, {random_leaf({4}, 5), random_leaf({4}, 6)});
  check_gradcheck([](const TensorList& x) { return matmul(x[0], x[1]); }, {random_leaf({4}, 7), random_leaf({2, 4, 3}, 8)});
  check_gradcheck([](const TensorList& x) { return matmul(x[0].t(), x[1]); },
                  {random_leaf({4, 3}, 9), random_leaf({4, 2}, 10)});
}

TEST_CASE("matmul rejects bad input") {
  check_error([] { (void)matmul(ones({2, 3}), ones({4, 5})); }, {"matmul", "[2, 3]", "[4, 5]"});
  check_error([] { (void)matmul(ones({2, 2, 3}), ones({3, 3, 1})); }, {"matmul", "broadcast"});
  check_error([] { (void)matmul(scalar_tensor(1), ones({2})); }, {"matmul", "at least 1 dimension"});
  check_error([] { (void)matmul(labels({1, 2}), ones({2})); }, {"matmul", "float32", "int64"});
  check_error([] { (void)matmul(Tensor(), ones({2})); }, {"matmul", "undefined"});
}

TEST_CASE("linear against naive loops, with and without bias, 2-D and 3-D input") {
  const Tensor x = random_tensor({6, 5}, 1), w = random_tensor({3, 5}, 2), b = random_tensor({3}, 3);
  const Tensor expected = naive_matmul(x, w.t()) + b;
  check_close(linear(x, w, b), expected);
  check_close(linear(x, w), naive_matmul(x, w.t()));
  const Tensor x3 = random_tensor({2, 4, 5}, 4);
  check_close(linear(x3, w, b).select(0, 1), naive_matmul(x3.select(0, 1), w.t()) + b);
  const Tensor xt = random_tensor({5, 6}, 5).t();  // non-contiguous input
  check_close(linear(xt, w, b), naive_matmul(xt, w.t()) + b);
  const Tensor big_x = random_tensor({128, 1024}, 6), big_w = random_tensor({64, 1024}, 7);
  check_close(linear(big_x, big_w), naive_matmul(big_x, big_w.t()), 1e-4, 1e-4);
}

TEST_CASE("linear gradients, including a transposed weight view") {
  check_gradcheck([](const TensorList& x) { return linear(x[0], x[1], x[2]); },
                  {random_leaf({4, 5}, 1), random_leaf({3, 5}, 2), random_leaf({3}, 3)});
  check_gradcheck([](const TensorList& x) { return linear(x[0], x[1]); }, {random_leaf({2, 3, 5}, 4), random_leaf({3, 5}, 5)});
  check_gradcheck([](const TensorList& x) { return linear(x[0], x[1].t(), x[2]); },
                  {random_leaf({4, 5}, 6), random_leaf({5, 3}, 7), random_leaf({3}, 8)});
  // Only the weight requires grad: dx is not computed and not returned.
  Tensor x = random_tensor({4, 5}, 9);
  Tensor w = random_leaf({3, 5}, 10);
  linear(x, w).sum().backward();
  CHECK_FALSE(x.grad().defined());
  CHECK(w.grad().shape() == Shape{3, 5});
}

TEST_CASE("linear rejects bad input") {
  check_error([] { (void)linear(ones({4, 6}), ones({3, 5})); }, {"linear", "6 features", "expects 5"});
  check_error([] { (void)linear(ones({4, 5}), ones({5})); }, {"linear", "weight", "2-D"});
  check_error([] { (void)linear(ones({4, 5}), ones({3, 5}), ones({4})); }, {"linear", "bias", "[3]", "[4]"});
  check_error([] { (void)linear(scalar_tensor(1), ones({3, 1})); }, {"linear", "at least 1 dimension"});
  check_error([] { (void)linear(labels({1}), ones({3, 1})); }, {"linear", "int64"});
}
