#include "ember/distributed/gradient_reducer.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/grad_ready_hook.h"
#include "ember/core/error.h"

namespace ember::distributed {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }
}  // namespace

void ReducerStats::add(const ReducerStats& other) {
  steps += other.steps;
  buckets += other.buckets;
  launched_during_backward += other.launched_during_backward;
  backward_seconds += other.backward_seconds;
  wait_seconds += other.wait_seconds;
}

GradientReducer::GradientReducer(TensorList parameters, MPI_Comm comm, ReducerOptions options)
    : parameters_(std::move(parameters)), comm_(comm), options_(options) {
  EMBER_CHECK(options_.bucket_bytes() >= 1, "GradientReducer: bucket_bytes must be >= 1, got {}", options_.bucket_bytes());
  const size_t n = parameters_.size();
  bucket_of_.assign(n, 0);
  slot_of_.assign(n, 0);
  packed_.assign(n, false);
  const int64_t bucket_numel = std::max<int64_t>(1, options_.bucket_bytes() / static_cast<int64_t>(sizeof(float)));
  for (size_t k = n; k-- > 0;) {  // reverse registration order: the order backward tends to finish them
    const Tensor& p = parameters_[k];
    EMBER_CHECK(p.defined() && p.dtype() == DType::f32 && p.requires_grad(),
                "GradientReducer: parameter {} must be a float32 tensor that requires grad, got {}", k,
                p.defined() ? p.describe() : std::string("an undefined tensor"));
    EMBER_CHECK(index_of_.emplace(p.impl().get(), k).second, "GradientReducer: parameter {} is listed twice", k);
    if (buckets_.empty() || buckets_.back().numel >= bucket_numel) buckets_.emplace_back();
    Bucket& b = buckets_.back();
    bucket_of_[k] = buckets_.size() - 1;
    slot_of_[k] = b.parameters.size();
    b.parameters.push_back(k);
    b.offsets.push_back(b.numel);
    b.numel += p.numel();
    EMBER_CHECK(b.numel <= std::numeric_limits<int>::max(),
                "GradientReducer: a bucket of {} floats is more than one MPI call can send", b.numel);
  }
  buffers_.resize(buckets_.size());
  for (size_t b = 0; b < buckets_.size(); ++b) buffers_[b].resize(static_cast<size_t>(buckets_[b].numel));
  requests_.assign(buckets_.size(), MPI_REQUEST_NULL);
  missing_.assign(buckets_.size(), 0);
}

GradientReducer::~GradientReducer() = default;  // backward() leaves nothing in flight unless it threw

void GradientReducer::pack(size_t parameter, double weight) {
  const Bucket& bucket = buckets_[bucket_of_[parameter]];
  float* out = buffers_[bucket_of_[parameter]].data() + bucket.offsets[slot_of_[parameter]];
  const Tensor grad = parameters_[parameter].grad();
  const int64_t numel = parameters_[parameter].numel();
  if (!grad.defined()) {
    std::memset(out, 0, static_cast<size_t>(numel) * sizeof(float));
  } else {
    const Tensor g = grad.contiguous();
    const float* in = g.data<float>();
    const float w = static_cast<float>(weight);
    for (int64_t i = 0; i < numel; ++i) out[i] = in[i] * w;
  }
  packed_[parameter] = true;
  --missing_[bucket_of_[parameter]];
}

void GradientReducer::launch(size_t bucket, bool from_hook) {
  MPI_Iallreduce(MPI_IN_PLACE, buffers_[bucket].data(), static_cast<int>(buckets_[bucket].numel), MPI_FLOAT, MPI_SUM,
                 comm_, &requests_[bucket]);
  ++last_.buckets;
  if (from_hook) ++last_.launched_during_backward;
}

void GradientReducer::launch_ready_buckets(bool from_hook) {
  while (next_launch_ < buckets_.size() && missing_[next_launch_] == 0) launch(next_launch_++, from_hook);
}

void GradientReducer::progress() {
  if (next_launch_ == 0) return;
  int done = 0;
  MPI_Testall(static_cast<int>(next_launch_), requests_.data(), &done, MPI_STATUSES_IGNORE);
}

void GradientReducer::on_gradient_ready(const Tensor& leaf) {
  auto it = index_of_.find(leaf.impl().get());
  if (it == index_of_.end() || packed_[it->second]) return;  // not one of ours
  pack(it->second, weight_);
  if (options_.overlap()) launch_ready_buckets(true);
  progress();
}

void GradientReducer::backward(const Tensor& loss, double weight) {
  last_ = {};
  last_.steps = 1;
  weight_ = weight;
  next_launch_ = 0;
  std::fill(packed_.begin(), packed_.end(), false);
  for (size_t b = 0; b < buckets_.size(); ++b) missing_[b] = static_cast<int64_t>(buckets_[b].parameters.size());

  const auto start = Clock::now();
  if (loss.defined()) {
    autograd::GradReadyHookGuard hook([this](const Tensor& leaf) { on_gradient_ready(leaf); });
    loss.backward();
  }
  last_.backward_seconds = seconds_since(start);

  const auto after = Clock::now();
  for (size_t k = 0; k < parameters_.size(); ++k) {
    if (!packed_[k]) pack(k, weight_);
  }
  launch_ready_buckets(false);
  MPI_Waitall(static_cast<int>(buckets_.size()), requests_.data(), MPI_STATUSES_IGNORE);
  NoGradGuard no_grad;
  for (size_t k = 0; k < parameters_.size(); ++k) {
    const Bucket& bucket = buckets_[bucket_of_[k]];
    const float* sum = buffers_[bucket_of_[k]].data() + bucket.offsets[slot_of_[k]];
    const Tensor& p = parameters_[k];
    Tensor grad = p.grad();
    if (!grad.defined() || !grad.is_contiguous()) {
      grad = empty(p.shape());
      p.set_grad(grad);
    }
    std::memcpy(grad.data<float>(), sum, static_cast<size_t>(p.numel()) * sizeof(float));
    grad.bump_version();
  }
  last_.wait_seconds = seconds_since(after);
  total_.add(last_);
}

}  // namespace ember::distributed
