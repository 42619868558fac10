#pragma once
// Writing files so that nothing is lost: AtomicWriter writes to a temporary file in the target's
// folder, and commit() fsyncs it, renames it over the target and fsyncs the folder. A crash or an
// exception at any point leaves either the old file or the complete new one, never a torn file;
// an uncommitted writer removes its temporary file, and a new writer removes the ones left by
// writers of the same file that were killed (their process is gone). Errors (unwritable folder,
// full disk) are ember::Errors naming the file and the system's reason, raised by the operation
// that failed.
#include <cstdint>
#include <string>
#include <string_view>

namespace ember {

// The most read_file reads unless told otherwise: far above any config, report asset or dataset
// file ember reads whole, far below what would exhaust a machine's memory.
inline constexpr uint64_t kMaxReadBytes = uint64_t{4} << 30;

class AtomicWriter {
 public:
  explicit AtomicWriter(std::string path);
  ~AtomicWriter();
  AtomicWriter(const AtomicWriter&) = delete;
  AtomicWriter& operator=(const AtomicWriter&) = delete;

  void write(const void* bytes, size_t size);
  void write(std::string_view text) { write(text.data(), text.size()); }
  void commit();

 private:
  std::string path_, temporary_;
  int fd_ = -1;
};

// The whole content in one go.
void write_file_atomically(const std::string& path, std::string_view content);

// The size of a regular file, checked before anything reads it: a directory, FIFO, device or
// socket (which would hang a reader, or feed it without end), a symlink loop or a missing file
// is an ember::Error naming `what` (the reader: "CIFAR-10 batch", "checkpoint", ...), the path and
// what it is instead.
uint64_t regular_file_size(const std::string& path, std::string_view what);

// The whole file as bytes, at most max_bytes of them (a larger file is an ember::Error naming it,
// its size and the limit, raised before reading); ember::Error naming the file if it cannot be
// read or is not a regular file.
std::string read_file(const std::string& path, uint64_t max_bytes = kMaxReadBytes);

bool file_exists(const std::string& path);

// Creates a folder and its parents (like mkdir -p); ember::Error naming it if that fails.
void make_directories(const std::string& path);

// Claims a folder for one process while the lock lives: an flock()ed file `.lock` in it, holding
// the owner's process id. The kernel releases it when the process ends however it ends, so a lock
// left by a killed process is never in the way. A folder claimed by another live process is an
// ember::Error naming the folder and that process's id; `what` says what claims it ("run").
// Refuses, as FolderLock would, a folder another live process holds, but creates nothing: a folder
// that does not exist yet is free (a command refused later leaves no empty folder behind).
void check_folder_free(const std::string& folder, std::string_view what);

class FolderLock {
 public:
  FolderLock(const std::string& folder, std::string_view what);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace ember
