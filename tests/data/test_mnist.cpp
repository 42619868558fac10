// load_mnist / load_fashion_mnist on the committed subset of the real MNIST and on hand-written
// files; ImageDataset (get, fill, head, describe, its checks) on the result.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <numeric>

#include "support/helpers.h"

using namespace ember;
using namespace ember::data;
using ember::test::check_error;

namespace {

using ember::test::TempDir;

std::string idx(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  std::string bytes = {0, 0, 8, static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((d >> shift) & 0xff));
  }
  return bytes + std::string(data.begin(), data.end());
}

// `count` 2x2 images whose pixels are 10 * index + position, and the given labels.
void write_set(const TempDir& dir, const std::string& prefix, uint32_t count, const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> pixels;
  for (uint32_t i = 0; i < count; ++i) {
    for (uint8_t p = 0; p < 4; ++p) pixels.push_back(static_cast<uint8_t>(10 * i + p));
  }
  dir.write(prefix + "-images-idx3-ubyte", idx({count, 2, 2}, pixels));
  dir.write(prefix + "-labels-idx1-ubyte", idx({static_cast<uint32_t>(labels.size())}, labels));
}

uint64_t pixel_sum(const ImageData& data, int64_t index) {
  const auto begin = data.pixels.begin() + index * 784;
  return std::accumulate(begin, begin + 784, uint64_t{0});
}

const std::string kFixture = std::string(EMBER_FIXTURES_DIR) + "/mnist-small";

}  // namespace

// Expected values computed independently with /usr/bin/python3 (gzip + bytes) from the fixture.
TEST_CASE("the MNIST fixture: the first 1000 training images of the real MNIST") {
  const ImageData train = load_mnist(kFixture, Split::train);
  CHECK(train.name == "MNIST train");
  CHECK(train.count == 1000);
  CHECK(train.channels == 1);
  CHECK(train.height == 28);
  CHECK(train.width == 28);
  CHECK(train.num_classes == 10);
  CHECK(train.class_names.empty());
  CHECK(train.labels.size() == 1000);
  CHECK(std::vector<int64_t>(train.labels.begin(), train.labels.begin() + 10) ==
        std::vector<int64_t>{5, 0, 4, 1, 9, 2, 1, 3, 1, 4});
  std::vector<int> per_class(10);
  for (int64_t label : train.labels) {
    REQUIRE(label >= 0);
    REQUIRE(label < 10);
    ++per_class[static_cast<size_t>(label)];
  }
  CHECK(per_class == std::vector<int>{97, 116, 99, 93, 105, 92, 94, 117, 87, 100});
  CHECK(pixel_sum(train, 0) == 27525);
  CHECK(pixel_sum(train, 1) == 31095);
  CHECK(std::accumulate(train.pixels.begin(), train.pixels.end(), uint64_t{0}) == 25637533);

  const ImageData test = load_mnist(kFixture, Split::test);
  CHECK(test.name == "MNIST test");
  CHECK(test.count == 500);
  CHECK(std::vector<int64_t>(test.labels.begin(), test.labels.begin() + 4) == std::vector<int64_t>{7, 2, 1, 0});
  CHECK(pixel_sum(test, 0) == 18454);
  CHECK(std::accumulate(test.pixels.begin(), test.pixels.end(), uint64_t{0}) == 12054721);
}

TEST_CASE("ImageDataset serves the fixture as float images 0..255") {
  const ImageDataset dataset(load_mnist(kFixture, Split::train));
  CHECK(dataset.size() == 1000);
  CHECK(dataset.image_shape() == Shape{1, 28, 28});
  CHECK(dataset.num_classes() == 10);
  CHECK(dataset.describe() == "MNIST train, 1000 images 1x28x28");
  CHECK(dataset.class_names() == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});

  const Example first = dataset.get(0);
  CHECK(first.label == 5);
  CHECK(first.image.shape() == Shape{1, 28, 28});
  CHECK(first.image.dtype() == DType::f32);
  CHECK(first.image.at({0, 14, 14}) == 240.0f);
  CHECK(first.image.sum().item() == 27525.0f);

  std::vector<float> buffer(784);
  CHECK(dataset.fill(1, buffer.data()) == 0);
  CHECK(std::accumulate(buffer.begin(), buffer.end(), 0.0) == 31095.0);
  CHECK_THROWS_WITH_AS(dataset.get(1000), doctest::Contains("index 1000 is out of range for 1000 images"), Error);
  CHECK_THROWS_WITH_AS(dataset.fill(-1, buffer.data()), doctest::Contains("index -1 is out of range"), Error);

  const auto head = dataset.head(10);
  CHECK(head->size() == 10);
  CHECK(head->get(0).label == 5);
  CHECK(head->get(9).image.sum().item() == dataset.get(9).image.sum().item());
  CHECK(head->data().pixels.size() == 7840);
  CHECK(dataset.head(5000)->size() == 1000);
  CHECK(dataset.head(0)->size() == 0);
}

