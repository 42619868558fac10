#include "ember/nn/serialize.h"

#include "ember/core/file.h"
#include "ember/core/memory_stream.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

namespace ember::nn {

static_assert(std::endian::native == std::endian::little, "the safetensors layout is little-endian");

namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull << 20;  // the reference implementation's limit
constexpr size_t kMaxDims = 16;
// A tensor's sizes, element count and byte count are int64_t.
constexpr uint64_t kMaxBytes = std::numeric_limits<int64_t>::max();

// Each tensor's CRC-32 (zlib's: the polynomial of gzip and PNG) is the metadata entry
// "ember.crc32.<name>", 8 lowercase hex digits; other readers see plain string metadata.
constexpr std::string_view kChecksumPrefix = "ember.crc32.";

const char* dtype_code(DType dtype) { return dtype == DType::f32 ? "F32" : "I64"; }

std::string system_error() { return std::strerror(errno); }

char* raw_bytes(const Tensor& t) {
  return t.dtype() == DType::f32 ? reinterpret_cast<char*>(t.data<float>()) : reinterpret_cast<char*>(t.data<int64_t>());
}

// A tensor's CRC-32 over its bytes as stored (contiguous, little-endian). crc32_z takes a size_t
// length: no 4 GiB limit per call.
uint32_t tensor_crc32(const Tensor& t) {
  const uint64_t bytes = static_cast<uint64_t>(t.numel()) * dtype_size(t.dtype());
  if (bytes == 0) return 0;
  return static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(raw_bytes(t)), static_cast<size_t>(bytes)));
}

bool is_checksum_key(const std::string& key) { return key.compare(0, kChecksumPrefix.size(), kChecksumPrefix) == 0; }

}  // namespace

void save(const StateDict& state, const std::string& path) {
  for (const auto& [key, value] : state.metadata) {
    EMBER_CHECK(!is_checksum_key(key), "save: metadata key '{}' is reserved for the tensors' checksums ({})", key, path);
  }
  nlohmann::json header = nlohmann::json::object();
  nlohmann::json metadata = state.metadata;
  uint64_t offset = 0;
  std::vector<Tensor> dense;
  for (const auto& [name, tensor] : state) {
    EMBER_CHECK(name != "__metadata__", "save: '__metadata__' is reserved and cannot name a tensor ({})", path);
    const Tensor t = tensor.is_contiguous() ? tensor : tensor.contiguous();
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * dtype_size(t.dtype());
    header[name] = {{"dtype", dtype_code(t.dtype())}, {"shape", t.shape()}, {"data_offsets", {offset, offset + bytes}}};
    metadata[std::string(kChecksumPrefix) + name] = fmt::format("{:08x}", tensor_crc32(t));
    offset += bytes;
    dense.push_back(t);
  }
  if (!metadata.empty()) header["__metadata__"] = std::move(metadata);
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // data starts 8-byte aligned
  const uint64_t length = text.size();

  // Atomic replace (temporary file, fsync, rename), so a crash never leaves a torn file.
  try {
    AtomicWriter writer(path);
    writer.write(&length, sizeof(length));
    writer.write(text);
    for (const Tensor& t : dense) {
      const size_t bytes = static_cast<size_t>(t.numel()) * dtype_size(t.dtype());
      if (bytes > 0) writer.write(raw_bytes(t), bytes);
    }
    writer.commit();
  } catch (const Error& e) {
    fail("save: {}", e.what());
  }
}

