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
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember::data {

struct IdxArray {
  std::vector<int64_t> dims;  // e.g. {60000, 28, 28}
  std::vector<uint8_t> data;  // product(dims) bytes, row-major
};

IdxArray read_idx(const std::string& path);
// The same reader over the bytes of a file already in memory; `name` stands for the path in the
// messages ("read_idx: <name>: ...").
IdxArray parse_idx(std::string_view bytes, const std::string& name);

}  // namespace ember::data
