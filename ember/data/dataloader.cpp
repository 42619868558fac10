#include "ember/data/dataloader.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/parallel.h"
#include "ember/core/profiler.h"
#include "ember/core/random.h"

namespace ember::data {

namespace {

// splitmix64's finalizer: spreads (seed, epoch, position) into unrelated generator seeds.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t epoch_seed(uint64_t seed, int64_t epoch) { return mix(mix(seed) ^ static_cast<uint64_t>(epoch)); }

}  // namespace

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {
  EMBER_CHECK(dataset_ != nullptr, "DataLoader: the dataset is null");
  EMBER_CHECK(options_.batch_size() >= 1, "DataLoader: batch_size must be >= 1, got {}", options_.batch_size());
  EMBER_CHECK(dataset_->size() > 0, "DataLoader: the dataset ({}) is empty", dataset_->describe());
  EMBER_CHECK(!options_.drop_last() || dataset_->size() >= options_.batch_size(),
              "DataLoader: drop_last with batch_size {} leaves no batch of the {} examples of {}", options_.batch_size(),
              dataset_->size(), dataset_->describe());
  for (const auto& t : options_.transforms()) EMBER_CHECK(t != nullptr, "DataLoader: a transform is null");
  Shape shape = dataset_->image_shape();
  for (const auto& t : options_.transforms()) {
    transform_inputs_.push_back(shape);
    shape = t->output_shape(shape);
  }
  image_shape_ = shape;
  image_capacity_ = transformed_capacity(options_.transforms(), dataset_->image_shape());
}

int64_t DataLoader::num_batches() const {
  // Ceil division without n + b - 1, which overflows for a batch near INT64_MAX (an epoch of no
  // batches): a batch larger than the data is one batch of all of it.
  const int64_t n = dataset_->size(), b = options_.batch_size();
  return n / b + (!options_.drop_last() && n % b != 0 ? 1 : 0);
}

int64_t DataLoader::num_examples() const {
  return options_.drop_last() ? num_batches() * options_.batch_size() : dataset_->size();
}

std::vector<int64_t> DataLoader::order(int64_t epoch) const {
  const int64_t n = dataset_->size();
  std::vector<int64_t> indices(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) indices[static_cast<size_t>(i)] = i;
  if (options_.shuffle()) {
    Generator gen(epoch_seed(options_.seed(), epoch));
    for (int64_t i = n - 1; i > 0; --i) {  // Fisher-Yates
      const int64_t j = static_cast<int64_t>(gen.below(static_cast<uint64_t>(i + 1)));
      std::swap(indices[static_cast<size_t>(i)], indices[static_cast<size_t>(j)]);
    }
  }
  return indices;
}

Batch DataLoader::make_batch(const std::vector<int64_t>& order, int64_t epoch, int64_t index) const {
  EMBER_CHECK(index >= 0 && index < num_batches(), "DataLoader: batch {} out of range (the epoch has {} batches)",
              index, num_batches());
  const int64_t first = index * options_.batch_size();
  const int64_t count = std::min<int64_t>(options_.batch_size(), static_cast<int64_t>(order.size()) - first);
  const Shape& out = image_shape_;
  const int64_t image_size = numel_of(out);
  // An image larger somewhere along the transforms than at their end is built in a scratch buffer.
  const bool in_place = image_capacity_ == image_size;
  Batch batch;
  batch.index = index;
  batch.images = ember::empty({count, out[0], out[1], out[2]});
  batch.labels = ember::empty({count}, DType::i64);
  float* images = batch.images.data<float>();
  int64_t* labels = batch.labels.data<int64_t>();
  const uint64_t seed = epoch_seed(options_.seed(), epoch);
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, image_size));
  parallel_for(0, count, grain, [&](int64_t begin, int64_t end) {
    std::vector<float> scratch(in_place ? 0 : static_cast<size_t>(image_capacity_));
    for (int64_t i = begin; i < end; ++i) {
      const int64_t position = first + i;
      float* slot = images + i * image_size;
      float* image = in_place ? slot : scratch.data();
      labels[i] = dataset_->fill(order[static_cast<size_t>(position)], image);
      Generator rng(mix(seed ^ mix(static_cast<uint64_t>(position))));
      const auto& transforms = options_.transforms();
      for (size_t t = 0; t < transforms.size(); ++t) transforms[t]->apply(image, transform_inputs_[t], rng);
      if (!in_place) std::copy(image, image + image_size, slot);
    }
  });
  return batch;
}

// ---- one epoch, with the next batch prepared in the background ----

struct DataLoader::Epoch::State {
  const DataLoader* loader;
  int64_t epoch;
  std::vector<int64_t> order;
  int64_t first_index = 0;  // where the iteration starts
  int64_t next_index = 0;   // the batch the iterator will hand out next
  std::optional<Batch> current;
  std::optional<Batch> prefetched;
  std::exception_ptr prefetch_error;
  BackgroundTask prefetch;
  bool pending = false;

  void start_prefetch(int64_t index) {
    if (index >= loader->num_batches()) return;
    pending = true;
    prefetch.run([this, index] {
      try {
        prefetched = loader->make_batch(order, epoch, index);
      } catch (...) {
        prefetch_error = std::current_exception();
      }
    });
  }

  // Makes batch next_index current (from the prefetch when there is one).
  void advance() {
    profiler::Scope timed("DataLoader.next", profiler::Phase::data);
    if (next_index >= loader->num_batches()) {
      current.reset();
      return;
    }
    if (pending) {
      prefetch.wait();
      pending = false;
      if (prefetch_error) std::rethrow_exception(prefetch_error);
      current = std::move(prefetched);
      prefetched.reset();
    } else {
      current = loader->make_batch(order, epoch, next_index);
    }
    ++next_index;
    if (loader->options().prefetch()) start_prefetch(next_index);
  }

  ~State() {
    if (pending) prefetch.wait();  // a task still refers to this state
  }
};

DataLoader::Epoch::Epoch(const DataLoader& loader, int64_t epoch, int64_t first_batch)
    : state_(std::make_unique<State>()) {
  EMBER_CHECK(epoch >= 0, "DataLoader: epoch must be >= 0, got {}", epoch);
  EMBER_CHECK(first_batch >= 0 && first_batch <= loader.num_batches(),
              "DataLoader: first batch {} is outside the epoch's 0..{}", first_batch, loader.num_batches());
  state_->loader = &loader;
  state_->epoch = epoch;
  state_->order = loader.order(epoch);
  state_->first_index = state_->next_index = first_batch;
}

DataLoader::Epoch::~Epoch() = default;
DataLoader::Epoch::Epoch(Epoch&&) noexcept = default;

DataLoader::Epoch::Iterator DataLoader::Epoch::begin() {
  EMBER_CHECK(state_->next_index == state_->first_index && !state_->current,
              "DataLoader: an epoch can be iterated only once");
  state_->advance();
  return Iterator(this);
}

const Batch& DataLoader::Epoch::Iterator::operator*() const { return *epoch_->state_->current; }

DataLoader::Epoch::Iterator& DataLoader::Epoch::Iterator::operator++() {
  epoch_->state_->advance();
  return *this;
}

bool DataLoader::Epoch::Iterator::operator!=(End) const { return epoch_->state_->current.has_value(); }

DataLoader::Epoch DataLoader::epoch(int64_t epoch, int64_t first_batch) const {
  return Epoch(*this, epoch, first_batch);
}

}  // namespace ember::data
