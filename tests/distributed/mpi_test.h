#pragma once
// What the distributed suites share. They run as one program (distributed_tests) under
// `mpirun -np 2` (ctest distributed.np2) and alone as a world of one (distributed.np1); every
// rank runs every test case in the same order, so the collectives inside them match.
#include <string>

#include "ember/distributed/mpi_session.h"
#include "support/helpers.h"

namespace ember::test {

// The session main() opened for the whole run.
distributed::MpiSession& mpi();

// A fresh folder name, the same on every rank (rank 0's choice).
std::string shared_temp_dir(const std::string& stem);

}  // namespace ember::test
