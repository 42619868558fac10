// TensorBoard event files: CRC-32C against its published vectors, TFRecord's mask, every message
// byte for byte against buffers worked out by hand from the wire format, the writer's file and
// its flushing, and a Trainer's RUN/tb/. tests/train/read_tfevents.py reads a real run's files
// with a reader of its own (ctest train.tensorboard_run).
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ember/train/tensorboard.h"
#include "train_fixtures.h"

using namespace ember;
using namespace ember::train::tensorboard;
namespace fs = std::filesystem;

namespace {

using ember::test::TempDir;

std::string bytes(std::initializer_list<int> list) {
  std::string out;
  for (int b : list) out += static_cast<char>(b);
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The records of an event file, each CRC checked.
std::vector<std::string> records_of(const std::string& file) {
  std::vector<std::string> out;
  size_t at = 0;
  auto u32 = [&](size_t i) {
    uint32_t v = 0;
    for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<uint8_t>(file[i + static_cast<size_t>(k)]);
    return v;
  };
  while (at < file.size()) {
    REQUIRE(at + 12 <= file.size());
    uint64_t length = 0;
    for (int k = 7; k >= 0; --k) length = (length << 8) | static_cast<uint8_t>(file[at + static_cast<size_t>(k)]);
    CHECK(u32(at + 8) == mask_crc(crc32c(file.substr(at, 8))));
    REQUIRE(at + 12 + length + 4 <= file.size());
    out.push_back(file.substr(at + 12, length));
    CHECK(u32(at + 12 + length) == mask_crc(crc32c(out.back())));
    at += 12 + length + 4;
  }
  return out;
}

std::vector<fs::path> event_files(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

const std::string kWallTime = bytes({0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f});  // field 1, fixed64: 1.5

}  // namespace

TEST_CASE("CRC-32C: the published check value and the iSCSI vectors (RFC 3720)") {
  CHECK(crc32c("123456789") == 0xE3069283u);
  CHECK(crc32c("") == 0u);
  CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AAu);
  CHECK(crc32c(std::string(32, '\xff')) == 0x62A8AB43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending += static_cast<char>(i);
    descending += static_cast<char>(31 - i);
  }
  CHECK(crc32c(ascending) == 0x46DD794Eu);
  CHECK(crc32c(descending) == 0x113FDB5Cu);
}

TEST_CASE("TFRecord's mask: rotate right by 15, add 0xa282ead8") {
  CHECK(mask_crc(0) == 0xa282ead8u);
  // 0xE3069283 rotated right by 15 is 0x2507C60D; plus 0xa282ead8 is 0xC78AB0E5.
  CHECK(mask_crc(0xE3069283u) == 0xC78AB0E5u);
  CHECK(mask_crc(0xFFFFFFFFu) == 0xa282ead7u);  // wraps around
}

TEST_CASE("events are encoded byte for byte as proto3 writes them") {
  SUBCASE("file_version, in its record") {
    const std::string event = file_version_event(1.5);
    CHECK(event == kWallTime + bytes({0x1a, 0x0d}) + "brain.Event:2");  // field 3, 13 bytes; step 0 left out
    // 24 bytes; the CRCs are those of an independent bitwise CRC-32C, masked.
    CHECK(record(event) == bytes({0x18, 0, 0, 0, 0, 0, 0, 0, 0xa3, 0x7f, 0x4b, 0x22}) + event +
                               bytes({0x2a, 0x28, 0x64, 0x6c}));
  }
  SUBCASE("a summary of two scalars at a step past one varint byte") {
    const std::string event = scalars_event(1.5, 300, {{"a", 0.5f}, {"lr", -2.0f}});
    const std::string value_a = bytes({0x0a, 0x01, 'a', 0x15, 0, 0, 0, 0x3f});        // tag; simple_value 0.5
    const std::string value_lr = bytes({0x0a, 0x02, 'l', 'r', 0x15, 0, 0, 0, 0xc0});  // tag; simple_value -2
    CHECK(event == kWallTime + bytes({0x10, 0xac, 0x02}) +                               // step 300
                       bytes({0x2a, 0x15}) +                                             // summary, 21 bytes
                       bytes({0x0a, 0x08}) + value_a + bytes({0x0a, 0x09}) + value_lr);  // repeated value
  }
  SUBCASE("a zero is written where it is a oneof member, left out where it is a plain field") {
    CHECK(scalars_event(1.5, 0, {{"z", 0.0f}}) ==
          kWallTime + bytes({0x2a, 0x0a, 0x0a, 0x08, 0x0a, 0x01, 'z', 0x15, 0, 0, 0, 0}));
    CHECK(scalars_event(0.0, 0, {}) == bytes({0x2a, 0x00}));
  }
  SUBCASE("SessionLog START") {
    CHECK(session_start_event(1.5, 7) == kWallTime + bytes({0x10, 0x07, 0x3a, 0x02, 0x08, 0x01}));
  }
  SUBCASE("a long tag takes a two-byte length") {
    const std::string tag(200, 't');
    const std::string event = scalars_event(0.0, 1, {{tag, 1.0f}});
    // value: 0a c8 01 <200> 15 <4> = 208 bytes; summary: 0a d0 01 <208> = 211 bytes
    CHECK(event == bytes({0x10, 0x01, 0x2a, 0xd3, 0x01, 0x0a, 0xd0, 0x01, 0x0a, 0xc8, 0x01}) + tag +
                       bytes({0x15, 0, 0, 0x80, 0x3f}));
  }
}

TEST_CASE("EventWriter: a file TensorBoard finds, the version first, written out on flush") {
  TempDir dir;
  const fs::path folder = dir.path / "runs" / "tb";  // created with its parents
  std::string path;
  {
    EventWriter writer(folder.string(), /*flush_seconds=*/1e9);
    path = writer.path();
    CHECK(fs::path(path).parent_path() == folder);
    CHECK(fs::path(path).filename().string().rfind("events.out.tfevents.", 0) == 0);
    std::vector<std::string> records = records_of(slurp(path));
    REQUIRE(records.size() == 1);  // the version is written at once
    CHECK(records[0].substr(9) == bytes({0x1a, 0x0d}) + "brain.Event:2");
    writer.add_scalars(5, {{"train/loss", 0.25f}});
    CHECK(records_of(slurp(path)).size() == 1);  // buffered
    writer.flush();
    records = records_of(slurp(path));
    REQUIRE(records.size() == 2);
    CHECK(records[1].substr(9) == scalars_event(0.0, 5, {{"train/loss", 0.25f}}));
    writer.add_session_start(6);
  }  // the destructor writes out the rest
  const std::vector<std::string> records = records_of(slurp(path));
  REQUIRE(records.size() == 3);
  CHECK(records[2].substr(9) == session_start_event(0.0, 6));
  // The events' wall time is the clock's: after 2020, and the same field in every event.
  double seconds = 0;
  std::memcpy(&seconds, records[1].data() + 1, 8);
  CHECK(seconds > 1.58e9);

  SUBCASE("writers opened in one second get names in the order they were opened") {
    EventWriter a(folder.string()), b(folder.string());
    CHECK(path < a.path());
    CHECK(a.path() < b.path());
    CHECK(event_files(folder).size() == 3);
    remove_event_files(folder.string());
    CHECK(event_files(folder).empty());
  }
  SUBCASE("the events' folder cannot be a file") {
    std::ofstream(dir.file("file")) << "x";
    CHECK_THROWS_WITH_AS(EventWriter(dir.file("file")), doctest::Contains("file"), Error);
  }
  SUBCASE("remove_event_files removes only event files") {
    std::ofstream(folder / "notes.txt") << "mine";
    remove_event_files(folder.string());
    CHECK(event_files(folder) == std::vector<fs::path>{folder / "notes.txt"});
    remove_event_files((dir.path / "no such folder").string());  // nothing to remove
  }
}

TEST_CASE("a Trainer with tensorboard(true) logs every step and epoch to RUN/tb/") {
  TempDir dir;
  train::ExperimentConfig config = ember::test::small_config((dir.path / "run").string());
  config.tensorboard = true;
  config.epochs = 1;
  {
    const train::Experiment e = train::build_experiment(config);
    auto trainer = train::make_trainer(e, train::Progress::none);
    CHECK(trainer->options().tensorboard());
    trainer->fit();
  }
  const fs::path tb = dir.path / "run" / "tb";
  std::vector<fs::path> files = event_files(tb);
  REQUIRE(files.size() == 1);
  // The version, START at step 1, 20 steps, the epoch.
  std::vector<std::string> records = records_of(slurp(files[0]));
  REQUIRE(records.size() == 23);
  CHECK(records[1].substr(9) == bytes({0x10, 0x01, 0x3a, 0x02, 0x08, 0x01}));
  CHECK(records[2].substr(9, 2) == bytes({0x10, 0x01}));   // step 1
  CHECK(records[21].substr(9, 2) == bytes({0x10, 0x14}));  // step 20
  CHECK(records[22].substr(9, 2) == bytes({0x10, 0x14}));  // the epoch's scalars at its last step
  CHECK(records[22].find("epoch/test_top5_accuracy") != std::string::npos);

  SUBCASE("resumed: a second file, opened with a SessionLog START at the next step") {
    config.epochs = 2;
    const train::Experiment e = train::build_experiment(config);
    auto trainer = train::make_trainer(e, train::Progress::none);
    trainer->resume_from((dir.path / "run" / "checkpoints" / "last.safetensors").string());
    trainer->fit();
    const fs::path first = files[0];
    files = event_files(tb);
    REQUIRE(files.size() == 2);
    records = records_of(slurp(files[0] == first ? files[1] : files[0]));
    REQUIRE(records.size() == 23);  // version, START, 20 steps, the epoch
    CHECK(records[1].substr(9) == bytes({0x10, 0x15, 0x3a, 0x02, 0x08, 0x01}));  // START at step 21
    CHECK(records[2].substr(9, 2) == bytes({0x10, 0x15}));
  }
  SUBCASE("a run started again from its first step replaces the old files") {
    const train::Experiment e = train::build_experiment(config);
    auto trainer = train::make_trainer(e, train::Progress::none);
    trainer->fit();
    files = event_files(tb);
    REQUIRE(files.size() == 1);
    CHECK(records_of(slurp(files[0])).size() == 23);
  }
}
