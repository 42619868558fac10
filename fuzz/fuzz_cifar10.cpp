// Fuzzes the CIFAR-10 binary batch reader on bytes in memory.
// Checks, beyond no crash and no sanitizer report: only ember::Errors naming the file; no single
// allocation above max(64 KiB, input size) (the pixels are part of the file); an accepted batch
// is a whole number of 3073-byte records, each label 0..9, 3072 pixel bytes per image.
#include <cstdint>
#include <string_view>

#include "ember/data/cifar10.h"
#include "support.h"

namespace {
const std::string kName = "fuzz-input/data_batch_1.bin";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ember::fuzz::AllocationBound bound(size, ember::fuzz::bound_for(size, 1));
  ember::fuzz::expect_only_ember_errors(kName, [&] {
    const ember::data::ImageData batch = ember::data::parse_cifar10_batch(bytes, kName);
    const auto count = static_cast<size_t>(batch.count);
    if (batch.count <= 0 || count * 3073 != size) ember::fuzz::report("the record count does not match the size");
    if (batch.labels.size() != count || batch.pixels.size() != count * 3072) {
      ember::fuzz::report("labels or pixels do not match the record count");
    }
    for (int64_t label : batch.labels) {
      if (label < 0 || label >= 10) ember::fuzz::report("accepted a label outside 0..9");
    }
    ember::fuzz::count("accepted");
  });
  return 0;
}
