#include "ember/distributed/mpi_data_parallel.h"

#include <algorithm>
#include <limits>

#include "ember/core/error.h"

namespace ember::distributed {

namespace {
// MPI counts are ints: larger messages go in pieces of at most 1 GiB.
void broadcast_bytes(void* data, size_t size, MPI_Comm comm) {
  constexpr size_t kPiece = size_t{1} << 30;
  auto* bytes = static_cast<char*>(data);
  for (size_t at = 0; at < size; at += kPiece) {
    MPI_Bcast(bytes + at, static_cast<int>(std::min(kPiece, size - at)), MPI_BYTE, 0, comm);
  }
}
}  // namespace

MpiDataParallel::MpiDataParallel(const nn::Module& model, ReducerOptions options, MPI_Comm comm) : comm_(comm) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  EMBER_CHECK(initialized, "MpiDataParallel: MPI is not initialized; create a distributed::MpiSession first");
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &world_size_);
  reducer_ = std::make_unique<GradientReducer>(model.parameters(), comm_, options);
}

void MpiDataParallel::broadcast(const TensorList& tensors) {
  // The shapes first: a mismatch (ranks built different models) is an error on every rank, not
  // memory read past a buffer.
  std::vector<int64_t> numels;
  for (const Tensor& t : tensors) numels.push_back(t.numel() * static_cast<int64_t>(dtype_size(t.dtype())));
  std::vector<int64_t> rank0 = numels;
  const int count = static_cast<int>(numels.size());
  int rank0_count = count;
  MPI_Bcast(&rank0_count, 1, MPI_INT, 0, comm_);
  rank0.resize(static_cast<size_t>(rank0_count));
  MPI_Bcast(rank0.data(), rank0_count, MPI_INT64_T, 0, comm_);
  int mismatch = rank0 != numels ? 1 : 0, any_mismatch = 0;
  MPI_Allreduce(&mismatch, &any_mismatch, 1, MPI_INT, MPI_MAX, comm_);
  EMBER_CHECK(!any_mismatch,
              "distributed broadcast: the ranks hold different tensors ({} tensors here, {} on rank 0, or sizes "
              "differ); every rank must build the same model",
              count, rank0_count);
  for (const Tensor& t : tensors) {
    EMBER_CHECK(t.is_contiguous(), "distributed broadcast: {} is not contiguous", t.describe());
    void* data = t.dtype() == DType::f32 ? static_cast<void*>(t.data<float>()) : static_cast<void*>(t.data<int64_t>());
    broadcast_bytes(data, static_cast<size_t>(t.numel()) * dtype_size(t.dtype()), comm_);
    t.bump_version();
  }
}

void MpiDataParallel::broadcast(std::string& bytes) {
  uint64_t size = bytes.size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, 0, comm_);
  bytes.resize(size);
  broadcast_bytes(bytes.data(), size, comm_);
}

void MpiDataParallel::all_reduce_sum(std::vector<double>& values) {
  EMBER_CHECK(values.size() <= static_cast<size_t>(std::numeric_limits<int>::max()),
              "distributed all_reduce_sum: {} values are too many for one call", values.size());
  MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE, MPI_SUM, comm_);
}

void MpiDataParallel::backward(const Tensor& loss, double weight) { reducer_->backward(loss, weight); }

}  // namespace ember::distributed
