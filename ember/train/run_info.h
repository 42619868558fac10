#pragma once
// What the report's header says about the run's software and machine (report.h's RunInfo).
#include <string>

#include "ember/train/report.h"

namespace ember::train {

// This process: ember::version(), the build's git commit (ember::git_commit()), the CPU's model
// name from /proc/cpuinfo ("unknown" where there is none), the kernels' vector variant
// (kernels::active_isa()), the thread count, and the given date and command line.
RunInfo this_run_info(const std::string& date, const std::string& command_line);

// The current time in UTC, "2026-12-03 17:09:51 UTC".
std::string utc_date_now();

// The "model name" of /proc/cpuinfo's first processor, or "unknown".
std::string cpu_model_name();

}  // namespace ember::train
