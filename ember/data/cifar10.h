#pragma once
// CIFAR-10, "CIFAR-10 binary version" (cifar-10-binary.tar.gz from
// https://www.cs.toronto.edu/~kriz/cifar.html): copy the extracted files into a folder yourself
// (ember's scripts/fetch_data.sh does not fetch it).
//
// The folder (or its cifar-10-batches-bin subfolder, as the archive extracts) holds
//   data_batch_1.bin .. data_batch_5.bin   train: all five, 10,000 images each
//   test_batch.bin                         test: 10,000 images
// Each file is a sequence of 3073-byte records: 1 label byte (0..9), then 3072 pixel bytes,
// 1024 red, 1024 green, 1024 blue, each a row-major 32x32 plane: exactly the [3, 32, 32] CHW
// layout of an image. A file may hold any positive whole number of records (for subsets).
#include <string>
#include <string_view>

#include "ember/data/dataset.h"

namespace ember::data {

// 3x32x32 images, classes airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck.
// ember::Error naming the folder and the missing files if any is missing, and naming the file
// for a size that is not a multiple of 3073 bytes or a label >= 10. `limit` > 0 keeps the first
// `limit` images; the batch files it does not reach are not read.
ImageData load_cifar10(const std::string& dir, Split split, int64_t limit = 0);

// One batch file's records from its bytes in memory, with the same checks; `name` stands for the
// file in the messages.
ImageData parse_cifar10_batch(std::string_view bytes, const std::string& name);

// Writes `data` (3x32x32 images, labels 0..9) as one batch file in the same format, atomically.
void write_cifar10_batch(const std::string& path, const ImageData& data);

}  // namespace ember::data
