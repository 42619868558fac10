// read_idx: raw and gzip round trips, the real MNIST fixture, and every kind of bad file.
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>

#include "ember/core/file.h"
#include "ember/data/mnist.h"
#include "support/helpers.h"

using namespace ember;
using namespace ember::data;
using ember::test::check_error;

// Every plain allocation of this test program goes through here, so a test can prove that a
// hostile header is rejected before the reader allocates what it declares.
namespace {
std::atomic<size_t> largest_allocation{0};
}
// Not inlined, nor the deletes: GCC would otherwise see malloc's result reach operator delete
// (or free) and warn about a mismatch.
[[gnu::noinline]] void* operator new(size_t size) {
  size_t seen = largest_allocation.load();
  while (size > seen && !largest_allocation.compare_exchange_weak(seen, size)) {
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace {

using ember::test::TempDir;

// An IDX file as any writer would lay it out: magic, big-endian sizes, bytes.
std::string idx(const std::vector<uint32_t>& dims, const std::string& data, uint8_t type = 0x08) {
  std::string bytes = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((d >> shift) & 0xff));
  }
  return bytes + data;
}

// gzip-compressed bytes (zlib's deflate with the gzip wrapper: window bits 15 + 16).
std::string gzip(const std::string& bytes) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, bytes.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

const std::string kSix = {0, 1, 2, 3, static_cast<char>(254), static_cast<char>(255)};

const std::string kFixture = std::string(EMBER_FIXTURES_DIR) + "/mnist-small/";

}  // namespace

TEST_CASE("a raw IDX file reads back its sizes and bytes") {
  TempDir dir;
  const IdxArray a = read_idx(dir.write("a-idx2-ubyte", idx({2, 3}, kSix)));
  CHECK(a.dims == std::vector<int64_t>{2, 3});
  CHECK(a.data == std::vector<uint8_t>{0, 1, 2, 3, 254, 255});

  const IdxArray b = read_idx(dir.write("b", idx({1, 1, 2, 3}, kSix)));  // rank 4
  CHECK(b.dims == std::vector<int64_t>{1, 1, 2, 3});
  CHECK(b.data.size() == 6);

  // Sizes above 2^24 check the big-endian decoding of every byte (a 1-D file of 65,793 bytes).
  const uint32_t n = 0x010101;
  const IdxArray c = read_idx(dir.write("c", idx({n}, std::string(n, '\x07'))));
  CHECK(c.dims == std::vector<int64_t>{65793});
  CHECK(c.data.back() == 7);
}

TEST_CASE("a gzip IDX file is recognized by its magic, whatever its name") {
  TempDir dir;
  const std::string packed = gzip(idx({3, 2}, kSix));
  for (const std::string name : {"a-idx2-ubyte.gz", "no-extension"}) {
    const IdxArray a = read_idx(dir.write(name, packed));
    CHECK(a.dims == std::vector<int64_t>{3, 2});
    CHECK(a.data == std::vector<uint8_t>{0, 1, 2, 3, 254, 255});
  }
  // And a raw file is raw even when it is called .gz.
  CHECK(read_idx(dir.write("raw.gz", idx({6}, kSix))).data.size() == 6);
  // Two concatenated gzip members (cat a.gz b.gz) are one stream, as gunzip reads them.
  const std::string whole = idx({3, 2}, kSix);
  const IdxArray d = read_idx(dir.write("two.gz", gzip(whole.substr(0, 9)) + gzip(whole.substr(9))));
  CHECK(d.data == std::vector<uint8_t>{0, 1, 2, 3, 254, 255});
}

TEST_CASE("the real MNIST fixture reads as 1000 images of 28x28 and 1000 labels") {
  const IdxArray images = read_idx(kFixture + "train-images-idx3-ubyte.gz");
  CHECK(images.dims == std::vector<int64_t>{1000, 28, 28});
  REQUIRE(images.data.size() == 784000);
  const IdxArray labels = read_idx(kFixture + "train-labels-idx1-ubyte.gz");
  CHECK(labels.dims == std::vector<int64_t>{1000});
  CHECK(labels.data[0] == 5);
  CHECK(images.data[14 * 28 + 14] == 240);  // computed with Python's gzip module
}

