// The op-level profiler: what it records, how nested scopes split self and total time, and that
// nothing is recorded without a live Profiler.
#include "support/helpers.h"

using namespace ember;
using ember::test::random_leaf;
using ember::test::random_tensor;

namespace {

const profiler::OpStat* find(const std::vector<profiler::OpStat>& stats, const std::string& name, profiler::Phase phase) {
  for (const auto& s : stats) {
    if (s.name == name && s.phase == phase) return &s;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the profiler counts forward ops, backward nodes and optimizer steps") {
  const Tensor w = random_leaf({4, 2, 3, 3}, 1);
  const Tensor x = random_tensor({2, 2, 6, 6}, 2);
  optim::SGD sgd({w}, optim::SGDOptions(0.1));
  Profiler profiler;
  for (int i = 0; i < 3; ++i) {
    sgd.zero_grad();
    sum(relu(conv2d(x, w))).backward();
    sgd.step();
  }
  const auto stats = profiler.stats();
  const auto* conv = find(stats, "conv2d", profiler::Phase::forward);
  const auto* conv_back = find(stats, "Conv2dBackward", profiler::Phase::backward);
  const auto* relu_fwd = find(stats, "relu", profiler::Phase::forward);
  const auto* step = find(stats, "SGD", profiler::Phase::optimizer);
  REQUIRE(conv != nullptr);
  REQUIRE(conv_back != nullptr);
  REQUIRE(relu_fwd != nullptr);
  REQUIRE(step != nullptr);
  CHECK(conv->calls == 3);
  CHECK(conv_back->calls == 3);
  CHECK(relu_fwd->calls == 3);
  CHECK(step->calls == 3);
  for (const auto& s : stats) {
    CHECK(s.self_seconds >= 0);
    CHECK(s.self_seconds <= s.total_seconds + 1e-12);
  }
  // Sorted by self time, most first.
  for (size_t i = 1; i < stats.size(); ++i) CHECK(stats[i - 1].self_seconds >= stats[i].self_seconds);
  const std::string table = profiler.table();
  CHECK(table.find("Conv2dBackward") != std::string::npos);
  CHECK(table.find("self ms") != std::string::npos);
}

TEST_CASE("a scope opened inside another one is the parent's child time, not its self time") {
  Profiler profiler;
  {
    EMBER_PROFILE_OP("outer");
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
    {
      EMBER_PROFILE_OP("inner");
      while (std::chrono::steady_clock::now() < until) {
      }
    }
  }
  const auto stats = profiler.stats();
  const auto* outer = find(stats, "outer", profiler::Phase::forward);
  const auto* inner = find(stats, "inner", profiler::Phase::forward);
  REQUIRE(outer != nullptr);
  REQUIRE(inner != nullptr);
  CHECK(inner->total_seconds >= 0.019);
  CHECK(outer->total_seconds >= inner->total_seconds);
  CHECK(outer->self_seconds < outer->total_seconds - 0.019);
}

TEST_CASE("nothing is recorded without a live Profiler, and a new one starts empty") {
  {
    Profiler first;
    (void)relu(random_tensor({8}, 3));
    CHECK(find(first.stats(), "relu", profiler::Phase::forward) != nullptr);
  }
  CHECK_FALSE(profiler::enabled());
  (void)relu(random_tensor({8}, 4));
  Profiler second;
  CHECK(second.stats().empty());
}
