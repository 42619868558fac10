#include "ember/core/file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

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

namespace {
const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}
}  // namespace

uint64_t regular_file_size(const std::string& path, std::string_view what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    EMBER_CHECK(error != ELOOP, "{} {}: cannot open: a loop of symbolic links", what, path);
    fail("{} {}: cannot open: {}", what, path, std::strerror(error));
  }
  EMBER_CHECK(S_ISREG(info.st_mode), "{} {}: is {}, expected a regular file", what, path, kind_of(info.st_mode));
  return static_cast<uint64_t>(info.st_size);
}

std::string read_file(const std::string& path, uint64_t max_bytes) {
  // Opened without blocking and checked on the descriptor itself, so a FIFO put in the file's
  // place after a check cannot hang the read either.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    EMBER_CHECK(error != ELOOP, "cannot open {}: a loop of symbolic links", path);
    fail("cannot open {}: {}", path, std::strerror(error));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  EMBER_CHECK(::fstat(fd, &info) == 0, "cannot read {}: {}", path, system_error());
  EMBER_CHECK(S_ISREG(info.st_mode), "cannot read {}: it is {}, expected a regular file", path, kind_of(info.st_mode));
  const uint64_t size = static_cast<uint64_t>(info.st_size);
  EMBER_CHECK(size <= max_bytes, "cannot read {}: {} bytes, more than the {} this reader accepts", path, size,
              max_bytes);
  std::string bytes(static_cast<size_t>(size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    EMBER_CHECK(n >= 0, "reading {} failed: {}", path, system_error());
    if (n == 0) break;  // the file shrank since fstat: what is there
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  return bytes;
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

FolderLock::FolderLock(const std::string& folder, std::string_view what) {
  make_directories(folder);
  const std::string path = folder + "/.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  EMBER_CHECK(fd_ >= 0, "cannot create {}: {}", path, system_error());
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char owner[32] = {};
    const ssize_t n = ::pread(fd_, owner, sizeof(owner) - 1, 0);
    ::close(fd_);
    fd_ = -1;
    EMBER_CHECK(error == EWOULDBLOCK, "cannot lock {}: {}", path, std::strerror(error));
    std::string pid = n > 0 ? std::string(owner, static_cast<size_t>(n)) : std::string();
    pid = pid.substr(0, pid.find_first_not_of("0123456789"));
    fail("{} is in use by another {} (process {}); wait for it to end, or choose another folder", folder, what,
         pid.empty() ? "unknown" : pid);
  }
  // Without the id the lock holds all the same; only a second process's message would lack it.
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, pid.data(), pid.size(), 0);
}

void check_folder_free(const std::string& folder, std::string_view what) {
  std::error_code error;
  if (!std::filesystem::exists(folder, error)) return;
  const FolderLock probe(folder, what);
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace ember
