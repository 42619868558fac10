#pragma once
// Datasets: numbered examples, each an image [C, H, W] of floats and an integer class label.
//
// Dataset is the interface the DataLoader reads; subclass it for your own data. ImageDataset is
// the in-memory kind every built-in reader returns (MNIST, Fashion-MNIST, CIFAR-10): 8-bit pixels
// kept as bytes (60,000 MNIST images are 47 MB, not 188 MB of floats), turned into floats with
// values 0..255 when an example is read. Transforms (data/transforms.h) then scale, normalize and
// augment them.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::data {

// Which part of a dataset: the training or the test split.
enum class Split { train, test };
const char* to_string(Split split);

struct Example {
  Tensor image;  // float32 [C, H, W]
  int64_t label = 0;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  // The shape of every image, [C, H, W].
  virtual Shape image_shape() const = 0;
  virtual int64_t num_classes() const = 0;
  // Example `index` (0 <= index < size()); ember::Error for an index out of range.
  virtual Example get(int64_t index) const = 0;
  // Writes example `index`'s C*H*W floats to `out` and returns its label. The DataLoader calls
  // this from several threads at once, so it must not modify the dataset. The default goes
  // through get(); override it to skip the temporary tensor.
  virtual int64_t fill(int64_t index, float* out) const;
  // Human-readable class names ("0".."9", "T-shirt/top", ...), num_classes() of them.
  virtual std::vector<std::string> class_names() const;
  // A short description for logs and reports ("MNIST train, 60000 images 1x28x28").
  virtual std::string describe() const;
};

// 8-bit images and labels in memory.
struct ImageData {
  std::string name;  // "MNIST train"
  int64_t count = 0, channels = 1, height = 0, width = 0;
  std::vector<uint8_t> pixels;   // count * channels * height * width bytes, NCHW order
  std::vector<int64_t> labels;   // count labels in [0, num_classes)
  int64_t num_classes = 10;
  std::vector<std::string> class_names;  // empty: "0", "1", ...
};

class ImageDataset : public Dataset {
 public:
  // Checks that the sizes agree and every label is in range (ember::Error naming `data.name`).
  explicit ImageDataset(ImageData data);
  int64_t size() const override { return data_.count; }
  Shape image_shape() const override { return {data_.channels, data_.height, data_.width}; }
  int64_t num_classes() const override { return data_.num_classes; }
  Example get(int64_t index) const override;
  int64_t fill(int64_t index, float* out) const override;
  std::vector<std::string> class_names() const override;
  std::string describe() const override;
  const ImageData& data() const { return data_; }

  // The first `count` examples (or all, if fewer): the small real subsets tests train on.
  std::shared_ptr<ImageDataset> head(int64_t count) const;

 private:
  ImageData data_;
};

}  // namespace ember::data
