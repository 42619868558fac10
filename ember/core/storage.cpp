#include "ember/core/storage.h"

#include <cstdlib>
#include <new>

#include "ember/core/error.h"

namespace ember {

Storage::Storage(size_t nbytes) : nbytes_(nbytes) {
  if (nbytes == 0) return;
  // aligned_alloc needs the size to be a multiple of the alignment.
  const size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  data_ = std::aligned_alloc(kAlignment, rounded);
  EMBER_CHECK(data_ != nullptr, "storage: could not allocate {} bytes", nbytes);
}

Storage::~Storage() { std::free(data_); }

}  // namespace ember
