#include "ember/core/profiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

namespace ember {

namespace profiler {

std::atomic<int> active_sessions{0};

namespace {

struct Records {
  std::mutex mutex;
  std::map<std::pair<std::string, Phase>, OpStat, std::less<>> stats;
};

Records& records() {
  static Records r;
  return r;
}

// The innermost open scope of this thread, so a scope can tell its parent how long it ran.
thread_local Scope* innermost = nullptr;

}  // namespace

const char* phase_name(Phase phase) {
  switch (phase) {
    case Phase::forward:
      return "forward";
    case Phase::backward:
      return "backward";
    case Phase::optimizer:
      return "optimizer";
    case Phase::data:
      return "data";
  }
  return "?";
}

void Scope::begin(std::string_view name, Phase phase) {
  name_ = name;
  phase_ = phase;
  active_ = true;
  parent_ = innermost;
  innermost = this;
  start_ = std::chrono::steady_clock::now();
}

void Scope::end() {
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  innermost = parent_;
  if (parent_) parent_->child_seconds_ += total;
  Records& r = records();
  std::lock_guard lock(r.mutex);
  auto key = std::make_pair(std::string(name_), phase_);
  auto it = r.stats.find(key);
  if (it == r.stats.end()) it = r.stats.emplace(key, OpStat{std::string(name_), phase_, 0, 0, 0}).first;
  OpStat& s = it->second;
  ++s.calls;
  s.total_seconds += total;
  s.self_seconds += std::max(0.0, total - child_seconds_);
}

}  // namespace profiler

Profiler::Profiler() {
  profiler::Records& r = profiler::records();
  {
    std::lock_guard lock(r.mutex);
    r.stats.clear();
  }
  profiler::active_sessions.fetch_add(1);
}

Profiler::~Profiler() { profiler::active_sessions.fetch_sub(1); }

std::vector<profiler::OpStat> Profiler::stats() const {
  profiler::Records& r = profiler::records();
  std::vector<profiler::OpStat> out;
  {
    std::lock_guard lock(r.mutex);
    for (const auto& [key, stat] : r.stats) out.push_back(stat);
  }
  std::sort(out.begin(), out.end(), [](const profiler::OpStat& a, const profiler::OpStat& b) {
    return a.self_seconds != b.self_seconds ? a.self_seconds > b.self_seconds : a.name < b.name;
  });
  return out;
}

std::string Profiler::table(size_t max_rows) const {
  const std::vector<profiler::OpStat> all = stats();
  double self_sum = 0;
  for (const auto& s : all) self_sum += s.self_seconds;
  std::string out = fmt::format("{:<28} {:<9} {:>8} {:>11} {:>11} {:>7} {:>10}\n", "op", "phase", "calls", "self ms",
                                "total ms", "self %", "us/call");
  for (size_t i = 0; i < all.size() && i < max_rows; ++i) {
    const auto& s = all[i];
    out += fmt::format("{:<28} {:<9} {:>8} {:>11.2f} {:>11.2f} {:>6.1f}% {:>10.1f}\n", s.name,
                       profiler::phase_name(s.phase), s.calls, s.self_seconds * 1e3, s.total_seconds * 1e3,
                       self_sum > 0 ? 100 * s.self_seconds / self_sum : 0.0, 1e6 * s.total_seconds / s.calls);
  }
  if (all.size() > max_rows) out += fmt::format("({} more ops)\n", all.size() - max_rows);
  out += fmt::format("self time in profiled ops: {:.2f} ms\n", self_sum * 1e3);
  return out;
}

}  // namespace ember
