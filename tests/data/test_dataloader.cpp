// DataLoader (ember/data/dataloader.h): batch counts, order (none, shuffled, seeded per epoch),
// batch contents against Dataset::get, determinism with prefetch and threads, errors from a
// dataset surfacing during prefetch, and leaving an epoch early. Uses a small dataset whose pixels
// encode the example's index, and the committed MNIST subset.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <numeric>
#include <set>

#include "support/helpers.h"

#include "ember/core/error.h"
#include "ember/data/dataloader.h"
#include "ember/data/mnist.h"

using namespace ember;
using namespace ember::data;
using ember::test::check_bitwise_equal;
using ember::test::check_error;

namespace {

// `count` examples of 1 x side x side; pixel k of example i is 1000 * i + k, its label i % 3.
// fill() counts its calls and throws for `bad_index`.
class IndexDataset : public Dataset {
 public:
  explicit IndexDataset(int64_t count, int64_t side = 2, int64_t bad_index = -1)
      : count_(count), side_(side), bad_index_(bad_index) {}
  int64_t size() const override { return count_; }
  Shape image_shape() const override { return {1, side_, side_}; }
  int64_t num_classes() const override { return 3; }
  Example get(int64_t index) const override {
    Example e;
    e.image = empty(image_shape());
    e.label = fill(index, e.image.data<float>());
    return e;
  }
  int64_t fill(int64_t index, float* out) const override {
    ++fills;
    EMBER_CHECK(index != bad_index_, "IndexDataset: example {} is unreadable", index);
    EMBER_CHECK(index >= 0 && index < count_, "IndexDataset: index {} out of range", index);
    for (int64_t k = 0; k < side_ * side_; ++k) out[k] = static_cast<float>(1000 * index + k);
    return index % 3;
  }
  mutable std::atomic<int64_t> fills{0};

 private:
  int64_t count_, side_, bad_index_;
};

// The dataset index a batch image came from (its first pixel / 1000).
int64_t index_of(const Batch& batch, int64_t i) {
  return static_cast<int64_t>(batch.images.select(0, i).contiguous().data<float>()[0]) / 1000;
}

// Every batch of one epoch, copied out.
std::vector<Batch> collect(const DataLoader& loader, int64_t epoch) {
  std::vector<Batch> batches;
  for (const Batch& b : loader.epoch(epoch)) batches.push_back(b);
  return batches;
}

// The dataset indices of one epoch as the batches deliver them.
std::vector<int64_t> delivered(const DataLoader& loader, int64_t epoch) {
  std::vector<int64_t> indices;
  for (const Batch& b : loader.epoch(epoch)) {
    for (int64_t i = 0; i < b.images.size(0); ++i) indices.push_back(index_of(b, i));
  }
  return indices;
}

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), int64_t{0});
  return v;
}

bool is_permutation_of_all(std::vector<int64_t> v, int64_t n) {
  std::sort(v.begin(), v.end());
  return v == iota(n);
}

void check_same_batches(const std::vector<Batch>& a, const std::vector<Batch>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(a[i].index == b[i].index);
    check_bitwise_equal(a[i].images, b[i].images);
    check_bitwise_equal(a[i].labels, b[i].labels);
  }
}

float max_value(const Tensor& t) {
  const Tensor c = t.contiguous();
  return *std::max_element(c.data<float>(), c.data<float>() + c.numel());
}

bool same_bits(const Tensor& a, const Tensor& b) {
  const Tensor x = a.contiguous(), y = b.contiguous();
  return x.shape() == y.shape() &&
         std::memcmp(x.data<float>(), y.data<float>(), static_cast<size_t>(x.numel()) * sizeof(float)) == 0;
}

std::shared_ptr<ImageDataset> mnist_train() {
  static const auto dataset =
      std::make_shared<ImageDataset>(load_mnist(std::string(EMBER_FIXTURES_DIR) + "/mnist-small", Split::train));
  return dataset;
}

TransformList augmentation() {
  return {std::make_shared<ScaleTo01>(), std::make_shared<RandomTranslate>(2),
          std::make_shared<RandomHorizontalFlip>(0.5), std::make_shared<Normalize>(std::vector<float>{0.1307f},
                                                                                   std::vector<float>{0.3081f})};
}

}  // namespace

