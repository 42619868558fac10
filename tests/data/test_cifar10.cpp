// load_cifar10 / write_cifar10_batch on tiny batches: layout, splits, folders, bad files.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ember/core/file.h"
#include "support/helpers.h"

using namespace ember;
using namespace ember::data;
using ember::test::check_error;

namespace {

using ember::test::TempDir;

uint8_t pixel_value(int64_t image, int64_t c, int64_t y, int64_t x) {
  return static_cast<uint8_t>((image * 7 + c * 50 + y * 3 + x) % 256);
}

// `count` images numbered from `first`, pixel (c, y, x) of image i = pixel_value(i, c, y, x).
ImageData make_images(int64_t first, int64_t count) {
  ImageData data;
  data.name = "synthetic";
  data.count = count;
  data.channels = 3;
  data.height = data.width = 32;
  for (int64_t i = first; i < first + count; ++i) {
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t y = 0; y < 32; ++y) {
        for (int64_t x = 0; x < 32; ++x) data.pixels.push_back(pixel_value(i, c, y, x));
      }
    }
    data.labels.push_back((i * 3) % 10);
  }
  return data;
}

// data_batch_1.bin .. data_batch_5.bin holding 1, 2, 3, 4 and 5 images, numbered 0..14.
void write_train(const std::filesystem::path& folder, std::vector<int> batches = {1, 2, 3, 4, 5}) {
  std::filesystem::create_directories(folder);
  for (int b : batches) {
    const int64_t first = (b - 1) * b / 2;
    write_cifar10_batch((folder / fmt::format("data_batch_{}.bin", b)).string(), make_images(first, b));
  }
}

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

}  // namespace

TEST_CASE("a CIFAR-10 record is a label byte then the red, green and blue 32x32 planes") {
  // Written by hand, independently of write_cifar10_batch.
  std::string record(3073, '\0');
  record[0] = 7;
  for (int i = 0; i < 1024; ++i) {
    record[1 + i] = 10;
    record[1 + 1024 + i] = 20;
    record[1 + 2048 + i] = 30;
  }
  record[1 + 1 * 32 + 2] = 99;         // red, row 1, column 2
  record[1 + 2048 + 31 * 32 + 0] = 5;  // blue, row 31, column 0
  TempDir dir;
  write_bytes(dir.file("test_batch.bin"), record);
  const ImageDataset dataset(load_cifar10(dir.str(), Split::test));
  REQUIRE(dataset.size() == 1);
  const Example example = dataset.get(0);
  CHECK(example.label == 7);
  CHECK(example.image.shape() == Shape{3, 32, 32});
  CHECK(example.image.at({0, 1, 2}) == 99.0f);
  CHECK(example.image.at({0, 0, 0}) == 10.0f);
  CHECK(example.image.at({1, 1, 2}) == 20.0f);
  CHECK(example.image.at({2, 31, 0}) == 5.0f);
  CHECK(example.image.at({2, 31, 1}) == 30.0f);
  CHECK(dataset.describe() == "CIFAR-10 test, 1 images 3x32x32");
  CHECK(dataset.class_names() == std::vector<std::string>{"airplane", "automobile", "bird", "cat", "deer", "dog",
                                                          "frog", "horse", "ship", "truck"});
}

TEST_CASE("write_cifar10_batch and load_cifar10 round-trip the five training batches in order") {
  TempDir dir;
  write_train(dir.path);
  CHECK(std::filesystem::file_size(dir.file("data_batch_2.bin")) == 2 * 3073);
  const ImageData data = load_cifar10(dir.str(), Split::train);
  CHECK(data.name == "CIFAR-10 train");
  CHECK(data.count == 15);
  CHECK(data.channels == 3);
  CHECK(data.height == 32);
  CHECK(data.width == 32);
  CHECK(data.pixels == make_images(0, 15).pixels);
  CHECK(data.labels == make_images(0, 15).labels);
  CHECK(data.class_names.size() == 10);
  const ImageDataset dataset(data);
  CHECK(dataset.get(14).label == 2);
  CHECK(dataset.get(14).image.at({2, 5, 9}) == static_cast<float>(pixel_value(14, 2, 5, 9)));

  write_cifar10_batch(dir.file("test_batch.bin"), make_images(100, 2));
  const ImageData test = load_cifar10(dir.str(), Split::test);
  CHECK(test.name == "CIFAR-10 test");
  CHECK(test.count == 2);
  CHECK(test.pixels == make_images(100, 2).pixels);
}

