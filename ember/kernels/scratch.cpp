#include "ember/kernels/scratch.h"

#include <cstddef>
#include <vector>

namespace ember::kernels {

float* thread_scratch(int64_t floats, int slot) {
  thread_local std::vector<float> buffers[2];
  std::vector<float>& buffer = buffers[slot];
  if (static_cast<int64_t>(buffer.size()) < floats) buffer.resize(static_cast<size_t>(floats));
  return buffer.data();
}

}  // namespace ember::kernels
