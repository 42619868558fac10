#pragma once
// What every ember fuzz target checks besides "no crash, no sanitizer report":
//
// 1. No single allocation during a parse is larger than a bound derived from the input's size,
//    so a small hostile file cannot make a reader allocate what its header merely declares. The
//    check is a sanitizer malloc hook: it sees operator new, malloc and calloc alike (zlib's own
//    buffers included). A violation prints the sizes and a stack and aborts, which libFuzzer
//    reports as a crash and saves the input.
// 2. ember::Error is the readers' documented answer to bad input, so it is caught; its message
//    must name the file (the `name` the target passes). Any other exception escaping a reader is
//    a bug and aborts with its type and message.
//
// At exit each target prints the largest allocation it saw inside a parse and the input size it
// came with, and how many inputs reached each counted outcome (the figures docs/RELIABILITY.md
// quotes).
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>

#include "ember/core/error.h"

namespace ember::fuzz {

// The smallest bound: fixed-size buffers that do not grow with the input (zlib's 64 KiB input
// chunk, its window) must fit under it.
inline constexpr size_t kMinBound = size_t{64} << 10;

// max(kMinBound, per_byte * input_size).
size_t bound_for(size_t input_size, size_t per_byte);

// While alive, an allocation larger than `bound` aborts. Not nestable.
class AllocationBound {
 public:
  AllocationBound(size_t input_size, size_t bound);
  ~AllocationBound();
  AllocationBound(const AllocationBound&) = delete;
  AllocationBound& operator=(const AllocationBound&) = delete;
};

// Counts an outcome ("accepted"; a string literal), printed at exit with the number of inputs, to
// show how far into the readers the inputs get.
void count(const char* outcome);

// Prints the problem and aborts; libFuzzer then saves the input that caused it.
[[noreturn]] void report(const std::string& problem);

// Runs `parse`; an ember::Error whose message names `name` is fine, any other outcome of a
// throw aborts.
template <typename F>
void expect_only_ember_errors(std::string_view name, F&& parse) {
  try {
    parse();
  } catch (const Error& e) {
    const std::string_view message = e.what();
    if (message.find(name) == std::string_view::npos) {
      report("ember::Error without the file's name '" + std::string(name) + "': " + std::string(message));
    }
  } catch (const std::exception& e) {
    report(std::string("unexpected exception ") + typeid(e).name() + ": " + e.what());
  } catch (...) {
    report("unexpected exception of a type not derived from std::exception");
  }
}

}  // namespace ember::fuzz