TEST_CASE("num_batches and num_examples, with and without drop_last") {
  auto data = std::make_shared<IndexDataset>(10);
  const DataLoader keep(data, DataLoaderOptions().batch_size(4));
  CHECK(keep.num_batches() == 3);
  CHECK(keep.num_examples() == 10);
  const DataLoader drop(data, DataLoaderOptions().batch_size(4).drop_last(true));
  CHECK(drop.num_batches() == 2);
  CHECK(drop.num_examples() == 8);
  const DataLoader exact(data, DataLoaderOptions().batch_size(5).drop_last(true));
  CHECK(exact.num_batches() == 2);
  CHECK(exact.num_examples() == 10);
  const DataLoader whole(data, DataLoaderOptions().batch_size(10));
  CHECK(whole.num_batches() == 1);
  const DataLoader big(data, DataLoaderOptions().batch_size(64));
  CHECK(big.num_batches() == 1);
  CHECK(big.num_examples() == 10);
  CHECK(&keep.dataset() == data.get());
  CHECK(keep.options().batch_size() == 4);
}

TEST_CASE("a batch size near INT64_MAX is one batch of all the data, not an epoch of none (#17)") {
  // (n + b - 1) / b overflowed to a negative count: an epoch of no batches, "test accuracy 0.00%".
  auto data = std::make_shared<IndexDataset>(10);
  for (const int64_t b : {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max() - 1,
                          int64_t{1} << 62}) {
    CAPTURE(b);
    const DataLoader loader(data, DataLoaderOptions().batch_size(b));
    CHECK(loader.num_batches() == 1);
    CHECK(loader.num_examples() == 10);
    const std::vector<Batch> batches = collect(loader, 0);
    REQUIRE(batches.size() == 1);
    CHECK(batches[0].images.shape() == Shape{10, 1, 2, 2});
    CHECK(batches[0].labels.size(0) == 10);
  }
  const DataLoader one(data, DataLoaderOptions().batch_size(1));
  CHECK(one.num_batches() == 10);
  CHECK(DataLoader(data, DataLoaderOptions().batch_size(3)).num_batches() == 4);
  CHECK(DataLoader(data, DataLoaderOptions().batch_size(3).drop_last(true)).num_batches() == 3);
}

TEST_CASE("without shuffle: batches of 0..n-1 in order, the last one smaller; drop_last drops it") {
  auto data = std::make_shared<IndexDataset>(10);
  const DataLoader loader(data, DataLoaderOptions().batch_size(4));
  CHECK(loader.order(0) == iota(10));
  CHECK(loader.order(5) == iota(10));
  const std::vector<Batch> batches = collect(loader, 0);
  REQUIRE(batches.size() == 3);
  for (int64_t b = 0; b < 3; ++b) {
    CAPTURE(b);
    const Batch& batch = batches[static_cast<size_t>(b)];
    const int64_t n = b < 2 ? 4 : 2;
    CHECK(batch.index == b);
    CHECK(batch.images.shape() == Shape{n, 1, 2, 2});
    CHECK(batch.images.dtype() == DType::f32);
    CHECK(batch.labels.shape() == Shape{n});
    CHECK(batch.labels.dtype() == DType::i64);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t index = 4 * b + i;
      CHECK(batch.labels.data<int64_t>()[i] == index % 3);
      for (int64_t k = 0; k < 4; ++k) CHECK(batch.images.data<float>()[i * 4 + k] == static_cast<float>(1000 * index + k));
    }
  }
  const DataLoader drop(data, DataLoaderOptions().batch_size(4).drop_last(true));
  CHECK(delivered(drop, 0) == iota(8));
  CHECK(delivered(drop, 1) == iota(8));
}