TEST_CASE("read_idx rejects a bad header, naming the file") {
  TempDir dir;
  const std::string bad_magic = dir.write("magic", std::string("\x1f\x00\x08\x01", 4) + idx({6}, kSix).substr(4));
  check_error([&] { read_idx(bad_magic); }, {"read_idx: " + bad_magic + ": not an IDX file", "0x1f 0x00"});
  CHECK_THROWS_WITH_AS(read_idx(dir.write("float", idx({6}, kSix, 0x0D))),
                       doctest::Contains("element type 0x0d (float32) is not supported"), Error);
  CHECK_THROWS_WITH_AS(read_idx(dir.write("int32", idx({6}, kSix, 0x0C))), doctest::Contains("(int32)"), Error);
  CHECK_THROWS_WITH_AS(read_idx(dir.write("type", idx({6}, kSix, 0x42))),
                       doctest::Contains("0x42 (not an IDX type)"), Error);
  CHECK_THROWS_WITH_AS(read_idx(dir.write("rank0", idx({}, kSix))), doctest::Contains("rank 0 is not supported"),
                       Error);
  CHECK_THROWS_WITH_AS(read_idx(dir.write("rank5", idx({1, 1, 1, 2, 3}, kSix))),
                       doctest::Contains("rank 5 is not supported"), Error);
  CHECK_THROWS_WITH_AS(read_idx(dir.write("zero", idx({2, 0, 3}, ""))),
                       doctest::Contains("dimension 1 has size 0"), Error);
  CHECK_THROWS_WITH_AS(read_idx(dir.write("short", std::string("\0\0", 2))), doctest::Contains("truncated"), Error);
  CHECK_THROWS_WITH_AS(read_idx(dir.write("empty", "")), doctest::Contains("truncated"), Error);
  CHECK_THROWS_WITH_AS(read_idx(dir.write("header", idx({2, 3}, "").substr(0, 9))),
                       doctest::Contains("ends inside the 12-byte header"), Error);
  const std::string missing = (dir.path / "nope").string();
  check_error([&] { read_idx(missing); }, {"read_idx: " + missing + ": cannot open", "No such file"});
}

TEST_CASE("huge declared sizes in a tiny file fail before anything is allocated") {
  TempDir dir;
  const std::string over_cap = dir.write("cap", idx({65535, 65535, 65535}, kSix));
  const std::string mnist_sized = dir.write("mnist", idx({60000, 28, 28}, std::string(1000, '\0')));
  const std::string mnist_gz = dir.write("mnist.gz", gzip(idx({60000, 28, 28}, kSix)));
  const std::string two_gb_gz = dir.write("2g.gz", gzip(idx({32768, 256, 256}, kSix)));
  largest_allocation = 0;
  check_error([&] { read_idx(over_cap); }, {"65535x65535x...", "more than 2147483648 bytes"});
  check_error([&] { read_idx(mnist_sized); },
              {"read_idx: " + mnist_sized + ": truncated: header declares 60000x28x28 = 47040000 bytes of data, "
               "the file has 1000 after the header"});
  check_error([&] { read_idx(mnist_gz); }, {"60000x28x28 = 47040000 bytes of data, more than a", "1032:1"});
  check_error([&] { read_idx(two_gb_gz); }, {"32768x256x256 = 2147483648 bytes", "more than a"});
  CHECK(largest_allocation.load() < (1u << 20));  // the zlib buffers, not the declared sizes
  read_idx(kFixture + "train-images-idx3-ubyte.gz");
  CHECK(largest_allocation.load() >= 784000);  // the tracking works: a real file's data is seen
}

TEST_CASE("the largest sizes an IDX header can hold (2^32 - 1, rank 4) cannot overflow the count") {
  // The sizes are 32-bit, so 2^32 - 1 is the hostile extreme; the running product is checked
  // against 2^31 after every size, so it stays below 2^63 whatever the order (the worst case,
  // 2^31 then 2^32 - 1, is the last file here).
  TempDir dir;
  const uint32_t max = 0xffffffff;
  const std::string all_max = dir.write("all-max", idx({max, max, max, max}, kSix));
  const std::string max_last = dir.write("max-last.gz", gzip(idx({1, 1, 1, max}, kSix)));
  const std::string max_after_big = dir.write("max-after-big", idx({32768, 65536, max}, kSix));
  largest_allocation = 0;
  check_error([&] { read_idx(all_max); }, {"read_idx: " + all_max + ": the header declares dimensions "
                                           "4294967295x... of more than 2147483648 bytes"});
  check_error([&] { read_idx(max_last); }, {"read_idx: " + max_last + ": the header declares dimensions "
                                            "1x1x1x4294967295 of more than 2147483648 bytes"});
  check_error([&] { read_idx(max_after_big); }, {"read_idx: " + max_after_big + ": the header declares dimensions "
                                                 "32768x65536x4294967295 of more than 2147483648 bytes"});
  CHECK(largest_allocation.load() < (1u << 20));  // the zlib buffers, not the declared sizes
}

