// save/load in the safetensors layout: round trips, atomic replacement, hostile files.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "support/helpers.h"

using namespace ember;
using namespace ember::nn;
using ember::test::check_bitwise_equal;
using ember::test::check_error;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("ember_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

// A file with the given JSON header (padded) and data bytes, as any writer could produce it.
std::string write_raw(const std::string& name, const std::string& json, const std::string& data,
                      std::optional<uint64_t> declared_length = std::nullopt) {
  const std::string path = temp_path(name);
  std::ofstream out(path, std::ios::binary);
  const uint64_t length = declared_length.value_or(json.size());
  out.write(reinterpret_cast<const char*>(&length), 8);
  out << json << data;
  return path;
}

// The bytes of a file with this JSON header (unpadded) and no data.
std::string header_only(const std::string& json) {
  const uint64_t length = json.size();
  return std::string(reinterpret_cast<const char*>(&length), 8) + json;
}

std::string floats(std::initializer_list<float> values) {
  std::string bytes(values.size() * 4, '\0');
  std::memcpy(bytes.data(), std::data(values), bytes.size());
  return bytes;
}

}  // namespace

TEST_CASE("save and load round-trip names, order, dtypes, shapes, bits and metadata") {
  StateDict state;
  state.insert("z.weight", randn({2, 3}));
  state.insert("a.indices", from_vector(std::vector<int64_t>{-1, 0, 7, 1LL << 40}, {4}));
  state.insert("scalar", scalar_tensor(3.5f));
  state.insert("empty", zeros({0, 3}));
  state.insert("view", arange(12).reshape({3, 4}).t());  // non-contiguous: saved in logical order
  state.metadata["format"] = "ember-test";
  state.metadata["epoch"] = "7";
  const std::string path = temp_path("roundtrip.safetensors");
  save(state, path);
  const StateDict back = load(path);
  CHECK(back.keys() == state.keys());  // insertion order, not JSON's sorted order
  for (const auto& [name, t] : state) check_bitwise_equal(back.at(name), t.contiguous());
  CHECK(back.metadata == state.metadata);
  // The header is 8-byte aligned, so the data section is too.
  std::ifstream in(path, std::ios::binary);
  uint64_t length = 0;
  in.read(reinterpret_cast<char*>(&length), 8);
  CHECK(length % 8 == 0);
  std::remove(path.c_str());
}

TEST_CASE("saving replaces a file atomically and leaves no temporary behind") {
  const std::string path = temp_path("atomic.safetensors");
  StateDict first, second;
  first.insert("w", ones({3}));
  second.insert("w", full({5}, 2.0f));
  save(first, path);
  save(second, path);
  CHECK(load(path).at("w").shape() == Shape{5});
  const auto folder = std::filesystem::path(path).parent_path();
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    CHECK(entry.path().filename().string().find(std::filesystem::path(path).filename().string() + ".tmp") ==
          std::string::npos);
  }
  std::remove(path.c_str());
  check_error([&] { save(first, "/nonexistent-folder/x.safetensors"); }, {"save", "/nonexistent-folder/x.safetensors"});
  check_error([] { (void)load("/nonexistent-folder/x.safetensors"); }, {"load", "cannot open"});
  StateDict reserved;
  reserved.insert("__metadata__", ones({1}));
  check_error([&] { save(reserved, temp_path("reserved")); }, {"save", "__metadata__", "reserved"});
}

TEST_CASE("a module saves and loads its state dict") {
  struct Net : Module {
    std::shared_ptr<Linear> fc;
    std::shared_ptr<BatchNorm2d> bn;
    Net() : Module("Net") {
      fc = register_module("fc", std::make_shared<Linear>(4, 3));
      bn = register_module("bn", std::make_shared<BatchNorm2d>(3));
    }
    Tensor forward(const Tensor& x) override { return fc->forward(x); }
  };
  Net a, b;
  const std::string path = temp_path("module.safetensors");
  save(a, path);
  load(b, path);
  check_bitwise_equal(a.fc->weight, b.fc->weight);
  check_bitwise_equal(a.bn->num_batches_tracked, b.bn->num_batches_tracked);
  std::remove(path.c_str());
}