TEST_CASE("shuffle: each epoch a permutation, different per epoch, fixed by the seed") {
  auto data = std::make_shared<IndexDataset>(10);
  const DataLoader loader(data, DataLoaderOptions().batch_size(4).shuffle(true).seed(3));
  std::set<std::vector<int64_t>> orders;
  for (int64_t epoch = 0; epoch < 6; ++epoch) {
    CAPTURE(epoch);
    const std::vector<int64_t> order = loader.order(epoch);
    CHECK(is_permutation_of_all(order, 10));
    CHECK(order != iota(10));
    // The batches deliver exactly order(epoch): every index once.
    CHECK(delivered(loader, epoch) == order);
    orders.insert(order);
  }
  CHECK(orders.size() == 6);  // no two epochs alike

  // The same seed gives the same orders (a pure function of seed and epoch); other seeds differ.
  const DataLoader twin(data, DataLoaderOptions().batch_size(2).shuffle(true).seed(3));
  const DataLoader other(data, DataLoaderOptions().batch_size(4).shuffle(true).seed(4));
  for (int64_t epoch = 0; epoch < 6; ++epoch) {
    CHECK(twin.order(epoch) == loader.order(epoch));
    CHECK(loader.order(epoch) == loader.order(epoch));
  }
  int differing = 0;
  for (int64_t epoch = 0; epoch < 6; ++epoch) differing += other.order(epoch) != loader.order(epoch);
  CHECK(differing == 6);

  // With drop_last the dropped examples change from epoch to epoch.
  const DataLoader drop(data, DataLoaderOptions().batch_size(4).shuffle(true).seed(3).drop_last(true));
  std::set<int64_t> seen;
  for (int64_t epoch = 0; epoch < 6; ++epoch) {
    const std::vector<int64_t> got = delivered(drop, epoch);
    const std::vector<int64_t> order = drop.order(epoch);
    CHECK(got == std::vector<int64_t>(order.begin(), order.begin() + 8));
    seen.insert(got.begin(), got.end());
  }
  CHECK(seen.size() == 10);
}

TEST_CASE("the MNIST subset: batches hold dataset.get() of order()'s indices") {
  auto data = mnist_train();
  REQUIRE(data->size() == 1000);
  const DataLoader loader(data, DataLoaderOptions().batch_size(64).shuffle(true).seed(11));
  CHECK(loader.num_batches() == 16);
  const std::vector<int64_t> order = loader.order(2);
  REQUIRE(is_permutation_of_all(order, 1000));
  std::vector<int64_t> per_class(10);
  int64_t b = 0;
  for (const Batch& batch : loader.epoch(2)) {
    CAPTURE(b);
    CHECK(batch.index == b);
    const int64_t n = b < 15 ? 64 : 1000 - 15 * 64;
    REQUIRE(batch.images.shape() == Shape{n, 1, 28, 28});
    REQUIRE(batch.labels.shape() == Shape{n});
    for (int64_t i = 0; i < n; ++i) {
      const Example e = data->get(order[static_cast<size_t>(64 * b + i)]);
      check_bitwise_equal(batch.images.select(0, i), e.image);
      CHECK(batch.labels.data<int64_t>()[i] == e.label);
      ++per_class[static_cast<size_t>(e.label)];
    }
    ++b;
  }
  CHECK(b == 16);
  // Every image once: the class counts of the fixture (tests/data/test_mnist.cpp).
  CHECK(per_class == std::vector<int64_t>{97, 116, 99, 93, 105, 92, 94, 117, 87, 100});

  // Without shuffle the first labels are MNIST's first labels, and pixels are raw 0..255.
  const DataLoader plain(data, DataLoaderOptions().batch_size(10));
  const std::vector<Batch> batches = collect(plain, 0);
  const Tensor labels = batches[0].labels;
  CHECK(std::vector<int64_t>(labels.data<int64_t>(), labels.data<int64_t>() + 10) ==
        std::vector<int64_t>{5, 0, 4, 1, 9, 2, 1, 3, 1, 4});
  CHECK(max_value(batches[0].images) == 255.0f);
}

TEST_CASE("make_batch is the batch the epoch hands out") {
  auto data = mnist_train();
  const DataLoader loader(data, DataLoaderOptions().batch_size(100).shuffle(true).seed(5).transforms(augmentation()));
  const std::vector<Batch> batches = collect(loader, 4);
  const std::vector<int64_t> order = loader.order(4);
  for (int64_t b : {0, 3, 9}) {
    const Batch made = loader.make_batch(order, 4, b);
    CHECK(made.index == b);
    check_bitwise_equal(made.images, batches[static_cast<size_t>(b)].images);
    check_bitwise_equal(made.labels, batches[static_cast<size_t>(b)].labels);
  }
  check_error([&] { loader.make_batch(order, 4, 10); }, {"DataLoader", "batch 10 out of range", "10 batches"});
  check_error([&] { loader.make_batch(order, 4, -1); }, {"batch -1 out of range"});
}

