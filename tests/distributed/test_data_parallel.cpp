// Data-parallel training with the Trainer: the weights after N steps equal one process's on the
// same global batches, uneven last batches, evaluation, rank-0-only writing, resume, errors.
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "ember/distributed/mpi_data_parallel.h"
#include "mpi_test.h"
#include "train/train_fixtures.h"

using namespace ember;
using ember::test::mpi;

namespace {

train::TrainerOptions quiet(int64_t epochs, int64_t max_batches = 0) {
  return train::TrainerOptions().epochs(epochs).max_batches_per_epoch(max_batches).progress(train::Progress::none);
}

// The experiment on this rank; ranks other than 0 start from different weights, so that the
// broadcast is what makes them equal.
train::Experiment build(const train::ExperimentConfig& config) {
  train::Experiment e = train::build_experiment(config);
  if (mpi().rank() != 0) {
    NoGradGuard no_grad;
    for (const Tensor& p : e.model->parameters()) p.add_(0.25f * static_cast<float>(mpi().rank()));
  }
  return e;
}

std::unique_ptr<train::Trainer> distributed_trainer(const train::Experiment& e, train::TrainerOptions options,
                                                    bool with_test_data = false) {
  auto trainer = std::make_unique<train::Trainer>(e.model, e.optimizer, e.train_data,
                                                   with_test_data ? e.test_data : nullptr, std::move(options));
  trainer->set_data_parallel(std::make_shared<distributed::MpiDataParallel>(*e.model));
  return trainer;
}

double max_abs_diff(nn::Module& a, nn::Module& b) {
  double worst = 0;
  const auto sa = a.state_dict(), sb = b.state_dict();
  for (const auto& [name, t] : sa) {
    const auto x = t.to_vector(), y = sb.at(name).to_vector();
    for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(static_cast<double>(x[i]) - y[i]));
  }
  return worst;
}

// Every rank's weights are rank 0's, bit for bit.
void check_same_on_every_rank(nn::Module& model) {
  distributed::MpiDataParallel dp(model);
  for (const Tensor& p : model.parameters()) {
    Tensor rank0 = p.clone();
    dp.broadcast({rank0});
    ember::test::check_bitwise_equal(p, rank0);
  }
}

}  // namespace

// The tolerance: the ranks' half-batch mean gradients, weighted and summed, differ from the
// whole batch's mean gradient only in float rounding (~1e-7 relative); 8 steps of SGD with
// momentum 0.9 and lr 0.05 carry that into the weights at around 1e-7..1e-6. 1e-5 leaves room
// without letting a wrong shard or weight through (those differ by 1e-2 and more).
constexpr double kWeightTolerance = 1e-5;

TEST_CASE("8 SGD-momentum steps of LeNet-5 on every rank's shard equal one process on the global batch") {
  train::ExperimentConfig config = ember::test::small_config("");
  config.epochs = 1;  // batch 50: 25 examples per rank on 2 ranks
  train::Experiment reference = train::build_experiment(config);
  train::Trainer single(reference.model, reference.optimizer, reference.train_data, nullptr, quiet(1, 8));
  single.fit();

  train::Experiment e = build(config);
  auto trainer = distributed_trainer(e, quiet(1, 8));
  trainer->fit();
  CHECK(trainer->step() == 8);
  const double diff = max_abs_diff(*e.model, *reference.model);
  MESSAGE("world size " << mpi().world_size() << ": max |w_distributed - w_single| after 8 steps = " << diff);
  CHECK(diff <= kWeightTolerance);
  check_same_on_every_rank(*e.model);
  // The metrics are the global batch's, as the single process's.
  REQUIRE(trainer->history().size() == 1);
  CHECK(trainer->history()[0].train_loss == doctest::Approx(single.history()[0].train_loss).epsilon(1e-6));
  CHECK(trainer->history()[0].train_accuracy == single.history()[0].train_accuracy);
}

TEST_CASE("a last batch smaller than the world (some ranks get no example) is weighted exactly") {
  train::ExperimentConfig config = ember::test::small_config("");
  config.epochs = 1;
  config.train_limit = 51;  // batches of 50 and 1: with 2 ranks, rank 1 has nothing in the second
  train::Experiment reference = train::build_experiment(config);
  train::Trainer single(reference.model, reference.optimizer, reference.train_data, nullptr, quiet(1));
  single.fit();
  train::Experiment e = build(config);
  auto trainer = distributed_trainer(e, quiet(1));
  trainer->fit();
  CHECK(trainer->step() == 2);
  const double diff = max_abs_diff(*e.model, *reference.model);
  MESSAGE("uneven last batch: max abs diff " << diff);
  CHECK(diff <= kWeightTolerance);
  check_same_on_every_rank(*e.model);
}