TEST_CASE("the cifar-10-batches-bin subfolder the archive extracts to is found") {
  TempDir dir;
  write_train(dir.path / "cifar-10-batches-bin");
  CHECK(load_cifar10(dir.str(), Split::train).count == 15);
  check_error([&] { load_cifar10(dir.str(), Split::test); },
              {"CIFAR-10 test: missing test_batch.bin in " + dir.str() + " (also looked in " + dir.str() +
               "/cifar-10-batches-bin)"});
}

TEST_CASE("every training batch is required and the missing ones are named with what to do") {
  TempDir dir;
  write_train(dir.path, {1, 2, 4});
  check_error([&] { load_cifar10(dir.str(), Split::train); },
              {"CIFAR-10 train: missing data_batch_3.bin, data_batch_5.bin in " + dir.str(),
               "Copy the \"CIFAR-10 binary version\" files there", "cifar-10-binary.tar.gz",
               "https://www.cs.toronto.edu/~kriz/cifar.html", "1 label byte and 3072 pixel bytes"});
  try {  // said for an installed library too: no script of a source tree, nothing about this machine
    load_cifar10(dir.str(), Split::train);
    FAIL("no error");
  } catch (const Error& e) {
    const std::string message = e.what();
    CHECK(message.find("scripts/") == std::string::npos);
    CHECK(message.find("this machine") == std::string::npos);
  }
  // The subfolder is reported when it is the one that has (more of) the files.
  TempDir nested;
  write_train(nested.path / "cifar-10-batches-bin", {5});
  check_error([&] { load_cifar10(nested.str(), Split::train); },
              {"missing data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin in " + nested.str() +
               "/cifar-10-batches-bin"});
}

TEST_CASE("a batch must be a positive multiple of 3073 bytes with labels 0..9") {
  TempDir dir;
  write_cifar10_batch(dir.file("test_batch.bin"), make_images(0, 2));
  std::filesystem::resize_file(dir.file("test_batch.bin"), 2 * 3073 + 5);
  check_error([&] { load_cifar10(dir.str(), Split::test); },
              {dir.file("test_batch.bin") + " is 6151 bytes, not a positive multiple of the 3073-byte record"});
  write_bytes(dir.file("test_batch.bin"), "");
  check_error([&] { load_cifar10(dir.str(), Split::test); }, {"is 0 bytes, not a positive multiple"});

  std::string two(2 * 3073, '\0');
  two[3073] = 10;  // the label of record 1
  write_bytes(dir.file("test_batch.bin"), two);
  check_error([&] { load_cifar10(dir.str(), Split::test); },
              {dir.file("test_batch.bin") + ": record 1 has label 10, expected 0..9"});
}

TEST_CASE("parse_cifar10_batch reads one batch's bytes in memory, naming what it is given") {
  TempDir dir;
  const ImageData images = make_images(4, 2);
  write_cifar10_batch(dir.file("b.bin"), images);
  const std::string bytes = read_file(dir.file("b.bin"));
  const ImageData parsed = parse_cifar10_batch(bytes, "batch-in-memory");
  CHECK(parsed.count == 2);
  CHECK(parsed.channels == 3);
  CHECK(parsed.height == 32);
  CHECK(parsed.labels == images.labels);
  CHECK(parsed.pixels == images.pixels);
  CHECK(parsed.class_names.size() == 10);
  check_error([&] { parse_cifar10_batch(bytes.substr(1), "cut"); }, {"CIFAR-10: cut is 6145 bytes"});
}

TEST_CASE("write_cifar10_batch accepts only 3x32x32 images with labels 0..9") {
  TempDir dir;
  ImageData gray = make_images(0, 1);
  gray.channels = 1;
  check_error([&] { write_cifar10_batch(dir.file("a.bin"), gray); }, {"images must be 3x32x32", "1x32x32"});
  ImageData bad_label = make_images(0, 2);
  bad_label.labels[1] = 10;
  check_error([&] { write_cifar10_batch(dir.file("b.bin"), bad_label); }, {"label of image 1 is 10"});
  CHECK_FALSE(std::filesystem::exists(dir.file("b.bin")));
  ImageData short_pixels = make_images(0, 2);
  short_pixels.pixels.resize(100);
  check_error([&] { write_cifar10_batch(dir.file("c.bin"), short_pixels); }, {"declares 2 images but has 100"});
}
