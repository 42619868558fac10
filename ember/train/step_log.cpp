#include "ember/train/step_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "ember/core/error.h"
#include "ember/core/file.h"
#include "ember/core/numbers.h"
#include "ember/train/trainer.h"

namespace ember::train {

namespace {

std::string number(double x) { return std::isfinite(x) ? fmt::format("{}", x) : ""; }

std::string row_text(const StepRow& r) {
  return fmt::format("{},{},{},{},{},{},{}\n", r.step, r.epoch, number(r.loss), number(r.accuracy), number(r.lr),
                     number(r.images_per_second), number(r.seconds));
}

bool parse_integer(const std::string& text, int64_t& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

bool parse_number(const std::string& text, double& out) {
  if (text.empty()) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  return read_double(text, out);
}

// One line (without its newline) as a row; false if it is not one.
bool parse_row(const std::string& line, StepRow& row) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields.size() == 7 && parse_integer(fields[0], row.step) && parse_integer(fields[1], row.epoch) &&
         parse_number(fields[2], row.loss) && parse_number(fields[3], row.accuracy) &&
         parse_number(fields[4], row.lr) && parse_number(fields[5], row.images_per_second) &&
         parse_number(fields[6], row.seconds);
}

}  // namespace

std::vector<StepRow> read_steps_csv(const std::string& path) {
  std::vector<StepRow> rows;
  if (!file_exists(path)) return rows;
  const std::string text = read_file(path);
  size_t at = text.find('\n');
  const std::string header = text.substr(0, at);
  EMBER_CHECK(header == kStepsCsvHeader, "{}: the header is '{}', expected '{}'", path, header, kStepsCsvHeader);
  while (at != std::string::npos && at + 1 < text.size()) {
    const size_t end = text.find('\n', at + 1);
    if (end == std::string::npos) break;  // no newline: a row torn while it was written
    StepRow row;
    if (!parse_row(text.substr(at + 1, end - at - 1), row)) break;
    rows.push_back(row);
    at = end;
  }
  return rows;
}

StepLog::StepLog(std::string path, int64_t step) : path_(std::move(path)) {
  std::string text = std::string(kStepsCsvHeader) + "\n";
  for (const StepRow& row : read_steps_csv(path_)) {
    if (row.step <= step) text += row_text(row);
  }
  write_file_atomically(path_, text);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  EMBER_CHECK(fd_ >= 0, "{}: cannot open the step log for appending: {}", path_, std::strerror(errno));
  last_write_ = std::chrono::steady_clock::now();
}

StepLog::~StepLog() {
  try {
    write_pending();
  } catch (const Error&) {  // a destructor must not throw; sync() at the checkpoints reports failures
  }
  if (fd_ >= 0) ::close(fd_);
}

void StepLog::append(const BatchEnd& end) {
  StepRow row;
  row.step = end.step;
  row.epoch = end.epoch;
  row.loss = end.loss;
  row.accuracy = end.accuracy;
  row.lr = end.lr;
  row.images_per_second = end.images_per_second;
  row.seconds = end.seconds;
  pending_ += row_text(row);
  ++pending_rows_;
  const auto now = std::chrono::steady_clock::now();
  if (pending_rows_ >= kFlushRows || std::chrono::duration<double>(now - last_write_).count() >= kFlushSeconds) {
    write_pending();
  }
}

void StepLog::write_pending() {
  size_t done = 0;
  while (done < pending_.size()) {
    const ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // what was written stays written; the rest is retried by the next write
      const std::string reason = n < 0 ? std::strerror(errno) : "no progress";
      pending_.erase(0, done);
      fail("{}: cannot append to the step log: {}", path_, reason);
    }
    done += static_cast<size_t>(n);
  }
  pending_.clear();
  pending_rows_ = 0;
  last_write_ = std::chrono::steady_clock::now();
}

void StepLog::sync() {
  write_pending();
  EMBER_CHECK(::fsync(fd_) == 0, "{}: cannot sync the step log: {}", path_, std::strerror(errno));
}

}  // namespace ember::train
