#include "ember/core/parallel.h"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>

#include <memory>
#include <mutex>

#include "ember/core/error.h"

namespace ember {

namespace {
std::mutex control_mutex;
std::unique_ptr<tbb::global_control> control;  // null: TBB's default (all cores)
}  // namespace

void set_num_threads(int n) {
  EMBER_CHECK(n >= 1, "set_num_threads: the thread count must be at least 1, got {}", n);
  std::lock_guard lock(control_mutex);
  control.reset();  // only one global_control of a kind should be alive at a time
  control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(n));
}

int get_num_threads() {
  return static_cast<int>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

namespace detail {

void parallel_for_chunks(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  // simple_partitioner splits down to the grain regardless of how many threads there are, so the
  // chunk boundaries are a function of (begin, end, grain) only.
  tbb::parallel_for(
      tbb::blocked_range<int64_t>(begin, end, static_cast<size_t>(grain)),
      [&](const tbb::blocked_range<int64_t>& r) { fn(r.begin(), r.end()); }, tbb::simple_partitioner());
}

}  // namespace detail
}  // namespace ember
