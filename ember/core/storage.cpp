#include "ember/core/storage.h"

#include "ember/core/allocator.h"

namespace ember {

Storage::Storage(size_t nbytes) : nbytes_(nbytes) {
  if (nbytes > 0) data_ = allocator_detail::allocate(nbytes);
}

Storage::~Storage() {
  if (data_) allocator_detail::deallocate(data_, nbytes_);
}

}  // namespace ember