TEST_CASE("evaluation is spread over the ranks and gives every rank one process's result") {
  train::ExperimentConfig config = ember::test::small_config("");
  config.epochs = 1;
  config.test_batch = 64;  // 500 test images: 8 batches, the last partial
  train::Experiment e = build(config);
  auto trainer = distributed_trainer(e, quiet(1, 4), true);
  trainer->fit();
  const train::Evaluation& shared = trainer->last_evaluation();
  const train::Evaluation local = train::evaluate(*e.model, *e.test_data, config.topk);  // whole set, this rank
  CHECK(shared.count == 500);
  CHECK(shared.count == local.count);
  CHECK(shared.accuracy == local.accuracy);
  CHECK(shared.topk_accuracy == local.topk_accuracy);
  CHECK(shared.confusion == local.confusion);
  CHECK(shared.loss == doctest::Approx(local.loss).epsilon(1e-12));
  // Identical on every rank, to the bit.
  std::vector<double> mine{shared.loss, shared.accuracy}, rank0 = mine;
  std::string text = fmt::format("{},{}", rank0[0], rank0[1]), theirs = text;
  mpi().broadcast(theirs);
  CHECK(text == theirs);
}

TEST_CASE("only rank 0 writes the run; a resume restores rank 0's checkpoint on every rank") {
  namespace fs = std::filesystem;
  const std::string dir = ember::test::shared_temp_dir("ember_dp_run");
  // Each rank is given its own folder: only rank 0's may appear.
  const std::string mine = dir + "/rank" + std::to_string(mpi().rank());
  const train::ExperimentConfig config = ember::test::small_config("");  // 2 epochs of 20 batches
  {
    train::Experiment e = build(config);
    auto first = distributed_trainer(e, quiet(1).run_dir(mine).checkpoint_every(7), true);
    first->fit();
    CHECK(first->is_writer() == (mpi().rank() == 0));
  }
  MPI_Barrier(MPI_COMM_WORLD);
  CHECK(fs::exists(dir + "/rank0/checkpoints/last.safetensors"));
  CHECK(fs::exists(dir + "/rank0/checkpoints/best.safetensors"));
  CHECK(fs::exists(dir + "/rank0/metrics.csv"));
  CHECK(fs::exists(dir + "/rank0/report/index.html"));
  for (int r = 1; r < mpi().world_size(); ++r) CHECK_FALSE(fs::exists(dir + "/rank" + std::to_string(r)));

  // Resume epoch 2 from rank 0's file; the other ranks are given a path that does not exist, to
  // show that they receive the checkpoint rather than read it.
  train::Experiment resumed_experiment = build(config);
  auto resumed = distributed_trainer(resumed_experiment, quiet(2));
  resumed->resume_from(mpi().rank() == 0 ? dir + "/rank0/checkpoints/last.safetensors" : dir + "/nowhere.safetensors");
  CHECK(resumed->epoch() == 1);
  CHECK(resumed->step() == 20);
  resumed->fit();

  train::Experiment straight_experiment = build(config);
  auto straight = distributed_trainer(straight_experiment, quiet(2));
  straight->fit();
  ember::test::check_same_weights(*resumed_experiment.model, *straight_experiment.model);
  ember::test::check_same_optimizer_state(*resumed_experiment.optimizer, *straight_experiment.optimizer);
  check_same_on_every_rank(*resumed_experiment.model);

  // A checkpoint rank 0 cannot read is the same error on every rank (no rank left waiting).
  train::Experiment e = build(config);
  auto failing = distributed_trainer(e, quiet(2));
  ember::test::check_error([&] { failing->resume_from(dir + "/missing.safetensors"); },
                           {"resume from", "missing.safetensors"});
  MPI_Barrier(MPI_COMM_WORLD);
  if (mpi().rank() == 0) fs::remove_all(dir);
}

TEST_CASE("a global batch the world size does not divide is refused") {
  train::ExperimentConfig config = ember::test::small_config("");
  config.batch = 2 * mpi().world_size() + (mpi().world_size() > 1 ? 1 : 0);
  train::Experiment e = train::build_experiment(config);
  train::Trainer trainer(e.model, e.optimizer, e.train_data, nullptr, quiet(1));
  auto dp = std::make_shared<distributed::MpiDataParallel>(*e.model);
  if (mpi().world_size() > 1) {
    ember::test::check_error([&] { trainer.set_data_parallel(dp); }, {"not divisible", "multiple of the world size"});
  } else {
    trainer.set_data_parallel(dp);  // a world of one divides everything
    CHECK(trainer.is_writer());
  }
}
