#pragma once
// GradientReducer: sums the parameters' gradients over the ranks of a communicator, in buckets,
// overlapping the communication with backward.
//
//   distributed::GradientReducer reducer(model.parameters(), MPI_COMM_WORLD);
//   optimizer.zero_grad();
//   reducer.backward(loss, 1.0 / world_size);   // every .grad is now the average over ranks
//   optimizer.step();
//
// Buckets: the parameters, in reverse registration order (roughly the order backward finishes
// their gradients), are packed greedily into buckets of about bucket_bytes (a parameter larger
// than that gets a bucket of its own). One bucket is one MPI_Iallreduce of a flat float buffer.
//
// Overlap: during backward, an autograd gradient-ready hook (autograd/grad_ready_hook.h) copies
// each parameter's gradient, times `weight`, into its bucket as soon as it is final; when every
// parameter of a bucket is in, the bucket's non-blocking allreduce starts while backward goes on
// with earlier layers. Buckets are started strictly in bucket order (MPI requires every rank to
// start collectives in the same order, and a rank whose backward reaches parameters in another
// order must not start a different one). Every hook call also tests the requests in flight, which
// is what moves OpenMPI's non-blocking collectives forward (there is no progress thread). After
// backward returns, the remaining buckets start, all are waited for, and the sums are written
// back into the .grad tensors.
//
// Each rank contributes weight * .grad for every parameter: the parameters backward did not reach
// contribute weight * their current .grad, or zeros if it is undefined; a rank with nothing to
// backpropagate passes an undefined loss. So the result is defined, and the same on every rank,
// even when ranks use different parameters. Call zero_grad() before, as for a local backward.
//
// backward() is collective: every rank of the communicator calls it, with the same parameter list
// in the same order. If it throws (an op error, a hook error), requests may be left in flight and
// the communicator cannot be used for more steps: end the job (MpiSession::abort).
#include <mpi.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "ember/core/options.h"
#include "ember/core/tensor.h"

namespace ember::distributed {

struct ReducerOptions {
  EMBER_ARG(int64_t, bucket_bytes, int64_t{1} << 20);  // 1 MiB
  EMBER_ARG(bool, overlap, true);  // false: every bucket starts after backward (to measure overlap)
};

// One bucket of the plan: which parameters (indices into the constructor's list), where each
// starts in the flat buffer, and the buffer's length.
struct Bucket {
  std::vector<size_t> parameters;
  std::vector<int64_t> offsets;
  int64_t numel = 0;
};

// Timings and counts of one step, or summed over steps.
struct ReducerStats {
  int64_t steps = 0;
  int64_t buckets = 0;                   // allreduces started
  int64_t launched_during_backward = 0;  // of those, started by the hook before backward returned
  double backward_seconds = 0;           // in backward(), hook work included
  double wait_seconds = 0;               // after backward: starting the rest, waiting, unpacking
  void add(const ReducerStats& other);
};

class GradientReducer {
 public:
  GradientReducer(TensorList parameters, MPI_Comm comm, ReducerOptions options = {});
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // loss.backward() (unless `loss` is undefined), then every parameter's .grad becomes
  // sum over ranks of weight_r * grad_r. Collective.
  void backward(const Tensor& loss, double weight);

  const std::vector<Bucket>& buckets() const { return buckets_; }
  const ReducerStats& last_step() const { return last_; }
  const ReducerStats& total() const { return total_; }

 private:
  void on_gradient_ready(const Tensor& leaf);
  void pack(size_t parameter, double weight);
  void launch_ready_buckets(bool from_hook);
  void launch(size_t bucket, bool from_hook);
  void progress();

  TensorList parameters_;
  MPI_Comm comm_;
  ReducerOptions options_;
  std::vector<Bucket> buckets_;
  std::vector<size_t> bucket_of_, slot_of_;                 // per parameter
  std::unordered_map<const TensorImpl*, size_t> index_of_;  // parameter by identity
  std::vector<std::vector<float>> buffers_;                 // per bucket
  std::vector<MPI_Request> requests_;                       // per bucket
  std::vector<int64_t> missing_;                            // per bucket: parameters not yet packed
  std::vector<bool> packed_;                                // per parameter, this step
  size_t next_launch_ = 0;
  double weight_ = 1;
  ReducerStats last_, total_;
};

}  // namespace ember::distributed
