#include "ember/train/tensorboard.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "ember/core/error.h"
#include "ember/core/file.h"

namespace ember::train::tensorboard {

namespace {

constexpr std::array<uint32_t, 256> make_crc32c_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0u);
    table[i] = crc;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrc32cTable = make_crc32c_table();

// ---- protobuf's wire format, the little of it an Event needs ----
enum WireType : uint32_t { varint = 0, fixed64 = 1, length_delimited = 2, fixed32 = 5 };

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

void put_tag(std::string& out, uint32_t field, WireType type) { put_varint(out, (field << 3) | type); }

// Little-endian, whatever the machine.
template <typename T>
void put_little_endian(std::string& out, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

void put_bytes(std::string& out, uint32_t field, std::string_view bytes) {
  put_tag(out, field, length_delimited);
  put_varint(out, bytes.size());
  out += bytes;
}

// Event's wall_time (1) and step (2), each left out at its default as proto3 does.
std::string event_with(double wall_time, int64_t step) {
  std::string out;
  if (std::bit_cast<uint64_t>(wall_time) != 0) {
    put_tag(out, 1, fixed64);
    put_little_endian(out, std::bit_cast<uint64_t>(wall_time));
  }
  if (step != 0) {
    put_tag(out, 2, varint);
    put_varint(out, static_cast<uint64_t>(step));  // a negative int64 is its 10-byte two's complement
  }
  return out;
}

double unix_time_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  std::string host = name;
  for (char& c : host) {
    if (c == '/') c = '_';  // a file name, not a path
  }
  return host;
}

}  // namespace

uint32_t crc32c(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (const char c : bytes) crc = kCrc32cTable[(crc ^ static_cast<uint8_t>(c)) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t mask_crc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

std::string record(std::string_view data) {
  std::string out;
  out.reserve(data.size() + 16);
  put_little_endian(out, static_cast<uint64_t>(data.size()));
  put_little_endian(out, mask_crc(crc32c(out)));
  out += data;
  put_little_endian(out, mask_crc(crc32c(data)));
  return out;
}

std::string file_version_event(double wall_time) {
  std::string out = event_with(wall_time, 0);
  put_bytes(out, 3, "brain.Event:2");
  return out;
}

std::string scalars_event(double wall_time, int64_t step, const std::vector<Scalar>& scalars) {
  std::string summary;
  for (const Scalar& s : scalars) {
    std::string value;
    if (!s.tag.empty()) put_bytes(value, 1, s.tag);
    put_tag(value, 2, fixed32);
    put_little_endian(value, std::bit_cast<uint32_t>(s.value));
    put_bytes(summary, 1, value);
  }
  std::string out = event_with(wall_time, step);
  put_bytes(out, 5, summary);
  return out;
}

std::string session_start_event(double wall_time, int64_t step) {
  std::string session_log;
  put_tag(session_log, 1, varint);
  put_varint(session_log, 1);  // SessionLog.START
  std::string out = event_with(wall_time, step);
  put_bytes(out, 7, session_log);
  return out;
}

std::string event_file_name(int64_t unix_seconds, std::string_view host, long pid) {
  return fmt::format("events.out.tfevents.{}.{}.{}", unix_seconds, host, pid);
}

namespace {

constexpr std::string_view kPrefix = "events.out.tfevents.";

bool is_event_file(const std::filesystem::directory_entry& entry) {
  std::error_code error;
  return entry.path().filename().string().starts_with(kPrefix) && entry.is_regular_file(error);
}

// The newest second in the names of the folder's event files (0 if none).
int64_t newest_event_file_second(const std::string& folder) {
  int64_t newest = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (!is_event_file(entry)) continue;
    const std::string name = entry.path().filename().string();
    int64_t seconds = 0;
    std::from_chars(name.data() + kPrefix.size(), name.data() + name.size(), seconds);
    newest = std::max(newest, seconds);
  }
  return newest;
}

}  // namespace

void remove_event_files(const std::string& folder) {
  namespace fs = std::filesystem;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (is_event_file(entry)) {
      fs::remove(entry.path(), error);
      EMBER_CHECK(!error, "cannot remove the old event file {}: {}", entry.path().string(), error.message());
    }
  }
}

EventWriter::EventWriter(const std::string& folder, double flush_seconds)
    : flush_seconds_(flush_seconds), last_flush_(std::chrono::steady_clock::now()) {
  make_directories(folder);
  const double now = unix_time_now();
  // TensorBoard reads a folder's event files in the order of their names, and a running one never
  // goes back to a name that sorts before the file it is reading: a file opened in the same second
  // as the folder's newest (a run resumed at once) is named one second later.
  const int64_t second = std::max(static_cast<int64_t>(now), newest_event_file_second(folder) + 1);
  const std::string name = event_file_name(second, host_name(), static_cast<long>(::getpid()));
  // Another process opening a file in the same folder and second gets a numbered name of its own.
  for (int attempt = 1; fd_ < 0; ++attempt) {
    path_ = folder + "/" + name + (attempt == 1 ? "" : fmt::format(".{}", attempt));
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    EMBER_CHECK(fd_ >= 0 || (errno == EEXIST && attempt < 1000), "cannot create the TensorBoard event file {}: {}",
                path_, std::strerror(errno));
  }
  buffer_ = record(file_version_event(now));
  flush();
}

EventWriter::~EventWriter() {
  try {
    flush();
  } catch (const Error& e) {  // a destructor cannot throw: say it, since the last events are lost
    fmt::print(stderr, "warning: {}\n", e.what());
  }
  ::close(fd_);
}

void EventWriter::add_scalars(int64_t step, const std::vector<Scalar>& scalars) {
  add(scalars_event(unix_time_now(), step, scalars));
}

void EventWriter::add_session_start(int64_t step) { add(session_start_event(unix_time_now(), step)); }

void EventWriter::add(const std::string& event) {
  buffer_ += record(event);
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_flush_).count() >= flush_seconds_) flush();
}

void EventWriter::flush() {
  last_flush_ = std::chrono::steady_clock::now();
  size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = n < 0 ? std::strerror(errno) : "nothing written";
      buffer_.erase(0, done);  // what was written stays written; a retry continues after it
      fail("writing the TensorBoard event file {} failed: {}", path_, reason);
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
}

}  // namespace ember::train::tensorboard
