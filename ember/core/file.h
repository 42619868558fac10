#pragma once
// Writing files so that nothing is lost: AtomicWriter writes to a temporary file in the target's
// folder, and commit() fsyncs it, renames it over the target and fsyncs the folder. A crash or an
// exception at any point leaves either the old file or the complete new one, never a torn file;
// an uncommitted writer removes its temporary file, and a new writer removes the ones left by
// writers of the same file that were killed (their process is gone). Errors (unwritable folder,
// full disk) are ember::Errors naming the file and the system's reason, raised by the operation
// that failed.
#include <string>
#include <string_view>

namespace ember {

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

// The whole file as bytes; ember::Error naming the file if it cannot be read.
std::string read_file(const std::string& path);

bool file_exists(const std::string& path);

// Creates a folder and its parents (like mkdir -p); ember::Error naming it if that fails.
void make_directories(const std::string& path);

}  // namespace ember
