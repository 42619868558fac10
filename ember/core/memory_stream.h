#pragma once
// MemoryStream: a read-only, seekable std::istream over bytes already in memory, without copying
// them (std::ispanstream only arrives in C++23). The file readers (read_idx, nn::load) parse a
// std::istream, so the same code reads a file or a buffer: the parse_* entry points that tests and
// the fuzz targets (fuzz/) call hand their bytes over through this.
#include <ios>
#include <istream>
#include <streambuf>
#include <string_view>

namespace ember {

namespace detail {
// The get area is the caller's bytes; seeking moves inside them and nowhere else.
class MemoryBuffer : public std::streambuf {
 public:
  explicit MemoryBuffer(std::string_view bytes) {
    // streambuf's interface takes char*, but nothing here writes through it (no put area).
    char* begin = const_cast<char*>(bytes.data());
    setg(begin, begin, begin + bytes.size());
  }

 protected:
  pos_type seekoff(off_type offset, std::ios_base::seekdir from, std::ios_base::openmode which) override {
    const off_type size = egptr() - eback();
    off_type base = 0;
    if (from == std::ios_base::cur) base = gptr() - eback();
    if (from == std::ios_base::end) base = size;
    // Compared before adding, so a hostile offset cannot overflow the sum.
    if (!(which & std::ios_base::in) || offset < -base || offset > size - base) return pos_type(off_type(-1));
    setg(eback(), eback() + base + offset, egptr());
    return pos_type(base + offset);
  }
  pos_type seekpos(pos_type position, std::ios_base::openmode which) override {
    return seekoff(off_type(position), std::ios_base::beg, which);
  }
};
}  // namespace detail

// The buffer is a base listed before std::istream so that it is constructed first.
class MemoryStream : private detail::MemoryBuffer, public std::istream {
 public:
  explicit MemoryStream(std::string_view bytes) : detail::MemoryBuffer(bytes), std::istream(this) {}
};

}  // namespace ember
