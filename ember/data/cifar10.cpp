#include "ember/data/cifar10.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>

#include "ember/core/error.h"
#include "ember/core/file.h"

namespace ember::data {

namespace {

constexpr int64_t kPixels = 3 * 32 * 32;
constexpr int64_t kRecord = 1 + kPixels;

std::vector<std::string> batch_names(Split split) {
  if (split == Split::test) return {"test_batch.bin"};
  std::vector<std::string> names;
  for (int i = 1; i <= 5; ++i) names.push_back(fmt::format("data_batch_{}.bin", i));
  return names;
}

std::vector<std::string> missing_in(const std::filesystem::path& folder, const std::vector<std::string>& names) {
  std::vector<std::string> missing;
  for (const std::string& name : names) {
    // Missing means no entry at all: a broken or looping link is there, and its reader says what it is.
    std::error_code error;
    const auto status = std::filesystem::symlink_status(folder / name, error);
    if (error || status.type() == std::filesystem::file_type::not_found) missing.push_back(name);
  }
  return missing;
}

// A batch holds 10,000 records (30.7 MB); one of more than 100,000 is not a CIFAR-10 batch.
constexpr uint64_t kMaxBatchBytes = uint64_t{100000} * kRecord;

void check_batch_size(uint64_t size, const std::string& path) {
  EMBER_CHECK(size > 0 && size % kRecord == 0, "CIFAR-10: {} is {} bytes, not a positive multiple of the "
              "{}-byte record (1 label byte + 3072 pixel bytes): not a CIFAR-10 binary batch, or a "
              "truncated one", path, size, kRecord);
  EMBER_CHECK(size <= kMaxBatchBytes, "CIFAR-10: {} is {} bytes ({} records); this reader accepts at most "
              "{} records (a CIFAR-10 batch holds 10,000)", path, size, size / kRecord, kMaxBatchBytes / kRecord);
}

// Appends the records of one batch file's bytes to `data`, at most `max_records` of them;
// `path` names it in messages.
void append_batch(std::string_view bytes, const std::string& path, ImageData& data,
                  int64_t max_records = INT64_MAX) {
  check_batch_size(bytes.size(), path);
  const auto size = static_cast<int64_t>(bytes.size());
  const int64_t records = std::min(size / kRecord, max_records);
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  data.pixels.reserve(data.pixels.size() + static_cast<size_t>(records * kPixels));
  for (int64_t r = 0; r < records; ++r, p += kRecord) {
    EMBER_CHECK(p[0] < 10, "CIFAR-10: {}: record {} has label {}, expected 0..9", path, r, p[0]);
    data.labels.push_back(p[0]);
    data.pixels.insert(data.pixels.end(), p + 1, p + kRecord);
  }
  data.count += records;
}

void set_cifar10_info(ImageData& data) {
  data.channels = 3;
  data.height = 32;
  data.width = 32;
  data.num_classes = 10;
  data.class_names = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
}

}  // namespace

ImageData parse_cifar10_batch(std::string_view bytes, const std::string& name) {
  ImageData data;
  data.name = fmt::format("CIFAR-10 {}", name);
  set_cifar10_info(data);
  append_batch(bytes, name, data);
  return data;
}

ImageData load_cifar10(const std::string& dir, Split split, int64_t limit) {
  const std::vector<std::string> names = batch_names(split);
  // The archive extracts to cifar-10-batches-bin/; accept the folder itself or that subfolder.
  const std::filesystem::path top(dir), sub = top / "cifar-10-batches-bin";
  std::filesystem::path folder = top;
  std::vector<std::string> missing = missing_in(top, names);
  if (!missing.empty()) {
    std::vector<std::string> missing_sub = missing_in(sub, names);
    if (missing_sub.size() < missing.size()) {
      folder = sub;
      missing = std::move(missing_sub);
    }
  }
  EMBER_CHECK(missing.empty(), "CIFAR-10 {}: missing {} in {} (also looked in {}). Copy the \"CIFAR-10 binary "
              "version\" files there: cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, "
              "extracted, holds data_batch_1.bin .. data_batch_5.bin and test_batch.bin, each 10,000 records of "
              "1 label byte and 3072 pixel bytes", to_string(split), fmt::join(missing, ", "), folder.string(),
              (folder == top ? sub : top).string());

  ImageData data;
  data.name = fmt::format("CIFAR-10 {}", to_string(split));
  set_cifar10_info(data);
  const int64_t wanted = limit > 0 ? limit : INT64_MAX;
  for (const std::string& name : names) {
    if (data.count >= wanted) break;  // the files a limit does not reach are not read
    const std::string path = (folder / name).string();
    // The size is checked before a byte is read: a special file or one of the wrong size is
    // refused without reading it (a FIFO would block, /dev/zero never ends).
    const uint64_t size = regular_file_size(path, "CIFAR-10 batch");
    check_batch_size(size, path);
    append_batch(read_file(path, kMaxBatchBytes), path, data, wanted - data.count);
  }
  return data;
}

void write_cifar10_batch(const std::string& path, const ImageData& data) {
  EMBER_CHECK(data.channels == 3 && data.height == 32 && data.width == 32, "write_cifar10_batch: {}: images "
              "must be 3x32x32, {} are {}x{}x{}", path, data.name, data.channels, data.height, data.width);
  EMBER_CHECK(data.pixels.size() == static_cast<size_t>(data.count * kPixels) &&
                  data.labels.size() == static_cast<size_t>(data.count),
              "write_cifar10_batch: {}: {} declares {} images but has {} pixel bytes and {} labels", path,
              data.name, data.count, data.pixels.size(), data.labels.size());
  std::string bytes;
  bytes.reserve(static_cast<size_t>(data.count * kRecord));
  for (int64_t i = 0; i < data.count; ++i) {
    const int64_t label = data.labels[static_cast<size_t>(i)];
    EMBER_CHECK(label >= 0 && label < 10, "write_cifar10_batch: {}: label of image {} is {}, expected 0..9",
                path, i, label);
    bytes.push_back(static_cast<char>(label));
    const auto* pixels = reinterpret_cast<const char*>(data.pixels.data() + i * kPixels);
    bytes.append(pixels, static_cast<size_t>(kPixels));
  }
  write_file_atomically(path, bytes);
}

}  // namespace ember::data
