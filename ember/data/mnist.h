#pragma once
// MNIST and Fashion-MNIST from their original IDX files (data/idx.h).
//
// `dir` holds the four files of the original distribution, each raw or gzip-compressed (the
// raw one is used when both exist):
//   train-images-idx3-ubyte[.gz]  train-labels-idx1-ubyte[.gz]   60,000 images
//   t10k-images-idx3-ubyte[.gz]   t10k-labels-idx1-ubyte[.gz]    10,000 images
// MNIST's are published at http://yann.lecun.com/exdb/mnist/, Fashion-MNIST's (same file names) at
// https://github.com/zalandoresearch/fashion-mnist; in ember's source tree, scripts/fetch_data.sh
// puts both in data/mnist and data/fashion-mnist. The result is 1x28x28 images (any HxW the file
// declares) with labels 0..9. Missing files are an ember::Error naming the folder given, the files
// looked for and where to get them (nothing about a source tree: the library may be installed);
// a wrong rank, image and label counts that differ or a label >= 10 are ember::Errors naming the file.
// Both files' headers are compared before either's data is read. `limit` > 0 reads only the first
// `limit` images and labels (the rest of the files is not read); images beyond the reader's memory
// budget (data/idx.h) are an ember::Error naming the file and how many would fit.
#include <string>

#include "ember/data/dataset.h"

namespace ember::data {

ImageData load_mnist(const std::string& dir, Split split, int64_t limit = 0);          // classes "0".."9"
ImageData load_fashion_mnist(const std::string& dir, Split split, int64_t limit = 0);  // "T-shirt/top", ...

}  // namespace ember::data
