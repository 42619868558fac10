#include "ember/core/parallel.h"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>

#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

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

#if defined(__SANITIZE_THREAD__)
#define EMBER_STD_THREADS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define EMBER_STD_THREADS 1
#endif
#endif

namespace detail {

#ifndef EMBER_STD_THREADS

void parallel_for_chunks(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  // simple_partitioner splits down to the grain regardless of how many threads there are, so the
  // chunk boundaries are a function of (begin, end, grain) only.
  tbb::parallel_for(
      tbb::blocked_range<int64_t>(begin, end, static_cast<size_t>(grain)),
      [&](const tbb::blocked_range<int64_t>& r) { fn(r.begin(), r.end()); }, tbb::simple_partitioner());
}

#else  // ThreadSanitizer: the chunks simple_partitioner makes, on std::threads

void split_like_tbb(int64_t begin, int64_t end, int64_t grain, std::vector<std::pair<int64_t, int64_t>>& chunks) {
  if (end - begin <= grain) {
    chunks.emplace_back(begin, end);
    return;
  }
  const int64_t middle = begin + (end - begin) / 2;  // blocked_range's split
  split_like_tbb(begin, middle, grain, chunks);
  split_like_tbb(middle, end, grain, chunks);
}

void parallel_for_chunks(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  std::vector<std::pair<int64_t, int64_t>> chunks;
  split_like_tbb(begin, end, grain, chunks);
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;  // the first chunk's exception reaches the caller, as with TBB
  auto work = [&] {
    try {
      for (size_t i; (i = next.fetch_add(1)) < chunks.size();) fn(chunks[i].first, chunks[i].second);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next = chunks.size();
    }
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < get_num_threads(); ++t) helpers.emplace_back(work);
  work();
  for (auto& helper : helpers) helper.join();
  if (error) std::rethrow_exception(error);
}

#endif

}  // namespace detail

#ifndef EMBER_STD_THREADS
struct BackgroundTask::Impl {
  tbb::task_group group;
  bool pending = false;
  void run(std::function<void()> fn) {
    group.run(std::move(fn));
    pending = true;
  }
  void wait() {
    if (pending) group.wait();
    pending = false;
  }
};
#else
struct BackgroundTask::Impl {
  std::thread thread;
  void run(std::function<void()> fn) { thread = std::thread(std::move(fn)); }
  void wait() {
    if (thread.joinable()) thread.join();
  }
};
#endif

BackgroundTask::BackgroundTask() : impl_(std::make_unique<Impl>()) {}
BackgroundTask::~BackgroundTask() { impl_->wait(); }
void BackgroundTask::run(std::function<void()> fn) {
  impl_->wait();
  impl_->run(std::move(fn));
}
void BackgroundTask::wait() { impl_->wait(); }
}  // namespace ember
