// main() of distributed_tests: MPI around doctest. Each rank prints its own doctest summary; a
// failure on any rank fails the mpirun (it returns the first non-zero exit status).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>

#include "mpi_test.h"

namespace ember::test {

namespace {
distributed::MpiSession* session = nullptr;
}

distributed::MpiSession& mpi() { return *session; }

std::string shared_temp_dir(const std::string& stem) {
  std::string path;
  if (mpi().rank() == 0) {
    path = (std::filesystem::temp_directory_path() / (stem + "_" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(path);
  }
  mpi().broadcast(path);
  return path;
}

}  // namespace ember::test

int main(int argc, char** argv) {
  ember::distributed::MpiSession mpi(argc, argv);
  ember::test::session = &mpi;
  doctest::Context context(argc, argv);
  const int status = context.run();
  // Agree on the outcome before finalizing: a rank that failed must not leave the others blocked.
  int failed = status != 0, any_failed = 0;
  MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return any_failed;
}
