#pragma once
// MpiDataParallel: train::DataParallel (train/data_parallel.h) over MPI_COMM_WORLD, for the
// Trainer and for hand-written loops.
//
//   distributed::MpiSession mpi(argc, argv);
//   ... build model, optimizer, loaders exactly alike on every rank ...
//   auto dp = std::make_shared<distributed::MpiDataParallel>(*model);
//   trainer.set_data_parallel(dp);
//   trainer.fit();   // rank 0 writes the run directory
//
// Gradients go through a GradientReducer (buckets, overlap with backward); broadcasts and metric
// sums are blocking MPI_Bcast / MPI_Allreduce. An MpiSession must be alive while it is used.
#include <memory>

#include "ember/distributed/gradient_reducer.h"
#include "ember/nn/module.h"
#include "ember/train/data_parallel.h"

namespace ember::distributed {

class MpiDataParallel final : public train::DataParallel {
 public:
  explicit MpiDataParallel(const nn::Module& model, ReducerOptions options = {}, MPI_Comm comm = MPI_COMM_WORLD);

  int rank() const override { return rank_; }
  int world_size() const override { return world_size_; }
  void broadcast(const TensorList& tensors) override;
  void broadcast(std::string& bytes) override;
  void all_reduce_sum(std::vector<double>& values) override;
  void backward(const Tensor& loss, double weight) override;

  const GradientReducer& reducer() const { return *reducer_; }

 private:
  MPI_Comm comm_;
  int rank_ = 0, world_size_ = 1;
  std::unique_ptr<GradientReducer> reducer_;
};

}  // namespace ember::distributed