TEST_CASE("hostile files get an error naming the file and the problem, never a crash") {
  const std::string ok_json = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string two = floats({1.0f, 2.0f});
  const std::string ok_path = write_raw("ok", ok_json, two);
  CHECK(load(ok_path).at("w").to_vector() == std::vector<float>{1, 2});
  std::remove(ok_path.c_str());

  struct Case {
    const char* name;
    std::string json, data;
    std::optional<uint64_t> length;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {"huge_length", ok_json, two, 1ull << 60, {"declares", "header"}},
      {"length_past_end", ok_json, two, ok_json.size() + 100, {"declares"}},
      {"not_json", "{not json", "", std::nullopt, {"not valid JSON"}},
      {"array", "[1,2]", "", std::nullopt, {"not a JSON object"}},
      {"dtype", R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", floats({1}), std::nullopt, {"dtype", "F16"}},
      {"no_offsets", R"({"w":{"dtype":"F32","shape":[2]}})", two, std::nullopt, {"'w'", "data_offsets"}},
      {"negative_shape", R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", two, std::nullopt,
       {"'w' has shape [-2]: dimension 0 is -2, expected an integer from 0 to 2^63 - 1"}},
      {"huge_shape", R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})", two, std::nullopt,
       {"impossibly large"}},
      {"outside", R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,800]}})", two, std::nullopt, {"outside", "8-byte"}},
      {"reversed", R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", two, std::nullopt, {"data_offsets"}},
      {"size_mismatch", R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", two, std::nullopt,
       {"'w'", "[3]", "8 bytes", "expected 12"}},
      {"overlap",
       R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
       two, std::nullopt, {"overlap"}},
      {"hole", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", two, std::nullopt, {"hole"}},
      {"trailing", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", two, std::nullopt, {"4 bytes of data follow"}},
      {"metadata", R"({"__metadata__":{"k":1}})", "", std::nullopt, {"metadata", "'k'"}},
      {"empty_name", R"({"":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", two, std::nullopt, {"empty name"}},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const std::string path = write_raw(c.name, c.json, c.data, c.length);
    std::vector<std::string> expect = c.expect;
    expect.push_back(path);
    check_error([&] { (void)load(path); }, expect);
    std::remove(path.c_str());
  }
  const std::string tiny = temp_path("tiny");
  std::ofstream(tiny, std::ios::binary) << "abc";
  check_error([&] { (void)load(tiny); }, {"load", "3 bytes", "too short"});
  std::remove(tiny.c_str());
}

TEST_CASE("sizes that overflow int64, even beside a 0 size, are refused naming the file and the tensor") {
  // Found by fuzz/fuzz_safetensors.cpp (fuzz/regressions/safetensors/): the 0 made the element
  // count 0, so the other sizes went unchecked, and the tensor constructor refused the shape with a
  // message that did not name the file. (Its second size is above 2^63 - 1 on its own.)
  const std::string header =
      R"({"t": {"dtype": "F32", "shape": [0, 9223372073709551614, 92233720367], "data_offsets": [0, 0]}})";
  const std::string path = write_raw("zero_then_huge", header, "");
  const std::vector<std::string> expect = {"load: " + path +
                                           ": tensor 't' has shape [0,9223372073709551614,92233720367]: dimension 1 "
                                           "is 9223372073709551614, expected an integer from 0 to 2^63 - 1"};
  check_error([&] { (void)load(path); }, expect);
  // The same bytes in memory, under the name the caller gives.
  const std::string bytes = read_file(path);
  std::remove(path.c_str());
  CHECK(bytes == header_only(header));
  check_error([&] { (void)parse_safetensors(bytes, "fuzz-input/last.safetensors"); },
              {"load: fuzz-input/last.safetensors: tensor 't'", "[0,9223372073709551614,92233720367]"});

  struct Case {
    const char* shape;
    const char* dtype;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"[0,9223372036854775807,9223372036854775807]", "F32", "impossibly large"},  // each fits, the product not
      {"[9223372036854775807,0]", "I64", "impossibly large"},                      // 0 last
      {"[0,2305843009213693952]", "F32", "impossibly large"},  // 2^61 floats: 2^63 bytes
      // One size that is not an integer from 0 to 2^63 - 1. JSON integers up to 2^64 - 1 parse as
      // unsigned (the 2^64 - 1 once became the -1 of "sizes must be non-negative, got [0, -1]", an
      // error naming neither file nor tensor), larger ones as floats, negative ones as signed.
      {"[0,18446744073709551615]", "F32", "dimension 1 is 18446744073709551615, expected an integer from 0 to 2^63 - 1"},
      {"[18446744073709551615]", "I64", "dimension 0 is 18446744073709551615, expected an integer from 0 to 2^63 - 1"},
      {"[2,9223372036854775808]", "F32", "dimension 1 is 9223372036854775808, expected"},  // 2^63
      {"[0,18446744073709551616]", "F32", "dimension 1 is 1.8446744073709552e+19, expected"},  // 2^64
      {"[0,-1]", "F32", "dimension 1 is -1, expected an integer from 0 to 2^63 - 1"},
      {"[-9223372036854775808]", "F32", "dimension 0 is -9223372036854775808, expected"},
      {"[2,1.5]", "F32", "dimension 1 is 1.5, expected"},
      {"[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0]", "F32", "expected an array of at most 16 sizes"},
  };
  for (const Case& c : cases) {
    INFO(c.shape);
    const std::string json = std::string(R"({"t":{"dtype":")") + c.dtype + R"(","shape":)" + c.shape +
                             R"(,"data_offsets":[0,0]}})";
    check_error([&] { (void)parse_safetensors(header_only(json), "bad.safetensors"); },
                {"load: bad.safetensors: tensor 't'", c.expect});
  }
  // Up to the limit, an empty tensor of any shape loads: 2^61 - 1 floats beside the 0.
  const std::string json = R"({"t":{"dtype":"F32","shape":[0,2305843009213693951],"data_offsets":[0,0]}})";
  const StateDict state = parse_safetensors(header_only(json), "edge.safetensors");
  CHECK(state.at("t").shape() == Shape{0, 2305843009213693951});
  CHECK(state.at("t").numel() == 0);
}

TEST_CASE("parse_safetensors reads a file's bytes in memory as load reads the file") {
  StateDict state;
  state.insert("w", from_vector(std::vector<float>{1.5f, -2.0f, 3.0f}, {3}));
  state.insert("n", from_vector(std::vector<int64_t>{7}, {}));
  state.metadata["k"] = "v";
  const std::string path = temp_path("in_memory");
  save(state, path);
  const std::string bytes = read_file(path);
  std::remove(path.c_str());
  const StateDict back = parse_safetensors(bytes, "in-memory");
  CHECK(back.keys() == std::vector<std::string>{"w", "n"});
  CHECK(back.at("w").to_vector() == std::vector<float>{1.5f, -2.0f, 3.0f});
  CHECK(back.at("n").item<int64_t>() == 7);
  CHECK(back.metadata.at("k") == "v");
  check_error([&] { (void)parse_safetensors(bytes.substr(0, bytes.size() - 1), "cut"); }, {"load: cut:", "outside"});
  check_error([&] { (void)parse_safetensors("abc", "tiny"); }, {"load: tiny is 3 bytes, too short"});
}

TEST_CASE("files from other writers load in offset order whatever the JSON key order") {
  const std::string json =
      R"({"__metadata__":{"from":"python"},"b":{"dtype":"I64","shape":[],"data_offsets":[0,8]},)"
      R"("a":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}})";
  std::string data(12, '\0');
  const int64_t seven = 7;
  const float half = 0.5f;
  std::memcpy(data.data(), &seven, 8);
  std::memcpy(data.data() + 8, &half, 4);
  const std::string path = write_raw("foreign", json, data);
  const StateDict state = load(path);
  CHECK(state.keys() == std::vector<std::string>{"b", "a"});
  CHECK(state.at("b").item<int64_t>() == 7);
  CHECK(state.at("a").at({0, 0}) == 0.5f);
  CHECK(state.metadata.at("from") == "python");
  std::remove(path.c_str());
}

// ---- integrity (#17): checksums, non-finite values, duplicate names ----

namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Where the data section of a file starts (8 + the header's length).
size_t data_start(const std::string& bytes) {
  uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  return 8 + static_cast<size_t>(length);
}

// conv1.weight [6, 1, 5, 5], then fc1.weight [10, 120]: the data of fc1.weight starts 600 bytes in.
StateDict two_layers() {
  StateDict state;
  state.insert("conv1.weight", randn({6, 1, 5, 5}));
  state.insert("fc1.weight", randn({10, 120}));
  state.insert("steps", from_vector(std::vector<int64_t>{3}, {1}));
  state.metadata["model"] = "test";
  return state;
}

}  // namespace

TEST_CASE("save stores a CRC-32 per tensor in the metadata, which load verifies and does not return") {
  StateDict state;
  state.insert("w", from_vector(std::vector<float>{1.0f, 2.0f}, {2}));
  state.insert("n", from_vector(std::vector<int64_t>{7}, {}));
  state.insert("e", zeros({0}));
  state.metadata["k"] = "v";
  const std::string path = temp_path("crc.safetensors");
  save(state, path);
  const std::string bytes = read_bytes(path);
  const std::string header = bytes.substr(8, data_start(bytes) - 8);
  // Python: format(zlib.crc32(struct.pack('<2f', 1, 2)), '08x'), and of struct.pack('<q', 7); 0 of nothing.
  CHECK(header.find(R"("ember.crc32.w":"2e3fa576")") != std::string::npos);
  CHECK(header.find(R"("ember.crc32.n":"6fe7d670")") != std::string::npos);
  CHECK(header.find(R"("ember.crc32.e":"00000000")") != std::string::npos);
  CHECK(header.find(R"("k":"v")") != std::string::npos);
  const StateDict back = load(path);
  CHECK(back.metadata == state.metadata);  // the checksums are the file's, not the state's
  std::remove(path.c_str());

  StateDict reserved;
  reserved.metadata["ember.crc32.w"] = "00000000";
  check_error([&] { save(reserved, path); }, {"save: metadata key 'ember.crc32.w' is reserved for the tensors' checksums"});
}

TEST_CASE("a flipped bit in a tensor's data is a checksum error naming the file and the tensor") {
  const StateDict state = two_layers();
  const std::string path = temp_path("flipped.safetensors");
  save(state, path);
  std::string bytes = read_bytes(path);
  // fc1.weight's element 17: flip the top bit of its exponent (what turned 74% into 46% in #17).
  const size_t at = data_start(bytes) + 600 + 17 * 4 + 3;
  bytes[at] = static_cast<char>(bytes[at] ^ 0x40);
  write_bytes(path, bytes);
  check_error([&] { (void)load(path); },
              {"load: " + path + ": tensor 'fc1.weight': checksum mismatch: stored crc32 ", ", computed ",
               ": the file is corrupt"});
  check_error([&] { (void)parse_safetensors(bytes, "checkpoint.safetensors"); },
              {"load: checkpoint.safetensors: tensor 'fc1.weight': checksum mismatch"});
  // Flipped back, it loads bit for bit.
  bytes[at] = static_cast<char>(bytes[at] ^ 0x40);
  const StateDict back = parse_safetensors(bytes, "checkpoint.safetensors");
  for (const auto& [name, t] : state) check_bitwise_equal(back.at(name), t);
  // An int64 tensor is covered too.
  bytes[bytes.size() - 8] ^= 1;
  check_error([&] { (void)parse_safetensors(bytes, "x.safetensors"); }, {"tensor 'steps': checksum mismatch"});
  std::remove(path.c_str());
}

TEST_CASE("checksums in the metadata must be 8 hex digits of a tensor the file holds") {
  const std::string data = floats({1.0f, 2.0f});
  const std::string entry = R"("w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  const auto file = [&](const std::string& metadata) {
    return header_only("{" + entry + R"(,"__metadata__":{)" + metadata + "}}") + data;
  };
  CHECK(parse_safetensors(file(R"("ember.crc32.w":"2e3fa576")"), "ok").at("w").to_vector() ==
        std::vector<float>{1, 2});
  CHECK(parse_safetensors(file(R"("ember.crc32.w":"2E3FA576")"), "upper").metadata.empty());
  check_error([&] { (void)parse_safetensors(file(R"("ember.crc32.w":"2e3fa577")"), "off.safetensors"); },
              {"load: off.safetensors: tensor 'w': checksum mismatch: stored crc32 2e3fa577, computed 2e3fa576: the "
               "file is corrupt"});
  for (const char* bad : {"2e3fa57", "2e3fa5760", "0x3fa576", "-e3fa576", "2e3fa57g", ""}) {
    INFO(bad);
    check_error([&] { (void)parse_safetensors(file(std::string(R"("ember.crc32.w":")") + bad + "\""), "bad"); },
                {"load: bad: metadata 'ember.crc32.w' is '" + std::string(bad) + "', expected a CRC-32 as 8 hex digits"});
  }
  check_error([&] { (void)parse_safetensors(file(R"("ember.crc32.v":"00000000")"), "stray"); },
              {"load: stray: metadata 'ember.crc32.v' is the checksum of a tensor the file does not hold"});
}

TEST_CASE("files without checksums (PyTorch's, the safetensors package's) still load, unverified") {
  const std::string torch_file = std::string(EMBER_FIXTURES_DIR) + "/pytorch/lenet5.torch.safetensors";
  const std::string bytes = read_bytes(torch_file);
  REQUIRE(!bytes.empty());
  CHECK(bytes.substr(8, data_start(bytes) - 8).find("ember.crc32") == std::string::npos);
  const StateDict state = load(torch_file);
  CHECK(state.size() == 10);
  CHECK(state.at("features.0.weight").shape() == Shape{6, 1, 5, 5});
  CHECK(state.metadata.at("model") == "lenet5");
  // Re-saved by ember, the same tensors get checksums.
  const std::string path = temp_path("resaved.safetensors");
  save(state, path);
  CHECK(read_bytes(path).find("\"ember.crc32.features.0.weight\"") != std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("a NaN or infinite value in a float tensor is an error naming the file, the tensor and the element") {
  StateDict state = two_layers();
  Tensor fc1 = state.at("fc1.weight");
  fc1.data<float>()[17] = std::numeric_limits<float>::quiet_NaN();
  const std::string path = temp_path("nan.safetensors");
  save(state, path);  // saved as it is, with valid checksums: the checksum says nothing about NaN
  check_error([&] { (void)load(path); },
              {"load: " + path + ": tensor 'fc1.weight' holds NaN at element 17 of 1200 (index [0, 17]; 1 NaN or "
               "infinite value in all): the file's weights are not usable"});
  // Through a module too (what --init-weights, eval --weights and viz read).
  struct Net : Module {
    std::shared_ptr<Linear> fc1;
    Net() : Module("Net") { fc1 = register_module("fc1", std::make_shared<Linear>(120, 10, false)); }
    Tensor forward(const Tensor& x) override { return fc1->forward(x); }
  };
  Net net;
  StateDict weights;
  weights.insert("fc1.weight", fc1);
  save(weights, path);
  check_error([&] { load(net, path); }, {"load: " + path + ": tensor 'fc1.weight' holds NaN at element 17"});

  fc1.data<float>()[17] = 1.0f;
  fc1.data<float>()[130] = std::numeric_limits<float>::infinity();
  fc1.data<float>()[131] = -std::numeric_limits<float>::infinity();
  fc1.data<float>()[1199] = std::numeric_limits<float>::quiet_NaN();
  save(state, path);
  check_error([&] { (void)load(path); },
              {"tensor 'fc1.weight' holds inf at element 130 of 1200 (index [1, 10]; 3 NaN or infinite values in all)"});
  fc1.data<float>()[130] = 0.0f;
  save(state, path);
  check_error([&] { (void)load(path); }, {"tensor 'fc1.weight' holds -inf at element 131 of 1200 (index [1, 11]; 2 NaN"});
  // Without checksums (another writer), the same check.
  const std::string torch_like = write_raw("nan_nochecksum", R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                                           floats({1.0f, std::numeric_limits<float>::quiet_NaN()}));
  check_error([&] { (void)load(torch_like); }, {"load: " + torch_like + ": tensor 'b' holds NaN at element 1 of 2 (index [1]"});
  std::remove(torch_like.c_str());
  std::remove(path.c_str());
  // A 0-d tensor, and the largest finite floats and denormals, are fine.
  StateDict fine;
  fine.insert("s", scalar_tensor(std::numeric_limits<float>::max()));
  fine.insert("t", from_vector(std::vector<float>{-std::numeric_limits<float>::max(),
                                                  std::numeric_limits<float>::denorm_min(), -0.0f},
                               {3}));
  const std::string fine_path = temp_path("fine.safetensors");
  save(fine, fine_path);
  CHECK(load(fine_path).at("s").item() == std::numeric_limits<float>::max());
  fine.insert("z", scalar_tensor(std::numeric_limits<float>::quiet_NaN()));
  save(fine, fine_path);
  check_error([&] { (void)load(fine_path); }, {"tensor 'z' holds NaN at element 0 of 1 (index []; 1 NaN"});
  std::remove(fine_path.c_str());
}

TEST_CASE("a name twice in the header is an error saying so, naming the file") {
  // nlohmann::json keeps the last of two equal keys, so the first tensor's data was reported as a hole.
  const std::string data = floats({1.0f, 2.0f, 3.0f, 4.0f});
  const std::string two = R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                          R"("x":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})";
  const std::string path = write_raw("duplicate", two, data);
  check_error([&] { (void)load(path); }, {"load: " + path + ": duplicate tensor name 'x' in the header"});
  std::remove(path.c_str());
  const std::string entry = R"("w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  check_error([&] { (void)parse_safetensors(header_only("{" + entry + R"(,"__metadata__":{"a":"1","a":"2"}})") +
                                                floats({1, 2}), "m.safetensors"); },
              {"load: m.safetensors: duplicate metadata key 'a' in the header"});
  check_error([&] { (void)parse_safetensors(header_only(R"({"__metadata__":{},"__metadata__":{}})"), "mm"); },
              {"load: mm: duplicate tensor name '__metadata__'"});
  check_error([&] { (void)parse_safetensors(header_only(R"({"w":{"dtype":"I64","dtype":"F32","shape":[2],)"
                                                        R"("data_offsets":[0,8]}})") + floats({1, 2}), "f"); },
              {"load: f: tensor 'w' has two 'dtype' fields in the header"});
  // Equal keys elsewhere are not names: in a nested value, or a top-level array (refused anyway).
  check_error([&] { (void)parse_safetensors(header_only(R"([{"a":1,"a":2}])"), "arr"); }, {"not a JSON object"});
  check_error([&] { (void)parse_safetensors(header_only(R"({"w":{"dtype":"F32","shape":[{"a":1,"a":2}],)"
                                                        R"("data_offsets":[0,0]}})"), "deep"); },
              {"load: deep: tensor 'w' has shape [{\"a\":2}]: dimension 0"});
  // The same name in different places is fine: a tensor, its checksum key, a metadata key.
  const StateDict ok = parse_safetensors(
      header_only("{" + entry + R"(,"__metadata__":{"w":"x","dtype":"y"}})") + floats({1, 2}), "ok");
  CHECK(ok.metadata.at("w") == "x");
}