TEST_CASE("a gzip file cannot make the reader allocate more than 1032 times its size") {
  // Found by fuzz/fuzz_idx.cpp: a flat 1 MiB allowance on top of the 1032:1 bound let an 86-byte
  // file declare 135,200 bytes and have them allocated before the stream turned out short.
  TempDir dir;
  const std::string packed = gzip(idx({100000}, kSix));
  REQUIRE(1032 * packed.size() < 100000);
  const std::string small = dir.write("small.gz", packed);
  largest_allocation = 0;
  check_error([&] { read_idx(small); }, {"read_idx: " + small + ": header declares 100000 = 100000 bytes of data, "
                                         "more than a", "1032:1"});
  CHECK(largest_allocation.load() <= 65536);  // the inflate buffer
}

TEST_CASE("parse_idx reads bytes in memory as read_idx reads the file, naming what it is given") {
  const std::string raw = idx({2, 3}, kSix);
  for (const std::string& bytes : {raw, gzip(raw)}) {
    const IdxArray a = parse_idx(bytes, "in-memory");
    CHECK(a.dims == std::vector<int64_t>{2, 3});
    CHECK(a.data == std::vector<uint8_t>{0, 1, 2, 3, 254, 255});
  }
  check_error([&] { parse_idx(raw.substr(0, 10), "cut-short"); }, {"read_idx: cut-short: truncated"});
  check_error([&] { parse_idx(gzip(raw) + "!", "with-junk"); }, {"read_idx: with-junk: trailing data"});
  check_error([&] { parse_idx("", "nothing"); }, {"read_idx: nothing: truncated"});
}

TEST_CASE("a raw IDX file must hold exactly the declared bytes") {
  TempDir dir;
  const std::string truncated = dir.write("t", idx({2, 3}, kSix.substr(0, 4)));
  check_error([&] { read_idx(truncated); },
              {"read_idx: " + truncated + ": truncated: header declares 2x3 = 6 bytes of data, the file has 4"});
  const std::string trailing = dir.write("x", idx({2, 3}, kSix + "ab"));
  check_error([&] { read_idx(trailing); }, {trailing + ": trailing data", "the file has 8", "(2 too many)"});
}

TEST_CASE("a gzip IDX file must be complete, intact and end where the header says") {
  TempDir dir;
  const std::string real = read_file(kFixture + "train-images-idx3-ubyte.gz");

  const std::string half = dir.write("half.gz", real.substr(0, real.size() / 2));
  check_error([&] { read_idx(half); },
              {"read_idx: " + half + ": truncated: header declares 1000x28x28 = 784000 bytes of data, the gzip "
               "stream has "});
  // All the data but not the 8-byte trailer (CRC and length): the data cannot be trusted.
  const std::string no_trailer = dir.write("trailer.gz", real.substr(0, real.size() - 8));
  CHECK_THROWS_WITH_AS(read_idx(no_trailer), doctest::Contains("truncated: the gzip stream stops before its end"),
                       Error);

  std::string flipped = real;
  for (size_t i = flipped.size() / 2; i < flipped.size() / 2 + 16; ++i) flipped[i] = static_cast<char>(~flipped[i]);
  CHECK_THROWS_WITH_AS(read_idx(dir.write("corrupt.gz", flipped)), doctest::Contains("corrupt gzip data"), Error);
  std::string bad_crc = real;
  bad_crc[bad_crc.size() - 6] ^= 1;  // inside the CRC-32 of the trailer
  CHECK_THROWS_WITH_AS(read_idx(dir.write("crc.gz", bad_crc)),
                       doctest::Contains("corrupt gzip data: incorrect data check"), Error);

  const std::string garbage = dir.write("garbage.gz", gzip(idx({2, 3}, kSix)) + "junk!");
  check_error([&] { read_idx(garbage); }, {garbage + ": trailing data: 5 bytes after the end of the gzip stream"});
  const std::string longer = dir.write("longer.gz", gzip(idx({2, 3}, kSix + "ab")));
  check_error([&] { read_idx(longer); }, {longer + ": trailing data: the header declares 6 bytes"});
  const std::string shorter = dir.write("shorter.gz", gzip(idx({2, 3}, kSix.substr(0, 5))));
  check_error([&] { read_idx(shorter); }, {shorter + ": truncated", "the gzip stream has 5 after the header"});
}

