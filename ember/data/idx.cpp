#include "ember/data/idx.h"

#include <fmt/ranges.h>
#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "ember/core/error.h"
#include "ember/core/file.h"
#include "ember/core/memory_stream.h"

namespace ember::data {

namespace {

constexpr uint64_t kMaxDataBytes = uint64_t{1} << 31;
// Deflate's best case is 1032:1: after one literal byte, 258-byte matches coded in 2 bits each.
// A gzip file also spends at least 18 bytes on its header and trailer, so no n-byte file inflates
// to more than 1032 n bytes, and a declared size beyond that cannot come from the compressed
// bytes. (No flat allowance on top: a former 1 MiB one let a 90-byte file make the reader
// allocate 1 MiB; fuzz/fuzz_idx.cpp found it.)
constexpr uint64_t kMaxInflateRatio = 1032;

const char* type_name(uint8_t type) {
  switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return nullptr;
  }
}

// Where the bytes come from: the file itself or its inflated gzip stream. read() returns fewer
// than n bytes only at the end of the data.
class Source {
 public:
  virtual ~Source() = default;
  virtual size_t read(uint8_t* out, size_t n) = 0;
};

class RawSource : public Source {
 public:
  explicit RawSource(std::istream& in) : in_(in) {}
  size_t read(uint8_t* out, size_t n) override {
    in_.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
    return static_cast<size_t>(in_.gcount());
  }

 private:
  std::istream& in_;
};

// Inflates the file in 64 KiB chunks straight into the caller's buffer. Concatenated gzip
// members (what `cat a.gz b.gz` makes, and gunzip accepts) are one stream; anything else after
// the last member is an error, and so is a stream that stops before its end-of-member trailer
// (the CRC that proves the data intact).
class GzipSource : public Source {
 public:
  GzipSource(std::istream& in, const std::string& path, uint64_t file_size)
      : in_(in), path_(path), file_size_(file_size), buffer_(1 << 16) {
    // 15 + 32: the largest window, and accept a gzip or zlib header (detected automatically).
    EMBER_CHECK(inflateInit2(&z_, 15 + 32) == Z_OK, "read_idx: {}: cannot initialize zlib", path_);
  }
  ~GzipSource() override { inflateEnd(&z_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  size_t read(uint8_t* out, size_t n) override {
    z_.next_out = out;
    z_.avail_out = static_cast<uInt>(n);  // callers ask for at most kMaxDataBytes
    while (z_.avail_out > 0) {
      if (z_.avail_in == 0 && !refill()) break;
      if (member_ended_) start_next_member();
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        member_ended_ = true;
      } else if (rc != Z_OK) {
        fail("read_idx: {}: corrupt gzip data: {}", path_, z_.msg ? z_.msg : zError(rc));
      }
    }
    return n - z_.avail_out;
  }

  // After the data: checks that the stream ends cleanly here, with no more data and no
  // trailing bytes.
  void expect_end(uint64_t expected) {
    uint8_t extra[4096];
    const size_t more = read(extra, sizeof(extra));
    EMBER_CHECK(more == 0, "read_idx: {}: trailing data: the header declares {} bytes but the gzip "
                "stream holds more", path_, expected);
    EMBER_CHECK(member_ended_, "read_idx: {}: truncated: the gzip stream stops before its end "
                "(missing checksum trailer)", path_);
  }

 private:
  bool refill() {
    in_.read(reinterpret_cast<char*>(buffer_.data()), static_cast<std::streamsize>(buffer_.size()));
    const auto got = static_cast<uInt>(in_.gcount());
    consumed_ += got;
    z_.next_in = buffer_.data();
    z_.avail_in = got;
    return got > 0;
  }

  void start_next_member() {
    if (z_.next_in[0] != 0x1f) {
      const uint64_t trailing = file_size_ - (consumed_ - z_.avail_in);
      fail("read_idx: {}: trailing data: {} bytes after the end of the gzip stream", path_, trailing);
    }
    EMBER_CHECK(inflateReset(&z_) == Z_OK, "read_idx: {}: cannot reset zlib", path_);
    member_ended_ = false;
  }

  std::istream& in_;
  const std::string& path_;
  uint64_t file_size_, consumed_ = 0;
  std::vector<unsigned char> buffer_;
  z_stream z_{};
  bool member_ended_ = false;
};

// One IDX file or buffer being read: the header when constructed (checked against the file's
// size where that is known), then as much of the data as the caller asks for.
class IdxStream {
 public:
  IdxStream(std::istream& in, uint64_t file_size, const std::string& path)
      : in_(in), file_size_(file_size), path_(path) {
    std::array<uint8_t, 2> first{};
    in.read(reinterpret_cast<char*>(first.data()), 2);
    in.clear();  // a file shorter than 2 bytes set failbit
    in.seekg(0);
    gzip_ = file_size >= 2 && first[0] == 0x1f && first[1] == 0x8b;
    if (gzip_) gz_ = std::make_unique<GzipSource>(in, path, file_size);
    read_header();
  }

  const std::vector<int64_t>& dims() const { return dims_; }

