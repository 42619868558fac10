#pragma once
// Threading: one knob (set_num_threads) and one loop (parallel_for), both over oneTBB.
//
// Under ThreadSanitizer (scripts/test.sh --tsan) the same chunks run on std::threads instead: TSan
// cannot see the synchronization inside Debian's uninstrumented libtbb and would report every
// hand-off as a race, while it sees std::thread's. What it then checks is ember's part: that the
// chunks of every kernel touch disjoint memory.
//
// Determinism contract: parallel_for splits [begin, end) into chunks by the grain alone, never by
// the thread count, and callers write disjoint outputs per chunk; reductions combine per-chunk
// partials in chunk order. So every result is bitwise identical for 1 and N threads.
#include <cstdint>
#include <functional>
#include <memory>

namespace ember {

// Limits every parallel region in the process to n threads (n >= 1). Really limits: it installs a
// tbb::global_control, which caps TBB's workers, not just a hint.
void set_num_threads(int n);
// The current cap (by default the machine's core count).
int get_num_threads();

namespace detail {
void parallel_for_chunks(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
}

// Calls fn(chunk_begin, chunk_end) over [begin, end) split into chunks of about `grain` items.
// Ranges of at most `grain` items (small ops) run inline on the caller's thread.
template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, F&& fn) {
  if (end <= begin) return;
  if (grain < 1) grain = 1;
  if (end - begin <= grain || get_num_threads() == 1) {
    fn(begin, end);
    return;
  }
  detail::parallel_for_chunks(begin, end, grain, std::function<void(int64_t, int64_t)>(std::forward<F>(fn)));
}

// One function run in the background while the caller goes on (the data loader's prefetch);
// wait() returns when it has finished. At most one function at a time.
class BackgroundTask {
 public:
  BackgroundTask();
  ~BackgroundTask();  // waits
  BackgroundTask(const BackgroundTask&) = delete;
  BackgroundTask& operator=(const BackgroundTask&) = delete;
  void run(std::function<void()> fn);
  void wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Number of fixed-size chunks a reduction over n items uses; depends on n and chunk only.
inline int64_t chunk_count(int64_t n, int64_t chunk) { return n <= 0 ? 0 : (n + chunk - 1) / chunk; }

}  // namespace ember
