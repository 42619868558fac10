// Threading: set_num_threads really limits, and results do not depend on the thread count.
#include <mutex>
#include <set>
#include <thread>

#include "support/helpers.h"

using namespace ember;
using ember::test::check_bitwise_equal;
using ember::test::random_leaf;
using ember::test::random_tensor;
using ember::test::with_threads;

namespace {

// Distinct OS threads that ran chunks of a parallel_for with enough work to spread out.
size_t threads_used() {
  std::mutex mutex;
  std::set<std::thread::id> ids;
  parallel_for(0, 64, 1, [&](int64_t, int64_t) {
    volatile double sink = 0;
    for (int i = 0; i < 200000; ++i) sink = sink + i;
    std::lock_guard lock(mutex);
    ids.insert(std::this_thread::get_id());
  });
  return ids.size();
}

}  // namespace

TEST_CASE("set_num_threads caps the threads a parallel region uses") {
  with_threads(1, [] {
    CHECK(get_num_threads() == 1);
    CHECK(threads_used() == 1);
  });
  with_threads(2, [] {
    CHECK(get_num_threads() == 2);
    CHECK(threads_used() <= 2);
  });
  ember::test::check_error([] { set_num_threads(0); }, {"set_num_threads", "at least 1"});
}

TEST_CASE("parallel_for covers the range exactly once") {
  std::vector<int> hits(10007, 0);
  parallel_for(0, 10007, 100, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) ++hits[i];
  });
  for (int h : hits) REQUIRE(h == 1);
  int calls = 0;
  parallel_for(5, 5, 1, [&](int64_t, int64_t) { ++calls; });
  CHECK(calls == 0);
}

TEST_CASE("forward and backward are bitwise identical for 1 and 2 threads") {
  auto run = [] {
    Tensor x = random_leaf({256, 300}, 1);
    Tensor w = random_leaf({200, 300}, 2);
    Tensor b = random_leaf({200}, 3);
    Tensor w2 = random_leaf({10, 200}, 4);
    Tensor targets = randint(0, 10, {256}, nullptr);
    Generator gen(5);
    targets = randint(0, 10, {256}, &gen);
    Tensor h = linear(x, w, b).tanh();
    Tensor logits = matmul(h, w2.t());
    Tensor loss = cross_entropy(logits, targets) + softmax(logits, 0).sum() * 1e-3f + h.mean() +
                  sum(x * x, {1}).sqrt().sum();
    loss.backward();
    return TensorList{loss, h, x.grad(), w.grad(), b.grad(), w2.grad()};
  };
  TensorList one, two;
  with_threads(1, [&] { one = run(); });
  with_threads(2, [&] { two = run(); });
  for (size_t i = 0; i < one.size(); ++i) check_bitwise_equal(one[i], two[i]);
}

TEST_CASE("large reductions and GEMMs are bitwise identical for 1 and 2 threads") {
  const Tensor big = random_tensor({1024, 1024}, 9);
  const Tensor a = random_tensor({300, 500}, 10), b = random_tensor({500, 700}, 11);
  TensorList one, two;
  auto run = [&] { return TensorList{big.sum(), big.sum({0}), big.sum({1}), big.t().sum({0}), matmul(a, b)}; };
  with_threads(1, [&] { one = run(); });
  with_threads(2, [&] { two = run(); });
  for (size_t i = 0; i < one.size(); ++i) check_bitwise_equal(one[i], two[i]);
}