  // The first `items` entries along the first dimension (all of them if items is 0 or more than
  // there are), at most `budget` bytes. Reading everything also checks that the data ends where
  // the header says; reading a part stops there (a gzip file is not inflated further).
  IdxArray read(int64_t items, uint64_t budget) {
    const auto all = dims_[0];
    const int64_t take = items > 0 && items < all ? items : all;
    const uint64_t item_bytes = count_ / static_cast<uint64_t>(all);
    const uint64_t bytes = item_bytes * static_cast<uint64_t>(take);
    if (bytes > budget) {
      fail("read_idx: {}: reading {} of its {} entries ({}) takes {} bytes, more than the reader's memory "
           "budget of {} bytes: at most {} entries fit (read fewer: the loaders' limit, ember train's "
           "--train-limit and --test-limit)", path_, take,
           all, declared_, bytes, budget, budget / item_bytes);
    }
    IdxArray result;
    result.dims = dims_;
    result.dims[0] = take;
    result.data.resize(bytes);
    const size_t got = source().read(result.data.data(), bytes);
    EMBER_CHECK(got == bytes, "read_idx: {}: truncated: header declares {}, the {} has {} after the header",
                path_, declared_, gzip_ ? "gzip stream" : "file", got);
    if (gzip_ && take == all) gz_->expect_end(count_);
    return result;
  }

 private:
  Source& source() { return gzip_ ? static_cast<Source&>(*gz_) : raw_; }

  void read_header() {
    Source& in = source();
    const char* what = gzip_ ? "decompressed data" : "file";
    uint8_t magic[4];
    EMBER_CHECK(in.read(magic, 4) == 4, "read_idx: {}: truncated: the {} is shorter than the "
                "4-byte IDX magic", path_, what);
    EMBER_CHECK(magic[0] == 0 && magic[1] == 0, "read_idx: {}: not an IDX file: it starts with "
                "{:#04x} {:#04x}, expected 0x00 0x00 (then the type and rank bytes)", path_, magic[0], magic[1]);
    const uint8_t type = magic[2];
    if (type != 0x08) {
      const char* name = type_name(type);
      fail("read_idx: {}: element type {:#04x} ({}) is not supported: only 0x08 (unsigned byte) is", path_,
           type, name ? name : "not an IDX type");
    }
    const int rank = magic[3];
    EMBER_CHECK(rank >= 1 && rank <= 4, "read_idx: {}: rank {} is not supported: expected 1 to 4", path_, rank);
    uint8_t size_bytes[16];
    const size_t header_size = 4 + 4 * static_cast<size_t>(rank);
    EMBER_CHECK(in.read(size_bytes, 4 * rank) == 4 * static_cast<size_t>(rank),
                "read_idx: {}: truncated: the {} ends inside the {}-byte header", path_, what, header_size);

    for (int d = 0; d < rank; ++d) {
      const uint8_t* b = size_bytes + 4 * d;
      const uint64_t dim = (uint64_t{b[0]} << 24) | (uint64_t{b[1]} << 16) | (uint64_t{b[2]} << 8) | b[3];
      EMBER_CHECK(dim > 0, "read_idx: {}: dimension {} has size 0", path_, d);
      dims_.push_back(static_cast<int64_t>(dim));
      count_ *= dim;  // < 2^31 * 2^32 before the check below: cannot overflow
      EMBER_CHECK(count_ <= kMaxDataBytes, "read_idx: {}: the header declares dimensions {}{} of more than "
                  "{} bytes: not a plausible IDX file", path_, fmt::join(dims_, "x"),
                  d + 1 < rank ? "x..." : "", kMaxDataBytes);
    }
    declared_ = fmt::format("{} = {} bytes of data", fmt::join(dims_, "x"), count_);

    // The size must be right before anything allocates.
    if (!gzip_) {
      const uint64_t found = file_size_ >= header_size ? file_size_ - header_size : 0;
      EMBER_CHECK(found >= count_, "read_idx: {}: truncated: header declares {}, the file has {} after the "
                  "header", path_, declared_, found);
      EMBER_CHECK(found == count_, "read_idx: {}: trailing data: header declares {}, the file has {} after "
                  "the header ({} too many)", path_, declared_, found, found - count_);
    } else {
      EMBER_CHECK(count_ <= kMaxInflateRatio * file_size_, "read_idx: {}: header declares {}, "
                  "more than a {}-byte gzip file can hold (deflate expands at most {}:1): corrupt or "
                  "hostile file", path_, declared_, file_size_, kMaxInflateRatio);
    }
  }

  std::istream& in_;
  uint64_t file_size_;
  const std::string& path_;
  bool gzip_ = false;
  RawSource raw_{in_};
  std::unique_ptr<GzipSource> gz_;
  std::vector<int64_t> dims_;
  uint64_t count_ = 1;
  std::string declared_;
};

std::ifstream open_idx(const std::string& path, uint64_t& file_size) {
  file_size = regular_file_size(path, "read_idx:");
  std::ifstream in(path, std::ios::binary);
  EMBER_CHECK(in.good(), "read_idx: {}: cannot open: {}", path, std::strerror(errno));
  return in;
}

}  // namespace

IdxArray read_idx(const std::string& path, const IdxReadOptions& options) {
  uint64_t file_size = 0;
  std::ifstream in = open_idx(path, file_size);
  return IdxStream(in, file_size, path).read(options.max_items(), options.memory_budget());
}

std::vector<int64_t> read_idx_dims(const std::string& path) {
  uint64_t file_size = 0;
  std::ifstream in = open_idx(path, file_size);
  return IdxStream(in, file_size, path).dims();
}

IdxArray parse_idx(std::string_view bytes, const std::string& name, const IdxReadOptions& options) {
  MemoryStream in(bytes);
  return IdxStream(in, bytes.size(), name).read(options.max_items(), options.memory_budget());
}

}  // namespace ember::data
