// GradientReducer and MpiDataParallel's collectives: the bucket plan, weighted sums, overlap with
// backward, ranks without a loss, unused parameters, broadcasts and their errors.
#include "ember/distributed/gradient_reducer.h"
#include "ember/distributed/mpi_data_parallel.h"
#include "mpi_test.h"

using namespace ember;
using distributed::GradientReducer;
using distributed::ReducerOptions;
using ember::test::mpi;
using ember::test::random_tensor;

namespace {

// Five linear layers: ten parameters whose gradients become final one layer at a time.
std::shared_ptr<nn::Sequential> chain(uint64_t seed) {
  manual_seed(seed);
  auto model = std::make_shared<nn::Sequential>();
  for (int i = 0; i < 5; ++i) {
    model->push_back(std::make_shared<nn::Linear>(32, 32));
    model->push_back(std::make_shared<nn::ReLU>());
  }
  return model;
}

double world() { return static_cast<double>(mpi().world_size()); }

}  // namespace

TEST_CASE("the bucket plan covers every parameter once, in reverse registration order, near the size asked") {
  auto model = chain(1);
  const TensorList params = model->parameters();  // weight [32,32] (4 KiB), bias [32] (128 B), x5
  GradientReducer reducer(params, mpi().comm(), ReducerOptions().bucket_bytes(4096 + 128));
  const auto& buckets = reducer.buckets();
  REQUIRE(buckets.size() == 5);  // one layer per bucket: its bias, then its weight
  std::vector<size_t> order;
  for (const auto& b : buckets) {
    int64_t numel = 0;
    for (size_t i = 0; i < b.parameters.size(); ++i) {
      CHECK(b.offsets[i] == numel);
      numel += params[b.parameters[i]].numel();
      order.push_back(b.parameters[i]);
    }
    CHECK(b.numel == numel);
  }
  CHECK(order == std::vector<size_t>{9, 8, 7, 6, 5, 4, 3, 2, 1, 0});

  GradientReducer one(params, mpi().comm(), ReducerOptions().bucket_bytes(int64_t{1} << 20));
  CHECK(one.buckets().size() == 1);
  GradientReducer tiny(params, mpi().comm(), ReducerOptions().bucket_bytes(1));
  CHECK(tiny.buckets().size() == params.size());  // a parameter is never split
}

TEST_CASE("the reducer leaves the weighted sum of every rank's gradient, the same on every rank") {
  auto model = chain(2);
  GradientReducer reducer(model->parameters(), mpi().comm(), ReducerOptions().bucket_bytes(2048));
  const float r = static_cast<float>(mpi().rank());
  // Each rank's input differs; the expected result is computed locally from every rank's input.
  auto input = [](int rank) { return random_tensor({4, 32}, 100 + static_cast<uint64_t>(rank)); };
  std::vector<Tensor> expected(model->parameters().size());
  for (int k = 0; k < mpi().world_size(); ++k) {
    for (const Tensor& p : model->parameters()) p.zero_grad();
    ((*model)(input(k)).sum() * static_cast<float>(k + 1)).backward();
    for (size_t i = 0; i < expected.size(); ++i) {
      const Tensor g = model->parameters()[i].grad() * static_cast<float>(1.0 / world());
      expected[i] = expected[i].defined() ? expected[i] + g : g;
    }
  }
  for (const Tensor& p : model->parameters()) p.zero_grad();
  reducer.backward((*model)(input(mpi().rank())).sum() * (r + 1), 1.0 / world());
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("parameter " << i);
    ember::test::check_close(model->parameters()[i].grad(), expected[i], 1e-5, 1e-5);
  }
  // Bit-identical across ranks: rank 0's gradients broadcast and compared.
  distributed::MpiDataParallel dp(*model);
  for (const Tensor& p : model->parameters()) {
    Tensor mine = p.grad().clone(), rank0 = p.grad().clone();
    dp.broadcast({rank0});
    ember::test::check_bitwise_equal(mine, rank0);
  }
}

