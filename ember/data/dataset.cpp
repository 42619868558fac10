#include "ember/data/dataset.h"

#include <algorithm>
#include <cstring>

#include "ember/core/error.h"

namespace ember::data {

const char* to_string(Split split) { return split == Split::train ? "train" : "test"; }

int64_t Dataset::fill(int64_t index, float* out) const {
  const Example example = get(index);
  const Shape shape = image_shape();
  EMBER_CHECK(example.image.dtype() == DType::f32 && example.image.shape() == shape,
              "Dataset::fill: example {} is {}, but image_shape() says float32 {}", index,
              example.image.describe(), shape_str(shape));
  const Tensor image = example.image.contiguous();
  std::memcpy(out, image.data<float>(), static_cast<size_t>(image.numel()) * sizeof(float));
  return example.label;
}

std::vector<std::string> Dataset::class_names() const {
  std::vector<std::string> names;
  for (int64_t c = 0; c < num_classes(); ++c) names.push_back(std::to_string(c));
  return names;
}

std::string Dataset::describe() const {
  const Shape shape = image_shape();
  return fmt::format("{} images {}x{}x{}, {} classes", size(), shape.at(0), shape.at(1), shape.at(2),
                     num_classes());
}

ImageDataset::ImageDataset(ImageData data) : data_(std::move(data)) {
  const ImageData& d = data_;
  EMBER_CHECK(d.count >= 0 && d.channels > 0 && d.height > 0 && d.width > 0,
              "ImageDataset {}: bad sizes: {} images of {}x{}x{}", d.name, d.count, d.channels, d.height, d.width);
  // Bounded first so that the product below cannot overflow.
  constexpr int64_t limit = int64_t{1} << 31;
  EMBER_CHECK(d.count <= limit && d.channels <= limit && d.height <= limit && d.width <= limit &&
                  d.channels * d.height <= limit && d.channels * d.height * d.width <= limit,
              "ImageDataset {}: implausible sizes: {} images of {}x{}x{}", d.name, d.count, d.channels, d.height,
              d.width);
  const uint64_t expected = static_cast<uint64_t>(d.count * d.channels * d.height * d.width);
  EMBER_CHECK(d.pixels.size() == expected, "ImageDataset {}: {} images of {}x{}x{} need {} pixel bytes, got {}",
              d.name, d.count, d.channels, d.height, d.width, expected, d.pixels.size());
  EMBER_CHECK(d.labels.size() == static_cast<uint64_t>(d.count), "ImageDataset {}: {} images but {} labels",
              d.name, d.count, d.labels.size());
  EMBER_CHECK(d.num_classes > 0, "ImageDataset {}: num_classes is {}, must be positive", d.name, d.num_classes);
  EMBER_CHECK(d.class_names.empty() || d.class_names.size() == static_cast<uint64_t>(d.num_classes),
              "ImageDataset {}: {} class names for {} classes", d.name, d.class_names.size(), d.num_classes);
  for (int64_t i = 0; i < d.count; ++i) {
    const int64_t label = d.labels[static_cast<size_t>(i)];
    EMBER_CHECK(label >= 0 && label < d.num_classes, "ImageDataset {}: label of image {} is {}, expected 0..{}",
                d.name, i, label, d.num_classes - 1);
  }
}

Example ImageDataset::get(int64_t index) const {
  Example example;
  example.image = empty(image_shape());
  example.label = fill(index, example.image.data<float>());
  return example;
}

int64_t ImageDataset::fill(int64_t index, float* out) const {
  EMBER_CHECK(index >= 0 && index < data_.count, "{}: index {} is out of range for {} images", data_.name,
              index, data_.count);
  const int64_t n = data_.channels * data_.height * data_.width;
  const uint8_t* pixels = data_.pixels.data() + index * n;
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(pixels[i]);
  return data_.labels[static_cast<size_t>(index)];
}

std::vector<std::string> ImageDataset::class_names() const {
  return data_.class_names.empty() ? Dataset::class_names() : data_.class_names;
}

std::string ImageDataset::describe() const {
  return fmt::format("{}, {} images {}x{}x{}", data_.name, data_.count, data_.channels, data_.height,
                     data_.width);
}

std::shared_ptr<ImageDataset> ImageDataset::head(int64_t count) const {
  EMBER_CHECK(count >= 0, "{}: head({}): the count must not be negative", data_.name, count);
  const int64_t n = std::min(count, data_.count);
  const auto bytes = static_cast<size_t>(n * data_.channels * data_.height * data_.width);
  ImageData subset;
  subset.name = data_.name;
  subset.count = n;
  subset.channels = data_.channels;
  subset.height = data_.height;
  subset.width = data_.width;
  subset.pixels.assign(data_.pixels.begin(), data_.pixels.begin() + static_cast<std::ptrdiff_t>(bytes));
  subset.labels.assign(data_.labels.begin(), data_.labels.begin() + static_cast<std::ptrdiff_t>(n));
  subset.num_classes = data_.num_classes;
  subset.class_names = data_.class_names;
  return std::make_shared<ImageDataset>(std::move(subset));
}

}  // namespace ember::data
