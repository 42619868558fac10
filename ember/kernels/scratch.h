#pragma once
// Per-thread scratch memory for kernels (column matrices, transformed tiles): grown on demand,
// reused across calls and training steps, so a steady-state step allocates nothing for it.
//
// Only for code that does not start nested parallel work while holding the buffer: TBB may run
// another task on this thread while it waits, and that task would get the same buffer.
#include <cstdint>

namespace ember::kernels {

// Slot 0 is for the innermost per-task buffers; a function that holds a buffer while it runs
// parallel kernels that use slot 0 (on this thread too) takes slot 1.
float* thread_scratch(int64_t floats, int slot = 0);

}  // namespace ember::kernels