TEST_CASE("transforms are applied per example, the same for a seed and epoch") {
  auto data = mnist_train();
  const DataLoader raw(data, DataLoaderOptions().batch_size(50).shuffle(true).seed(2));
  const DataLoader scaled(data, DataLoaderOptions().batch_size(50).shuffle(true).seed(2).transforms(
                                    {std::make_shared<ScaleTo01>()}));
  const Batch r = collect(raw, 0)[0], s = collect(scaled, 0)[0];
  check_bitwise_equal(s.labels, r.labels);
  ember::test::check_close(s.images, mul(r.images, 1.0f / 255.0f), 0, 0);
  CHECK(max_value(s.images) == 1.0f);

  const DataLoader augmented(data, DataLoaderOptions().batch_size(50).shuffle(true).seed(2).transforms(augmentation()));
  const DataLoader same(data, DataLoaderOptions().batch_size(50).shuffle(true).seed(2).transforms(augmentation()));
  const std::vector<Batch> a = collect(augmented, 0);
  check_same_batches(a, collect(same, 0));
  // The augmentation changes images (not only their scale) and differs between epochs.
  const Batch plain = collect(DataLoader(data, DataLoaderOptions().batch_size(50).shuffle(true).seed(2).transforms(
                                             {std::make_shared<ScaleTo01>(),
                                              std::make_shared<Normalize>(std::vector<float>{0.1307f},
                                                                          std::vector<float>{0.3081f})})),
                              0)[0];
  check_bitwise_equal(a[0].labels, plain.labels);
  CHECK(!same_bits(a[0].images, plain.images));
  const std::vector<Batch> next = collect(augmented, 1);
  CHECK(!same_bits(next[0].images, a[0].images));
}

TEST_CASE("prefetch on or off, 1 thread or 2: bitwise the same batches") {
  auto data = mnist_train();
  auto options = DataLoaderOptions().batch_size(64).shuffle(true).seed(9).transforms(augmentation());
  const DataLoader prefetching(data, options);
  const DataLoader serial(data, DataLoaderOptions(options).prefetch(false));
  CHECK(prefetching.options().prefetch());
  CHECK(!serial.options().prefetch());
  std::vector<Batch> with_prefetch, without, one_thread, two_threads;
  ember::test::with_threads(2, [&] {
    with_prefetch = collect(prefetching, 3);
    without = collect(serial, 3);
    two_threads = collect(prefetching, 3);
  });
  ember::test::with_threads(1, [&] { one_thread = collect(prefetching, 3); });
  REQUIRE(with_prefetch.size() == 16);
  check_same_batches(with_prefetch, without);
  check_same_batches(with_prefetch, one_thread);
  check_same_batches(with_prefetch, two_threads);
  // Doing work between batches (as a training step would) does not change them.
  std::vector<Batch> busy;
  for (const Batch& b : prefetching.epoch(3)) {
    busy.push_back(b);
    Tensor x = matmul(ember::test::random_tensor({128, 128}, 1), ember::test::random_tensor({128, 128}, 2));
    CHECK(x.shape() == Shape{128, 128});
  }
  check_same_batches(with_prefetch, busy);
}

TEST_CASE("an epoch can be iterated once") {
  auto data = std::make_shared<IndexDataset>(10);
  for (bool prefetch : {true, false}) {
    CAPTURE(prefetch);
    const DataLoader loader(data, DataLoaderOptions().batch_size(4).prefetch(prefetch));
    auto epoch = loader.epoch(0);
    int64_t count = 0;
    for (const Batch& b : epoch) count += b.images.size(0);
    CHECK(count == 10);
    check_error([&] { epoch.begin(); }, {"DataLoader", "an epoch can be iterated only once"});
    // A new epoch object of the same epoch is fine and gives the same data.
    CHECK(delivered(loader, 0) == iota(10));
  }
  const DataLoader loader(data, DataLoaderOptions().batch_size(4));
  check_error([&] { loader.epoch(-1); }, {"DataLoader", "epoch must be >= 0", "got -1"});
}