TEST_CASE("ImageDataset checks that sizes and labels agree") {
  ImageData data;
  data.name = "tiny";
  data.count = 2;
  data.height = data.width = 2;
  data.pixels.assign(8, 0);
  data.labels = {0, 9};
  CHECK(ImageDataset(data).size() == 2);
  ImageData short_pixels = data;
  short_pixels.pixels.pop_back();
  CHECK_THROWS_WITH_AS(ImageDataset{short_pixels},
                       doctest::Contains("tiny: 2 images of 1x2x2 need 8 pixel bytes, got 7"), Error);
  ImageData bad_label = data;
  bad_label.labels[1] = 10;
  CHECK_THROWS_WITH_AS(ImageDataset{bad_label}, doctest::Contains("label of image 1 is 10, expected 0..9"), Error);
  ImageData few_names = data;
  few_names.class_names = {"a", "b"};
  CHECK_THROWS_WITH_AS(ImageDataset{few_names}, doctest::Contains("2 class names for 10 classes"), Error);
}

TEST_CASE("raw files are used when present, .gz ones otherwise") {
  TempDir dir;
  write_set(dir, "t10k", 3, {4, 0, 9});
  const ImageData raw = load_mnist(dir.str(), Split::test);
  CHECK(raw.count == 3);
  CHECK(raw.height == 2);
  CHECK(raw.pixels == std::vector<uint8_t>{0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});
  CHECK(raw.labels == std::vector<int64_t>{4, 0, 9});
  // Both forms present: the raw one wins (here the .gz one is a different, 1-image set).
  std::filesystem::copy_file(kFixture + "/t10k-labels-idx1-ubyte.gz", dir.path / "t10k-labels-idx1-ubyte.gz");
  CHECK(load_mnist(dir.str(), Split::test).count == 3);
  // Only the .gz label file: it is read (500 labels) and disagrees with the 3 images.
  std::filesystem::remove(dir.path / "t10k-labels-idx1-ubyte");
  check_error([&] { load_mnist(dir.str(), Split::test); },
              {"MNIST test:", "holds 3 images but", "t10k-labels-idx1-ubyte.gz holds 500 labels"});
}

TEST_CASE("Fashion-MNIST has its own name and class names") {
  TempDir dir;
  write_set(dir, "train", 2, {0, 9});
  const ImageData data = load_fashion_mnist(dir.str(), Split::train);
  CHECK(data.name == "Fashion-MNIST train");
  CHECK(data.class_names == std::vector<std::string>{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"});
  const ImageDataset dataset(data);
  CHECK(dataset.class_names().at(9) == "Ankle boot");
  CHECK(dataset.describe() == "Fashion-MNIST train, 2 images 1x2x2");
}

TEST_CASE("missing MNIST files are named, with the folder given and the way to get them") {
  TempDir dir;
  check_error([&] { load_mnist(dir.str(), Split::train); },
              {"MNIST train: not found in " + dir.str(), "train-images-idx3-ubyte, train-images-idx3-ubyte.gz",
               "train-labels-idx1-ubyte, train-labels-idx1-ubyte.gz", "MNIST's four IDX files",
               "http://yann.lecun.com/exdb/mnist/", "each raw or gzipped", "t10k-images-idx3-ubyte"});
  // The library may be installed far from any source tree: its message names no script of one.
  for (const std::string& folder : {dir.str(), std::string("no/such/folder")}) {
    try {
      load_fashion_mnist(folder, Split::train);
      FAIL("no error");
    } catch (const Error& e) {
      const std::string message = e.what();
      CHECK(message.find("not found in " + folder) != std::string::npos);
      CHECK(message.find("github.com/zalandoresearch/fashion-mnist") != std::string::npos);
      CHECK(message.find("scripts/") == std::string::npos);
    }
  }
  write_set(dir, "t10k", 1, {1});
  std::filesystem::remove(dir.path / "t10k-labels-idx1-ubyte");
  try {
    load_fashion_mnist(dir.str(), Split::test);
    FAIL("no error");
  } catch (const Error& e) {
    const std::string message = e.what();
    CHECK(message.find("Fashion-MNIST test: not found") != std::string::npos);
    // The image file is there: only the labels are looked for.
    CHECK(message.find("looked for t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz. ") != std::string::npos);
  }
}

TEST_CASE("MNIST files must have the right ranks, equal counts and labels 0..9") {
  TempDir dir;
  write_set(dir, "train", 3, {1, 2});
  check_error([&] { load_mnist(dir.str(), Split::train); }, {"holds 3 images but", "holds 2 labels"});
  write_set(dir, "train", 3, {1, 2, 10});
  check_error([&] { load_mnist(dir.str(), Split::train); }, {"train-labels-idx1-ubyte: label 2 is 10, expected 0..9"});
  write_set(dir, "train", 3, {1, 2, 3});
  dir.write("train-images-idx3-ubyte", idx({3, 4}, std::vector<uint8_t>(12)));
  check_error([&] { load_mnist(dir.str(), Split::train); }, {"images must have rank 3", "dimensions 3x4"});
  write_set(dir, "train", 3, {1, 2, 3});
  dir.write("train-labels-idx1-ubyte", idx({3, 1}, {1, 2, 3}));
  check_error([&] { load_mnist(dir.str(), Split::train); }, {"labels must have rank 1", "dimensions 3x1"});
}