TEST_CASE("a reader asks for the first N entries: the rest is neither read nor inflated") {
  TempDir dir;
  std::string data;
  for (int i = 0; i < 4 * 6; ++i) data.push_back(static_cast<char>(i));
  const std::string raw = idx({4, 2, 3}, data);
  for (const std::string& bytes : {raw, gzip(raw)}) {
    const IdxArray two = parse_idx(bytes, "four", IdxReadOptions().max_items(2));
    CHECK(two.dims == std::vector<int64_t>{2, 2, 3});
    CHECK(two.data == std::vector<uint8_t>(data.begin(), data.begin() + 12));
    CHECK(parse_idx(bytes, "four", IdxReadOptions().max_items(9)).dims[0] == 4);  // more than there are: all
  }
  // A gzip stream without its trailer: reading it all fails (the data cannot be trusted), the first
  // entries read without inflating to the end.
  const std::string real = read_file(kFixture + "train-images-idx3-ubyte.gz");
  const std::string no_trailer = dir.write("trailer.gz", real.substr(0, real.size() - 8));
  CHECK_THROWS_WITH_AS(read_idx(no_trailer), doctest::Contains("truncated"), Error);
  CHECK(read_idx(no_trailer, IdxReadOptions().max_items(10)).data.size() == 10 * 28 * 28);
  // A raw file's size is still checked against its header (stat, no reading).
  check_error([&] { read_idx(dir.write("short", idx({4, 2, 3}, data.substr(0, 20))), IdxReadOptions().max_items(1)); },
              {"truncated: header declares 4x2x3 = 24 bytes of data"});
}

TEST_CASE("data beyond the reader's memory budget is refused before it is allocated, naming the file") {
  const std::string raw = idx({4, 2, 3}, std::string(24, '\1'));
  largest_allocation = 0;
  check_error([&] { parse_idx(raw, "budget", IdxReadOptions().memory_budget(20)); },
              {"read_idx: budget: reading 4 of its 4 entries (4x2x3 = 24 bytes of data) takes 24 bytes, more than "
               "the reader's memory budget of 20 bytes: at most 3 entries fit"});
  CHECK(largest_allocation.load() < 24 * 1000);
  CHECK(parse_idx(raw, "budget", IdxReadOptions().max_items(3).memory_budget(20)).data.size() == 18);
}

namespace {
// A gzip IDX file of `items` zero entries of 1 KiB that inflates to items KiB: concatenated gzip
// members (which the reader accepts as one stream), one compressed MiB of zeros repeated, so a 2 GiB
// file costs 2 MiB and one MiB of compression to make.
std::string zeros_idx_gz(uint32_t items) {
  const uint32_t per_member = 1024;  // entries of 1 KiB in one member: 1 MiB
  REQUIRE(items % per_member == 0);
  std::string bytes = gzip(idx({items, 32, 32}, ""));
  const std::string member = gzip(std::string(per_member * 1024, '\0'));
  for (uint32_t i = 0; i < items / per_member; ++i) bytes += member;
  return bytes;
}
std::string zero_labels_gz(uint32_t count) { return gzip(idx({count}, std::string(count, '\0'))); }
}  // namespace

TEST_CASE("a 2 MiB gzip MNIST file that inflates to 2 GiB: counts compared first, a limit reads only its images") {
  TempDir dir;
  const uint32_t two_gib = 2u << 20;  // entries of 1 KiB
  const std::string images = dir.write("train-images-idx3-ubyte.gz", zeros_idx_gz(two_gib));
  CHECK(std::filesystem::file_size(images) < (3u << 20));
  dir.write("train-labels-idx1-ubyte.gz", zero_labels_gz(10));
  largest_allocation = 0;
  check_error([&] { load_mnist(dir.str(), Split::train); },
              {"holds 2097152 images but", "holds 10 labels"});
  CHECK(largest_allocation.load() < (1u << 20));  // nothing of the 2 GiB was kept

  dir.write("train-labels-idx1-ubyte.gz", zero_labels_gz(two_gib));
  largest_allocation = 0;
  const ImageData first = load_mnist(dir.str(), Split::train, 200);
  CHECK(first.count == 200);
  CHECK(first.height == 32);
  CHECK(first.pixels.size() == 200 * 1024);
  CHECK(largest_allocation.load() < (1u << 20));  // 200 images, not 2 GiB
}
