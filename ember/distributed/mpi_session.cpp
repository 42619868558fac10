#include "ember/distributed/mpi_session.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "ember/core/error.h"

namespace ember::distributed {

MpiSession::MpiSession(int& argc, char**& argv) { start(&argc, &argv); }
MpiSession::MpiSession() { start(nullptr, nullptr); }

void MpiSession::start(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    EMBER_CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) == MPI_SUCCESS,
                "distributed: MPI_Init_thread failed");
    owns_ = true;
    EMBER_CHECK(provided >= MPI_THREAD_FUNNELED,
                "distributed: this MPI gives thread level {} but ember needs MPI_THREAD_FUNNELED ({})", provided,
                MPI_THREAD_FUNNELED);
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size_);
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
  MPI_Comm_size(local, &local_size_);
  MPI_Comm_free(&local);
}

void MpiSession::broadcast(std::string& bytes) const {
  uint64_t size = bytes.size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  bytes.resize(size);
  constexpr size_t kPiece = size_t{1} << 30;  // MPI counts are ints
  for (size_t at = 0; at < size; at += kPiece) {
    MPI_Bcast(bytes.data() + at, static_cast<int>(std::min<size_t>(kPiece, size - at)), MPI_BYTE, 0, MPI_COMM_WORLD);
  }
}

MpiSession::~MpiSession() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owns_ && !finalized) MPI_Finalize();
}

void MpiSession::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // MPI_Abort does not return; this keeps [[noreturn]] honest
}

}  // namespace ember::distributed
