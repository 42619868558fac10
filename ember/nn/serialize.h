#pragma once
// Saving and loading named tensors in the safetensors layout, readable from Python with nothing
// but the standard library and numpy (tests/golden/read_safetensors.py shows how):
//
//   [8 bytes: header length N, little-endian u64]
//   [N bytes: JSON, {"<name>": {"dtype": "F32"|"I64", "shape": [...], "data_offsets": [b, e]}, ...,
//                    "__metadata__": {"<key>": "<string>", ...}}, padded with spaces]
//   [data: each tensor's little-endian bytes, row-major, at [b, e) from the data start]
//
// Checksums: save writes each tensor's CRC-32 (zlib's crc32, the checksum of gzip and PNG) over
// its data bytes [b, e) as the metadata entry "ember.crc32.<name>": "<8 lowercase hex digits>"
// (an empty tensor's is "00000000"). Other readers see string metadata and ignore it. load checks
// every tensor that has one and leaves the entries out of the StateDict's metadata; a tensor
// without one (files of PyTorch, of the safetensors package) is read unverified. Keys beginning
// "ember.crc32." are reserved: save refuses them in a StateDict's metadata.
//
// Tensors are written in the StateDict's order and read back in it (ordered by offset).
// Reading validates everything before allocating or reading tensor data: header length against
// the file size, JSON well-formedness, no name twice (tensors, metadata keys, a tensor's fields),
// dtypes, shapes (each size an integer from 0 to 2^63 - 1, their product in bytes below 2^63),
// offsets inside the data, sizes matching shapes, no overlaps and no holes, well-formed checksums
// of tensors the file holds. Then, tensor by tensor as it is read: its checksum, and every value
// of a float tensor finite (no NaN, no infinity: weights and optimizer state with one are not
// usable). A file that breaks any rule gets an ember::Error naming the file and the problem, and
// the tensor where there is one:
//   "load: last.safetensors: tensor 'fc1.weight': checksum mismatch: stored crc32 1c291ca3,
//    computed 5d2a7c1e: the file is corrupt"
// Writing is atomic: a temporary file in the same folder, fsync, rename, so a crash leaves either
// the old file or the new one, never a torn one.
#include <string>
#include <string_view>

#include "ember/nn/module.h"
#include "ember/nn/state_dict.h"

namespace ember::nn {

void save(const StateDict& state, const std::string& path);

// "" for a tensor without NaN or infinity (or not float32), else "tensor 'NAME' holds NaN at
// element 17 of 150 (index [0, 0, 3, 2]; 1 NaN or infinite value in all)": what load() refuses,
// for writers that check before they save (the Trainer's checkpoints).
std::string describe_nonfinite(const Tensor& tensor, const std::string& name);
StateDict load(const std::string& path);
// The same reader over a file's bytes already in memory; `name` stands for the path in messages.
StateDict parse_safetensors(std::string_view bytes, const std::string& name);

// A module's state_dict to a file, and back (strict: every key must match).
void save(const Module& module, const std::string& path);
void load(Module& module, const std::string& path);

}  // namespace ember::nn