TEST_CASE("an error from the dataset reaches the caller as the same ember::Error") {
  // 100 examples of 28x28, batches of 64: batch 1 (examples 64..99) is filled in parallel chunks
  // and, with prefetch, in the background while the caller holds batch 0.
  for (bool prefetch : {true, false}) {
    for (int threads : {1, 2}) {
      CAPTURE(prefetch);
      CAPTURE(threads);
      ember::test::with_threads(threads, [&] {
        auto data = std::make_shared<IndexDataset>(100, 28, 70);
        const DataLoader loader(data, DataLoaderOptions().batch_size(64).prefetch(prefetch));
        std::vector<int64_t> seen;
        std::string message;
        try {
          for (const Batch& b : loader.epoch(0)) seen.push_back(b.index);
          FAIL_CHECK("no exception");
        } catch (const Error& e) {
          message = e.what();
        } catch (const std::exception& e) {
          FAIL_CHECK("not an ember::Error: " << e.what());
        }
        CHECK(message == "IndexDataset: example 70 is unreadable");
        CHECK(seen == std::vector<int64_t>{0});  // batch 0 arrived; batch 1 threw
      });
    }
  }
  // The throw happens while the caller is between batches, not at the start.
  auto data = std::make_shared<IndexDataset>(100, 28, 70);
  const DataLoader loader(data, DataLoaderOptions().batch_size(64));
  auto epoch = loader.epoch(0);
  auto it = epoch.begin();
  CHECK((*it).index == 0);
  CHECK(index_of(*it, 63) == 63);
  check_error([&] { ++it; }, {"IndexDataset: example 70 is unreadable"});
}

TEST_CASE("leaving an epoch early with a prefetch pending is clean") {
  auto data = std::make_shared<IndexDataset>(1000, 8);
  const DataLoader loader(data, DataLoaderOptions().batch_size(10).shuffle(true).seed(1).transforms(augmentation()));
  std::vector<Batch> early;
  for (const Batch& b : loader.epoch(0)) {
    early.push_back(b);
    if (b.index == 2) break;  // batch 3 is being prepared
  }
  CHECK(early.size() == 3);
  // The epoch's destructor waited for the pending batch: four batches were filled, no more.
  CHECK(data->fills.load() == 40);

  // Destroyed without being iterated, or right after begin().
  { auto unused = loader.epoch(1); }
  CHECK(data->fills.load() == 40);
  {
    auto epoch = loader.epoch(1);
    auto it = epoch.begin();
    CHECK((*it).index == 0);
  }
  CHECK(data->fills.load() == 60);
  // The loader works as before afterwards, and the batches are what an uninterrupted run gets.
  const std::vector<Batch> all = collect(loader, 0);
  CHECK(all.size() == 100);
  check_same_batches(early, std::vector<Batch>(all.begin(), all.begin() + 3));
}

TEST_CASE("DataLoader: bad arguments") {
  auto data = std::make_shared<IndexDataset>(10);
  check_error([&] { DataLoader(data, DataLoaderOptions().batch_size(0)); },
              {"DataLoader", "batch_size must be >= 1", "got 0"});
  check_error([&] { DataLoader(data, DataLoaderOptions().batch_size(-3)); }, {"batch_size must be >= 1", "got -3"});
  check_error([] { DataLoader(std::make_shared<IndexDataset>(0)); },
              {"DataLoader", "the dataset (0 images 1x2x2, 3 classes) is empty"});
  check_error([&] { DataLoader(data, DataLoaderOptions().batch_size(16).drop_last(true)); },
              {"DataLoader", "drop_last with batch_size 16 leaves no batch of the 10 examples"});
  check_error([] { DataLoader(nullptr); }, {"DataLoader", "the dataset is null"});
  check_error([&] { DataLoader(data, DataLoaderOptions().transforms({std::make_shared<ScaleTo01>(), nullptr})); },
              {"DataLoader", "a transform is null"});
  // A Normalize with the wrong channel count fails when the batch is made, naming the problem.
  const DataLoader wrong(data, DataLoaderOptions().batch_size(4).transforms(
                                   {std::make_shared<Normalize>(std::vector<float>{0, 0, 0},
                                                                std::vector<float>{1, 1, 1})}));
  check_error([&] { collect(wrong, 0); }, {"Normalize: has 3 means but the image has 1 channels"});
}

