#pragma once
// How big a zoo model will be, known before it is built: the `ember` command refuses a model
// that cannot fit in memory with a message naming the flags that made it so, instead of failing
// in the allocator ("storage: could not allocate 2560000000000 bytes") or being killed by the
// kernel halfway through initializing it.
#include <cstdint>
#include <string>

#include "ember/models/registry.h"

namespace ember::models {

// The number of parameters make_model(name, config) would allocate, counted from the options
// alone (nothing is allocated): each model's layers, as its constructor builds them. A double, so
// that no size overflows; exact below 2^53 (tests/models/test_model_size.cpp compares it with
// the built models). 0 for a name the zoo does not have.
double parameter_count_of(const std::string& name, const ModelConfig& config);

// This machine's physical memory in bytes (sysconf), the budget a model and its batches are
// checked against.
double physical_memory_bytes();
// "3.7 TiB", "23.4 GiB", "512 bytes": binary units, three significant digits.
std::string format_bytes(double bytes);

// ember::Error if `parameters` floats would not fit in this machine's memory, `who` naming what
// made them so: "--hidden 1000000000 makes the model's parameters 2.9 TiB (7.84e+11 floats), more
// than this machine's 23.4 GiB of memory".
void check_parameter_memory(double parameters, const std::string& who);
// ember::Error if `bytes` of `what` ("one image's activations") and `other_bytes` already needed
// (the parameters) would not fit in this machine's memory: "WHO makes WHAT about 1.2 PiB DETAIL,
// more than this machine's 23.4 GiB of memory".
void check_activation_memory(double bytes, double other_bytes, const std::string& who, const std::string& what,
                             const std::string& detail = "");

}  // namespace ember::models