TEST_CASE("buckets start during backward, as soon as their gradients are final") {
  auto model = chain(3);
  const Tensor x = random_tensor({8, 32}, 5);
  GradientReducer overlapped(model->parameters(), mpi().comm(), ReducerOptions().bucket_bytes(4096 + 128));
  for (int step = 0; step < 3; ++step) {
    for (const Tensor& p : model->parameters()) p.zero_grad();
    overlapped.backward((*model)(x).sum(), 1.0 / world());
    CHECK(overlapped.last_step().buckets == 5);
    // Every bucket, the last included, is started by the gradient-ready hook inside backward.
    CHECK(overlapped.last_step().launched_during_backward == 5);
  }
  const Tensor overlapped_grad = model->parameters()[0].grad().clone();
  CHECK(overlapped.total().steps == 3);
  CHECK(overlapped.total().buckets == 15);

  GradientReducer after(model->parameters(), mpi().comm(), ReducerOptions().bucket_bytes(4096 + 128).overlap(false));
  for (const Tensor& p : model->parameters()) p.zero_grad();
  after.backward((*model)(x).sum(), 1.0 / world());
  CHECK(after.last_step().buckets == 5);
  CHECK(after.last_step().launched_during_backward == 0);
  ember::test::check_bitwise_equal(model->parameters()[0].grad(), overlapped_grad);  // same sums either way
}

TEST_CASE("a rank without a loss contributes zeros; parameters backward did not reach still get the sum") {
  auto model = chain(4);
  const TensorList params = model->parameters();
  GradientReducer reducer(params, mpi().comm(), ReducerOptions().bucket_bytes(4096 + 128));
  for (const Tensor& p : params) p.zero_grad();
  // Rank 0 backpropagates through the last layer only; the other ranks have nothing.
  auto last = std::dynamic_pointer_cast<nn::Linear>(model->children().at(8));
  REQUIRE(last);
  Tensor expected_weight_grad;
  {
    const Tensor x = random_tensor({2, 32}, 9);
    (*last)(x).sum().backward();
    expected_weight_grad = params[8].grad().clone();
    for (const Tensor& p : params) p.zero_grad();
    if (mpi().rank() == 0) {
      reducer.backward((*last)(x).sum(), 0.5);
    } else {
      reducer.backward(Tensor(), 0.0);
    }
  }
  ember::test::check_close(params[8].grad(), expected_weight_grad * 0.5f);
  CHECK(reducer.last_step().buckets == 5);
  for (size_t i = 0; i < 8; ++i) {  // unreached on every rank: defined, and zero
    REQUIRE(params[i].grad().defined());
    CHECK(params[i].grad().abs().sum().item() == 0.0f);
  }
}

TEST_CASE("broadcasts make every rank's tensors and strings rank 0's") {
  auto model = chain(5);
  distributed::MpiDataParallel dp(*model);
  CHECK(dp.rank() == mpi().rank());
  CHECK(dp.world_size() == mpi().world_size());
  const Tensor f = full({3, 4}, static_cast<float>(mpi().rank() + 1));
  const Tensor i = from_vector(std::vector<int64_t>{mpi().rank() * 10, 7}, {2});
  dp.broadcast({f, i});
  CHECK(f.to_vector() == std::vector<float>(12, 1.0f));
  CHECK(i.to_vector<int64_t>() == std::vector<int64_t>{0, 7});

  std::string text = mpi().rank() == 0 ? std::string(100000, 'x') : "short";
  dp.broadcast(text);
  CHECK(text == std::string(100000, 'x'));

  std::vector<double> sums{1.0, static_cast<double>(mpi().rank())};
  dp.all_reduce_sum(sums);
  CHECK(sums[0] == world());
  CHECK(sums[1] == world() * (world() - 1) / 2);
}

TEST_CASE("broadcasting tensors that differ between ranks is an error on every rank") {
  if (mpi().world_size() < 2) return;  // needs two ranks to differ
  auto model = chain(6);
  distributed::MpiDataParallel dp(*model);
  TensorList mine{zeros({2})};
  if (mpi().rank() == 1) mine.push_back(zeros({3}));
  ember::test::check_error([&] { dp.broadcast(mine); }, {"different tensors", "same model"});
  TensorList sized{zeros({mpi().rank() == 1 ? 5 : 4})};
  ember::test::check_error([&] { dp.broadcast(sized); }, {"different tensors"});
}

TEST_CASE("the reducer rejects parameters it cannot reduce") {
  ember::test::check_error([] { GradientReducer({zeros({2})}, mpi().comm()); }, {"requires grad"});
  const Tensor p = zeros({2}).requires_grad_();
  ember::test::check_error([&] { GradientReducer({p, p}, mpi().comm()); }, {"listed twice"});
  ember::test::check_error([&] { GradientReducer({p}, mpi().comm(), ReducerOptions().bucket_bytes(0)); },
                           {"bucket_bytes"});
}