namespace {

// The header's JSON. nlohmann::json keeps the last of two equal keys in an object, but the format
// forbids them: a tensor named twice would otherwise surface as a "hole" where the first one's
// data lies, and a second checksum or dtype would silently win. So the top-level object's keys
// (tensor names and __metadata__) and those of each entry in it (a tensor's fields, the metadata
// keys) are checked while parsing. The callback's depth counts the open arrays and objects.
nlohmann::json parse_header(const std::string& text, const std::string& path) {
  using Event = nlohmann::json::parse_event_t;
  bool top_is_object = false;
  std::set<std::string> names, fields;  // the top level's keys; the current entry's keys
  std::string entry;                    // the top-level key whose value is being parsed
  const auto no_duplicates = [&](int depth, Event event, nlohmann::json& parsed) {
    if (event == Event::object_start && depth == 0) top_is_object = true;
    if (!top_is_object) return true;
    if (event == Event::object_start && depth == 1) fields.clear();
    if (event == Event::key && depth <= 2) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (depth == 1) {
        EMBER_CHECK(names.insert(key).second, "load: {}: duplicate tensor name '{}' in the header", path, key);
        entry = key;
      } else if (!fields.insert(key).second) {
        if (entry == "__metadata__") fail("load: {}: duplicate metadata key '{}' in the header", path, key);
        fail("load: {}: tensor '{}' has two '{}' fields in the header", path, entry, key);
      }
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text, no_duplicates);
  } catch (const nlohmann::json::exception& e) {
    fail("load: the header of {} is not valid JSON: {}", path, e.what());
  }
}

// A stored checksum: exactly 8 hex digits.
uint32_t parse_checksum(const std::string& key, const std::string& text, const std::string& path) {
  uint32_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value, 16);
  EMBER_CHECK(text.size() == 8 && error == std::errc() && stop == end,
              "load: {}: metadata '{}' is '{}', expected a CRC-32 as 8 hex digits", path, key, text);
  return value;
}

// NaN or infinity, told by the bits so that no compiler flag can assume a value finite.
bool nonfinite(float x) { return (std::bit_cast<uint32_t>(x) & 0x7f800000u) == 0x7f800000u; }

// NaN or infinite values make weights (and optimizer state) unusable, and would otherwise show up
// far from their cause: as a NaN loss blamed on the learning rate, or a chance-level accuracy.
void check_finite(const Tensor& t, const std::string& name, const std::string& path) {
  const std::string problem = describe_nonfinite(t, name);
  EMBER_CHECK(problem.empty(), "load: {}: {}: the file's weights are not usable", path, problem);
}

}  // namespace

std::string describe_nonfinite(const Tensor& tensor, const std::string& name) {
  if (!tensor.defined() || tensor.dtype() != DType::f32) return "";
  const Tensor t = tensor.is_contiguous() ? tensor : tensor.contiguous();
  const float* values = t.data<float>();
  const int64_t n = t.numel();
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) bad += nonfinite(values[i]);
  if (bad == 0) return "";
  int64_t first = 0;
  while (!nonfinite(values[first])) ++first;
  const uint32_t bits = std::bit_cast<uint32_t>(values[first]);
  const char* what = (bits & 0x007fffffu) != 0 ? "NaN" : (bits >> 31) != 0 ? "-inf" : "inf";
  Shape index(t.shape().size());
  for (int64_t d = static_cast<int64_t>(index.size()) - 1, rest = first; d >= 0; --d) {
    index[d] = rest % t.shape()[d];
    rest /= t.shape()[d];
  }
  return fmt::format("tensor '{}' holds {} at element {} of {} (index {}; {} NaN or infinite value{} in all)", name,
                     what, first, n, shape_str(index), bad, bad == 1 ? "" : "s");
}

