// Builds against the installed ember::distributed: one gradient averaged over the ranks of
// MPI_COMM_WORLD by a GradientReducer. Started on its own it is a world of one (MPI's singleton
// mode); under `mpirun -np N` every rank computes the same gradient, so the average is that too.
#include <ember/distributed/gradient_reducer.h>
#include <ember/distributed/mpi_session.h>
#include <ember/ember.h>

int main(int argc, char** argv) {
  using namespace ember;
  distributed::MpiSession mpi(argc, argv);
  Tensor w = tensor({{1.0f, 2.0f}, {3.0f, 4.0f}}).requires_grad_();
  distributed::GradientReducer reducer({w}, mpi.comm());
  Tensor x = tensor({{0.5f, -1.0f}});
  reducer.backward(linear(x, w).sum(), 1.0 / mpi.world_size());
  // d/dw sum(x W^T) = x for each output row.
  const bool ok = w.grad().to_vector() == std::vector<float>{0.5f, -1.0f, 0.5f, -1.0f};
  if (mpi.rank() == 0) {
    fmt::print("consumer_distributed: {} rank(s), averaged grad {} -> {}\n", mpi.world_size(), w.grad(),
               ok ? "ok" : "WRONG");
  }
  return ok ? 0 : 1;
}
