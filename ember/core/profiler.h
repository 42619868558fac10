#pragma once
// The op-level profiler: per-op call counts and times, forward and backward, sorted like
// PyTorch's profiler table.
//
//   ember::Profiler profiler;           // records from here ...
//   train_step();
//   std::cout << profiler.table();      // ... to here (or until it is destroyed)
//
// `ember train --profile` and `bench_train --profile` print the same table.
//
// Ops mark themselves with EMBER_PROFILE_OP("conv2d"); the autograd engine times every backward
// node under its name ("Conv2dBackward"); optimizers and the data loader mark their steps. Scopes
// nest: "self" time excludes the scopes opened inside (a backward that calls ops), "total"
// includes them. With no Profiler alive a scope costs one relaxed atomic load.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

namespace profiler {

enum class Phase { forward, backward, optimizer, data };
const char* phase_name(Phase phase);

extern std::atomic<int> active_sessions;
inline bool enabled() { return active_sessions.load(std::memory_order_relaxed) > 0; }

struct OpStat {
  std::string name;
  Phase phase = Phase::forward;
  int64_t calls = 0;
  double self_seconds = 0, total_seconds = 0;
};

// Times one op call while a Profiler is alive. The name must outlive the scope.
class Scope {
 public:
  explicit Scope(std::string_view name, Phase phase = Phase::forward) {
    if (enabled()) begin(name, phase);
  }
  ~Scope() {
    if (active_) end();
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  void begin(std::string_view name, Phase phase);
  void end();

  std::string_view name_;
  Phase phase_ = Phase::forward;
  bool active_ = false;
  std::chrono::steady_clock::time_point start_;
  double child_seconds_ = 0;
  Scope* parent_ = nullptr;
};

}  // namespace profiler

class Profiler {
 public:
  Profiler();   // clears earlier records and starts recording
  ~Profiler();  // stops recording
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  // What was recorded so far, most self time first.
  std::vector<profiler::OpStat> stats() const;
  // The stats as a table: op, phase, calls, self and total milliseconds, self %, microseconds per call.
  std::string table(size_t max_rows = 40) const;
};

}  // namespace ember

#define EMBER_PROFILE_CONCAT_(a, b) a##b
#define EMBER_PROFILE_CONCAT(a, b) EMBER_PROFILE_CONCAT_(a, b)
// Times the rest of the enclosing block as op `name` (a string literal).
#define EMBER_PROFILE_OP(name) ::ember::profiler::Scope EMBER_PROFILE_CONCAT(ember_profile_scope_, __LINE__)(name)