namespace {

// The whole reader, over a file or a buffer; `path` names it in messages.
StateDict load_stream(std::istream& in, const std::string& path) {
  in.seekg(0, std::ios::end);
  const uint64_t file_size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  EMBER_CHECK(file_size >= 8, "load: {} is {} bytes, too short for a safetensors header", path, file_size);
  uint64_t length = 0;
  in.read(reinterpret_cast<char*>(&length), sizeof(length));
  EMBER_CHECK(length <= kMaxHeaderBytes && length <= file_size - 8,
              "load: {} declares a {}-byte header but the file has {} bytes after the length (limit {})", path,
              length, file_size - 8, kMaxHeaderBytes);
  std::string text(length, '\0');
  in.read(text.data(), static_cast<std::streamsize>(length));
  EMBER_CHECK(in.good(), "load: reading the header of {} failed", path);
  const uint64_t data_size = file_size - 8 - length;

  const nlohmann::json header = parse_header(text, path);
  EMBER_CHECK(header.is_object(), "load: the header of {} is not a JSON object", path);

  struct Entry {
    std::string name;
    DType dtype;
    Shape shape;
    uint64_t begin, end;
    std::optional<uint32_t> checksum;
  };
  std::vector<Entry> entries;
  std::map<std::string, uint32_t> checksums;  // tensor name -> stored CRC-32
  StateDict out;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      EMBER_CHECK(value.is_object(), "load: {}: __metadata__ must be an object of strings", path);
      for (const auto& [key, item] : value.items()) {
        EMBER_CHECK(item.is_string(), "load: {}: metadata '{}' is not a string", path, key);
        if (is_checksum_key(key)) {
          checksums[key.substr(kChecksumPrefix.size())] = parse_checksum(key, item.get<std::string>(), path);
        } else {
          out.metadata[key] = item.get<std::string>();
        }
      }
      continue;
    }
    // The StateDict would refuse it too, but without naming the file (fuzz/fuzz_safetensors.cpp).
    EMBER_CHECK(!name.empty(), "load: {}: a tensor has an empty name", path);
    EMBER_CHECK(value.is_object() && value.contains("dtype") && value.contains("shape") &&
                    value.contains("data_offsets"),
                "load: {}: entry '{}' needs dtype, shape and data_offsets", path, name);
    const auto& dtype = value["dtype"];
    EMBER_CHECK(dtype.is_string() && (dtype == "F32" || dtype == "I64"),
                "load: {}: tensor '{}' has dtype {}, expected \"F32\" or \"I64\"", path, name, dtype.dump());
    Entry entry{name, dtype == "F32" ? DType::f32 : DType::i64, {}, 0, 0, std::nullopt};
    const auto& shape = value["shape"];
    EMBER_CHECK(shape.is_array() && shape.size() <= kMaxDims,
                "load: {}: tensor '{}' has shape {}, expected an array of at most {} sizes", path, name, shape.dump(),
                kMaxDims);
    // Every size must fit int64_t, and so must the product of the sizes other than 0, in bytes: an
    // empty tensor still has strides, products of its other sizes. (A 0 first size once let
    // [0, 9223372073709551614, 92233720367] through to the tensor constructor, whose error did not
    // name the file: fuzz/fuzz_safetensors.cpp, fuzz/regressions/safetensors/.)
    const uint64_t element = dtype_size(entry.dtype);
    uint64_t numel = 1, nonzero = 1;
    for (size_t d = 0; d < shape.size(); ++d) {
      const auto& size = shape[d];
      // JSON integers up to 2^64 - 1 parse as unsigned, negative ones as signed, larger ones as floats.
      EMBER_CHECK(size.is_number_unsigned() && size.get<uint64_t>() <= kMaxBytes,
                  "load: {}: tensor '{}' has shape {}: dimension {} is {}, expected an integer from 0 to 2^63 - 1",
                  path, name, shape.dump(), d, size.dump());
      const uint64_t s = size.get<uint64_t>();
      if (s != 0) {
        EMBER_CHECK(nonzero <= kMaxBytes / element / s,
                    "load: {}: tensor '{}' has an impossibly large shape {}: its sizes other than 0 multiply to more "
                    "than 2^63 - 1 bytes of {}; expected a shape whose product, 0 sizes left out, is at most {} bytes",
                    path, name, shape.dump(), dtype_name(entry.dtype), kMaxBytes);
        nonzero *= s;
      }
      numel *= s;  // nonzero, or 0 from the first 0 size on
      entry.shape.push_back(static_cast<int64_t>(s));
    }
    const auto& offsets = value["data_offsets"];
    EMBER_CHECK(offsets.is_array() && offsets.size() == 2 && offsets[0].is_number_unsigned() &&
                    offsets[1].is_number_unsigned(),
                "load: {}: tensor '{}' has malformed data_offsets {}", path, name, offsets.dump());
    entry.begin = offsets[0].get<uint64_t>();
    entry.end = offsets[1].get<uint64_t>();
    EMBER_CHECK(entry.begin <= entry.end && entry.end <= data_size,
                "load: {}: tensor '{}' has data_offsets [{}, {}] outside the {}-byte data section", path, name,
                entry.begin, entry.end, data_size);
    EMBER_CHECK(entry.end - entry.begin == numel * dtype_size(entry.dtype),
                "load: {}: tensor '{}' is {} {} but its data is {} bytes (expected {})", path, name,
                dtype_name(entry.dtype), shape_str(entry.shape), entry.end - entry.begin,
                numel * dtype_size(entry.dtype));
    entries.push_back(std::move(entry));
  }
  // A checksum belongs to a tensor of the file; a tensor without one (files from other writers:
  // PyTorch, the safetensors package) is read unverified.
  for (Entry& e : entries) {
    auto it = checksums.find(e.name);
    if (it == checksums.end()) continue;
    e.checksum = it->second;
    checksums.erase(it);
  }
  EMBER_CHECK(checksums.empty(), "load: {}: metadata '{}{}' is the checksum of a tensor the file does not hold", path,
              kChecksumPrefix, checksums.empty() ? "" : checksums.begin()->first);
  // Written in order, so sorting by offset restores the saved order; the data must be covered
  // exactly once (no overlaps, no holes), as the format requires.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected = 0;
  for (const Entry& e : entries) {
    EMBER_CHECK(e.begin == expected, "load: {}: tensor '{}' starts at byte {} but the previous data ends at {} ({})",
                path, e.name, e.begin, expected, e.begin < expected ? "overlap" : "hole");
    expected = e.end;
  }
  EMBER_CHECK(expected == data_size, "load: {}: {} bytes of data follow the last tensor", path, data_size - expected);

  // Each tensor is verified as it is read: its checksum first (a flipped bit can make a NaN, and
  // "corrupt" is the better diagnosis), then its values.
  for (const Entry& e : entries) {
    Tensor t = empty(e.shape, e.dtype);
    const uint64_t bytes = e.end - e.begin;
    if (bytes > 0) {
      in.seekg(static_cast<std::streamoff>(8 + length + e.begin));
      in.read(raw_bytes(t), static_cast<std::streamsize>(bytes));
      EMBER_CHECK(in.good(), "load: reading tensor '{}' from {} failed", e.name, path);
    }
    if (e.checksum) {
      const uint32_t computed = tensor_crc32(t);
      EMBER_CHECK(computed == *e.checksum,
                  "load: {}: tensor '{}': checksum mismatch: stored crc32 {:08x}, computed {:08x}: the file is corrupt",
                  path, e.name, *e.checksum, computed);
    }
    if (e.dtype == DType::f32) check_finite(t, e.name, path);
    out.insert(e.name, t);
  }
  return out;
}

}  // namespace

StateDict load(const std::string& path) {
  (void)regular_file_size(path, "load:");  // before opening: a FIFO would block the open
  std::ifstream in(path, std::ios::binary);
  EMBER_CHECK(in.good(), "load: cannot open {}: {}", path, system_error());
  return load_stream(in, path);
}

StateDict parse_safetensors(std::string_view bytes, const std::string& name) {
  MemoryStream in(bytes);
  return load_stream(in, name);
}

void save(const Module& module, const std::string& path) { save(module.state_dict(), path); }

void load(Module& module, const std::string& path) { module.load_state_dict(load(path)); }

}  // namespace ember::nn
