#pragma once
// DataParallel: what a Trainer needs from the processes it trains with, as a small interface
// that keeps ember's core free of MPI. ember/distributed/ implements it over MPI
// (distributed::MpiDataParallel, built when CMake finds OpenMPI); tests may implement it too.
//
// With trainer.set_data_parallel(dp), every process (rank) runs the same Trainer on the same
// loaders and:
// - takes the contiguous slice [ceil(r*n/W), ceil((r+1)*n/W)) of every global batch of n
//   examples (W = world size, r = rank), the same loader batch on every rank;
// - runs backward through dp.backward(loss, n_r / n), which leaves in every parameter's .grad the
//   sum over ranks of (n_r / n) * grad_r: the gradient of the global batch's mean loss, exactly
//   what one process training on the whole batch gets (up to float summation order);
// - sums the step's metrics over ranks, so loss, accuracy and the NaN check are the global
//   batch's and identical on every rank;
// - starts from rank 0's parameters and buffers (broadcast at fit() and after restore());
// - evaluates batch b of the test loader on rank b % W and sums the counts;
// - writes the run directory (checkpoints, metrics, report) and prints progress on rank 0 only.
#include <string>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::train {

class DataParallel {
 public:
  virtual ~DataParallel() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;

  // Every rank's tensors become rank 0's, in place (same shapes and dtypes on every rank).
  virtual void broadcast(const TensorList& tensors) = 0;
  // Every rank's bytes become rank 0's (the size is broadcast first).
  virtual void broadcast(std::string& bytes) = 0;
  // Sums over ranks, in place; the result is the same on every rank.
  virtual void all_reduce_sum(std::vector<double>& values) = 0;
  // Backpropagates this rank's `loss` (undefined when the rank has no examples in this batch; it
  // then contributes zeros) and leaves in every parameter's .grad sum_r weight_r * grad_r.
  // Collective: every rank calls it once per step.
  virtual void backward(const Tensor& loss, double weight) = 0;
};

}  // namespace ember::train
