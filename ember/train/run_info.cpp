#include "ember/train/run_info.h"

#include <fmt/format.h>

#include <ctime>
#include <fstream>

#include "ember/core/parallel.h"
#include "ember/kernels/isa/isa.h"
#include "ember/version.h"

namespace ember::train {

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    const size_t start = line.find_first_not_of(" \t", colon + 1);
    if (start != std::string::npos) return line.substr(start);
  }
  return "unknown";
}

std::string utc_date_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

RunInfo this_run_info(const std::string& date, const std::string& command_line) {
  RunInfo info;
  info.version = ember::version();
  info.git_commit = ember::git_commit();
  info.cpu = cpu_model_name();
  info.isa = kernels::isa_name(kernels::active_isa());
  info.threads = get_num_threads();
  info.date = date;
  info.command_line = command_line;
  return info;
}

}  // namespace ember::train