namespace {

// Keeps the centre of the image, `border` pixels less on every side: a transform that shrinks, so
// that an image is larger along the list than at its end (the DataLoader's scratch path).
class CentreCrop : public Transform {
 public:
  explicit CentreCrop(int64_t border) : border_(border) {}
  void apply(float* image, const Shape& chw, Generator&) const override {
    const Shape out = output_shape(chw);
    float* to = image;
    for (int64_t c = 0; c < chw[0]; ++c) {
      for (int64_t y = 0; y < out[1]; ++y) {
        const float* from = image + (c * chw[1] + y + border_) * chw[2] + border_;
        to = std::copy(from, from + out[2], to);
      }
    }
  }
  std::string describe() const override { return "centre_crop"; }
  Shape output_shape(const Shape& chw) const override { return {chw[0], chw[1] - 2 * border_, chw[2] - 2 * border_}; }

 private:
  int64_t border_;
};

}  // namespace

TEST_CASE("Pad in the transforms: batches of the padded size, each image in the middle of zeros") {
  auto data = mnist_train();
  const TransformList scale = {std::make_shared<ScaleTo01>()};
  const TransformList pad = {std::make_shared<ScaleTo01>(), std::make_shared<Pad>(2)};
  const DataLoader plain(data, DataLoaderOptions().batch_size(40).shuffle(true).seed(4).transforms(scale));
  const DataLoader padded(data, DataLoaderOptions().batch_size(40).shuffle(true).seed(4).transforms(pad));
  CHECK(plain.image_shape() == Shape{1, 28, 28});
  CHECK(padded.image_shape() == Shape{1, 32, 32});
  const Batch a = collect(plain, 0)[0], b = collect(padded, 0)[0];
  REQUIRE(b.images.shape() == Shape{40, 1, 32, 32});
  check_bitwise_equal(a.labels, b.labels);
  const auto small = a.images.to_vector<float>(), big = b.images.to_vector<float>();
  for (int64_t i = 0; i < 40; ++i) {
    for (int64_t y = 0; y < 32; ++y) {
      for (int64_t x = 0; x < 32; ++x) {
        const bool inside = y >= 2 && y < 30 && x >= 2 && x < 30;
        const float expected = inside ? small[static_cast<size_t>(i * 784 + (y - 2) * 28 + x - 2)] : 0.0f;
        if (big[static_cast<size_t>(i * 1024 + y * 32 + x)] != expected) {
          FAIL("image ", i, " pixel (", y, ", ", x, ") is ", big[static_cast<size_t>(i * 1024 + y * 32 + x)],
               ", expected ", expected);
        }
      }
    }
  }
  // Padding then augmenting: the same batches with 1 thread or 2, prefetching or not.
  auto options = DataLoaderOptions().batch_size(64).shuffle(true).seed(9).transforms(
      {std::make_shared<ScaleTo01>(), std::make_shared<Pad>(2), std::make_shared<RandomTranslate>(2)});
  std::vector<Batch> two, one, serial;
  ember::test::with_threads(2, [&] { two = collect(DataLoader(data, options), 1); });
  ember::test::with_threads(1, [&] { one = collect(DataLoader(data, options), 1); });
  serial = collect(DataLoader(data, DataLoaderOptions(options).prefetch(false)), 1);
  check_same_batches(two, one);
  check_same_batches(two, serial);
}

TEST_CASE("an image larger along the transforms than at their end is built aside: Pad then crop is the identity") {
  auto data = mnist_train();
  const DataLoader plain(data, DataLoaderOptions().batch_size(50).transforms({std::make_shared<ScaleTo01>()}));
  const DataLoader round_trip(data, DataLoaderOptions().batch_size(50).transforms(
                                        {std::make_shared<ScaleTo01>(), std::make_shared<Pad>(3),
                                         std::make_shared<CentreCrop>(3)}));
  CHECK(round_trip.image_shape() == Shape{1, 28, 28});
  check_same_batches(collect(plain, 0), collect(round_trip, 0));
}
