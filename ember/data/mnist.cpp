#include "ember/data/mnist.h"

#include <fmt/ranges.h>

#include <filesystem>

#include "ember/core/error.h"
#include "ember/data/idx.h"

namespace ember::data {

namespace {

// The file `name` in `dir`, raw or gzipped; "" if neither exists.
std::string find_file(const std::string& dir, const std::string& name) {
  for (const std::string& candidate : {name, name + ".gz"}) {
    const std::string path = (std::filesystem::path(dir) / candidate).string();
    if (std::filesystem::exists(path)) return path;
  }
  return "";
}

// The dataset's IDX files: 60,000 training and 10,000 test images with their labels.
constexpr const char* kIdxFiles =
    "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte";

ImageData load_idx_dataset(const std::string& dir, Split split, int64_t limit, const std::string& dataset,
                           const char* source, std::vector<std::string> class_names) {
  const std::string prefix = split == Split::train ? "train" : "t10k";
  const std::string images_name = prefix + "-images-idx3-ubyte", labels_name = prefix + "-labels-idx1-ubyte";
  const std::string images_path = find_file(dir, images_name), labels_path = find_file(dir, labels_name);
  std::vector<std::string> missing;
  for (const auto& [path, name] : {std::pair{images_path, images_name}, std::pair{labels_path, labels_name}}) {
    if (path.empty()) {
      missing.push_back(name);
      missing.push_back(name + ".gz");
    }
  }
  // Said for a user of the installed library: which folder, which files, in what format, from where.
  EMBER_CHECK(missing.empty(), "{} {}: not found in {}: looked for {}. The folder must hold {}'s four IDX "
              "files as published ({}), each raw or gzipped: {}", dataset, to_string(split), dir,
              fmt::join(missing, ", "), dataset, source, kIdxFiles);

  // Both headers first: a mismatch is reported before either file's data is read or inflated.
  const std::vector<int64_t> image_dims = read_idx_dims(images_path), label_dims = read_idx_dims(labels_path);
  EMBER_CHECK(image_dims.size() == 3, "{}: images must have rank 3 [count, height, width], this file "
              "has dimensions {}", images_path, fmt::join(image_dims, "x"));
  EMBER_CHECK(label_dims.size() == 1, "{}: labels must have rank 1 [count], this file has dimensions {}",
              labels_path, fmt::join(label_dims, "x"));
  EMBER_CHECK(image_dims[0] == label_dims[0], "{} {}: {} holds {} images but {} holds {} labels", dataset,
              to_string(split), images_path, image_dims[0], labels_path, label_dims[0]);
  const auto read_options = IdxReadOptions().max_items(limit);
  IdxArray images = read_idx(images_path, read_options);
  const IdxArray labels = read_idx(labels_path, read_options);

  ImageData data;
  data.name = fmt::format("{} {}", dataset, to_string(split));
  data.count = images.dims[0];
  data.channels = 1;
  data.height = images.dims[1];
  data.width = images.dims[2];
  data.pixels = std::move(images.data);
  data.labels.reserve(labels.data.size());
  for (size_t i = 0; i < labels.data.size(); ++i) {
    EMBER_CHECK(labels.data[i] < 10, "{}: label {} is {}, expected 0..9", labels_path, i, labels.data[i]);
    data.labels.push_back(labels.data[i]);
  }
  data.num_classes = 10;
  data.class_names = std::move(class_names);
  return data;
}

}  // namespace

ImageData load_mnist(const std::string& dir, Split split, int64_t limit) {
  return load_idx_dataset(dir, split, limit, "MNIST", "http://yann.lecun.com/exdb/mnist/", {});
}

ImageData load_fashion_mnist(const std::string& dir, Split split, int64_t limit) {
  return load_idx_dataset(dir, split, limit, "Fashion-MNIST", "https://github.com/zalandoresearch/fashion-mnist",
                          {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                           "Bag", "Ankle boot"});
}

}  // namespace ember::data
