#pragma once
// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"):
//
//   bytes 0-1  0x00 0x00
//   byte  2    element type; only 0x08 (unsigned byte) is accepted, the type every MNIST-style
//              file uses (0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64 are
//              rejected by name)
//   byte  3    rank, 1..4
//   then       rank big-endian uint32 sizes, each > 0
//   then       the elements, row-major, exactly the product of the sizes
//
// The file may be raw or gzip-compressed (recognized by its 1f 8b magic, not by its name).
// Everything the header declares is checked before any allocation: the data size is capped at
// 2^31 bytes and, for gzip, must be reachable from the compressed size (deflate expands at most
// 1032:1), so no allocation exceeds the file's size, or 1032 times it for gzip, beyond the
// reader's fixed 64 KiB buffer (fuzz/fuzz_idx.cpp checks this bound). The data must
// end exactly where the header says: missing bytes are "truncated", extra ones "trailing".
// Every problem is an ember::Error starting "read_idx: <path>: ".
//
// A reader may ask for only the first N entries (images, labels) and gives a memory budget: the
// header is read first, so a caller compares two files' counts before either's data is read (a
// small gzip file can inflate to 2 GiB), and reading stops after the N entries (a gzip file is not
// inflated further, so its trailing bytes and checksum are then not checked). Asking for more bytes
// than the budget is an error naming the file, the bytes and how many entries would fit.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ember/core/options.h"

namespace ember::data {

struct IdxArray {
  std::vector<int64_t> dims;  // e.g. {60000, 28, 28}
  std::vector<uint8_t> data;  // product(dims) bytes, row-major
};

struct IdxReadOptions {
  EMBER_ARG(int64_t, max_items, 0);                       // read the first N entries of the first dimension; 0: all
  EMBER_ARG(uint64_t, memory_budget, uint64_t{1} << 31);  // most bytes of data to hold
};

IdxArray read_idx(const std::string& path, const IdxReadOptions& options = {});
// The header alone (the sizes, as in IdxArray::dims), with every check that needs no data.
std::vector<int64_t> read_idx_dims(const std::string& path);
// The same reader over the bytes of a file already in memory; `name` stands for the path in the
// messages ("read_idx: <name>: ...").
IdxArray parse_idx(std::string_view bytes, const std::string& name, const IdxReadOptions& options = {});

}  // namespace ember::data
