#pragma once
// MpiSession: MPI's lifetime in a process that uses ember's distributed training.
//
//   int main(int argc, char** argv) {
//     ember::distributed::MpiSession mpi(argc, argv);   // MPI_Init_thread ... MPI_Finalize
//     if (mpi.rank() == 0) ...
//
// Started by mpirun, each process is one rank of MPI_COMM_WORLD; started on its own, the process
// is a world of one (MPI's singleton mode), so the same program runs either way. MPI is called
// only from the thread that created the session (MPI_THREAD_FUNNELED): ember's worker threads
// compute, the main thread communicates. If MPI is already initialized (by the caller), the
// session neither initializes nor finalizes it.
//
// Part of the ember_distributed library, built only when CMake finds MPI (EMBER_MPI).
#include <mpi.h>

#include <string>

namespace ember::distributed {

class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  MpiSession();  // no command line (tests, embedding)
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  // Ranks on this machine (sharing memory with this one), to split its cores between them.
  int local_size() const { return local_size_; }
  MPI_Comm comm() const { return MPI_COMM_WORLD; }
  // Every rank's bytes become rank 0's.
  void broadcast(std::string& bytes) const;
  // Ends every rank of the job at once (MPI_Abort): for an error on one rank while the others may
  // be waiting in a collective, where returning would leave them hanging.
  [[noreturn]] void abort(int code) const;

 private:
  void start(int* argc, char*** argv);
  bool owns_ = false;
  int rank_ = 0, world_size_ = 1, local_size_ = 1;
};

}  // namespace ember::distributed
