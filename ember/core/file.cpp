#include "ember/core/file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ember/core/error.h"

namespace ember {

namespace {
std::string system_error() { return std::strerror(errno); }

std::string folder_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// A process killed while writing `path` (SIGKILL, power loss) leaves its "<path>.tmp.<pid>" behind;
// without this, a run preempted every day would pile up a checkpoint-sized file per preemption.
// Only temporaries of processes that no longer exist are removed: a live writer's file is its own.
void remove_stale_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  const std::string prefix = fs::path(path).filename().string() + ".tmp.";
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder_of(path), error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) fs::remove(entry.path(), error);
  }
}
}  // namespace

AtomicWriter::AtomicWriter(std::string path) : path_(std::move(path)) {
  remove_stale_temporaries(path_);
  temporary_ = path_ + ".tmp." + std::to_string(::getpid());
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  EMBER_CHECK(fd_ >= 0, "cannot create {}: {}", temporary_, system_error());
}

AtomicWriter::~AtomicWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temporary_.c_str());
  }
}

void AtomicWriter::write(const void* data, size_t size) {
  EMBER_CHECK(fd_ >= 0, "writing {}: the file was already committed", path_);
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd_, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    EMBER_CHECK(n > 0, "writing {} failed: {}", temporary_, system_error());
    bytes += n;
    size -= static_cast<size_t>(n);
  }
}

void AtomicWriter::commit() {
  EMBER_CHECK(fd_ >= 0, "writing {}: the file was already committed", path_);
  EMBER_CHECK(::fsync(fd_) == 0, "flushing {} failed: {}", temporary_, system_error());
  ::close(fd_);
  fd_ = -1;
  if (::rename(temporary_.c_str(), path_.c_str()) != 0) {
    const std::string reason = system_error();
    ::unlink(temporary_.c_str());
    fail("cannot move {} to {}: {}", temporary_, path_, reason);
  }
  const int dir = ::open(folder_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {  // make the rename itself durable
    ::fsync(dir);
    ::close(dir);
  }
}

void write_file_atomically(const std::string& path, std::string_view content) {
  AtomicWriter writer(path);
  writer.write(content);
  writer.commit();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EMBER_CHECK(in.good(), "cannot open {}: {}", path, system_error());
  std::ostringstream out;
  out << in.rdbuf();
  EMBER_CHECK(!in.bad(), "reading {} failed: {}", path, system_error());
  return out.str();
}

bool file_exists(const std::string& path) {
  std::error_code error;
  return std::filesystem::is_regular_file(path, error);
}

void make_directories(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  EMBER_CHECK(!error, "cannot create folder {}: {}", path, error.message());
}

}  // namespace ember
