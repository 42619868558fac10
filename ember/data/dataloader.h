#pragma once
// DataLoader: batches of a Dataset, in a seeded order, with transforms, prepared in the
// background.
//
//   data::DataLoader train(dataset, data::DataLoaderOptions().batch_size(64).shuffle(true).seed(1)
//                                       .transforms({std::make_shared<data::ScaleTo01>()}));
//   for (int64_t epoch = 0; epoch < 3; ++epoch)
//     for (const data::Batch& batch : train.epoch(epoch)) { ... batch.images, batch.labels ... }
//
// Determinism: the order of epoch e is a permutation drawn from a generator seeded with
// (seed, e) alone, and example i of the epoch gets its own generator seeded with (seed, e, i)
// for random transforms. So batch b of epoch e is a pure function of (seed, e, b): the same on
// every run, for any thread count, with or without prefetch, and a run resumed at epoch e sees
// exactly the batches an uninterrupted run would.
//
// Prefetch: while the caller trains on batch b, batch b+1 is assembled by a task on TBB's pool
// (examples filled in parallel), so with a cheap step the next batch is ready when it ends.
#include <cstdint>
#include <memory>
#include <vector>

#include "ember/core/options.h"
#include "ember/data/dataset.h"
#include "ember/data/transforms.h"

namespace ember::data {

struct Batch {
  Tensor images;       // float32 [B, C, H, W]
  Tensor labels;       // int64 [B]
  int64_t index = 0;   // batch number within the epoch
};

struct DataLoaderOptions {
  EMBER_ARG(int64_t, batch_size, 64);
  EMBER_ARG(bool, shuffle, false);
  EMBER_ARG(bool, drop_last, false);  // drop the last batch if it is smaller than batch_size
  EMBER_ARG(uint64_t, seed, 0);
  EMBER_ARG(bool, prefetch, true);
  EMBER_ARG(TransformList, transforms, {});
};

class DataLoader {
 public:
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options = {});

  const Dataset& dataset() const { return *dataset_; }
  // The shape of the batches' images, [C, H, W]: the dataset's after the transforms (Pad grows it).
  const Shape& image_shape() const { return image_shape_; }
  const DataLoaderOptions& options() const { return options_; }
  int64_t num_batches() const;
  int64_t num_examples() const;  // per epoch (fewer than the dataset's with drop_last)

  // The dataset indices of epoch `epoch`, in order.
  std::vector<int64_t> order(int64_t epoch) const;
  // Batch `index` of an epoch whose order is `order`, assembled now on the calling thread's pool.
  Batch make_batch(const std::vector<int64_t>& order, int64_t epoch, int64_t index) const;

  class Epoch;
  // One pass over the data; iterate it once with a range-for. From `first_batch` on, for a run
  // resumed in the middle of an epoch: the batches are the ones an uninterrupted pass hands out.
  Epoch epoch(int64_t epoch, int64_t first_batch = 0) const;

 private:
  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  Shape image_shape_;
  std::vector<Shape> transform_inputs_;  // the image's shape as each transform receives it
  int64_t image_capacity_ = 0;           // the most floats an image occupies along the transforms
};

class DataLoader::Epoch {
 public:
  Epoch(const DataLoader& loader, int64_t epoch, int64_t first_batch = 0);
  ~Epoch();
  Epoch(Epoch&&) noexcept;
  Epoch& operator=(Epoch&&) = delete;

  struct End {};
  class Iterator {
   public:
    explicit Iterator(Epoch* epoch) : epoch_(epoch) {}
    const Batch& operator*() const;
    Iterator& operator++();
    bool operator!=(End) const;

   private:
    Epoch* epoch_;
  };
  Iterator begin();
  End end() const { return {}; }

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ember::data
