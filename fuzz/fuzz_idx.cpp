// Fuzzes the IDX reader (MNIST / Fashion-MNIST files, raw or gzip) on bytes in memory.
// Checks, beyond no crash and no sanitizer report: only ember::Errors naming the file; no single
// allocation above max(64 KiB, k x input size), k = 1 for a raw file (its data is part of the
// file) and 1032 for gzip (deflate's largest expansion); an accepted file has 1 to 4 positive
// sizes whose product is the data size (for a raw file, exactly the bytes after the header).
#include <cstdint>
#include <string_view>

#include "ember/data/idx.h"
#include "support.h"

namespace {
const std::string kName = "fuzz-input-idx3-ubyte";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  ember::fuzz::AllocationBound bound(size, ember::fuzz::bound_for(size, gzip ? 1032 : 1));
  ember::fuzz::expect_only_ember_errors(kName, [&] {
    const ember::data::IdxArray a = ember::data::parse_idx(bytes, kName);
    if (a.dims.empty() || a.dims.size() > 4) ember::fuzz::report("accepted a rank outside 1..4");
    uint64_t count = 1;
    for (int64_t d : a.dims) {
      if (d <= 0) ember::fuzz::report("accepted a size <= 0");
      count *= static_cast<uint64_t>(d);
    }
    if (count != a.data.size()) ember::fuzz::report("the data size is not the product of the sizes");
    if (!gzip && 4 + 4 * a.dims.size() + count != size) ember::fuzz::report("a raw file's size is not header + data");
    ember::fuzz::count(gzip ? "accepted gzip" : "accepted raw");
  });
  return 0;
}
