// ember compare RUN RUN...: one HTML page comparing training runs (curves, final and best metrics,
// the config keys that differ), written atomically beside the first run or to -o.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "commands.h"
#include "ember/core/file.h"
#include "ember/train/compare.h"

namespace ember::tool {

namespace {

// RUN1/../compare.html: the folder that holds the first run (runs/a -> runs/compare.html).
std::string default_output(const std::string& first_run) {
  std::filesystem::path run = std::filesystem::path(first_run).lexically_normal();
  if (run.filename().empty()) run = run.parent_path();  // "runs/a/"
  const std::filesystem::path parent = (run / "..").lexically_normal();
  return (parent / "compare.html").lexically_normal().string();
}

}  // namespace

Command add_compare(CLI::App& app) {
  auto* cmd = app.add_subcommand("compare",
                                 "Compare training runs on one HTML page: per-step and per-epoch curves (one color "
                                 "per run), final and best metrics, and the config keys that differ");
  auto runs = std::make_shared<std::vector<std::string>>();
  auto output = std::make_shared<std::string>();
  cmd->add_option("runs", *runs, "Run folders written by `ember train --out`")->required();
  cmd->add_option("-o,--output", *output, "The page to write (default: compare.html in the first run's parent folder)");
  return [=]() {
    const std::vector<train::RunRecord> records = train::read_runs(*runs);
    const std::string path = output->empty() ? default_output(runs->front()) : *output;
    write_file_atomically(path, train::compare_html(records));
    fmt::print("compared {} run{}: {}\n", records.size(), records.size() == 1 ? "" : "s", path);
    return 0;
  };
}

}  // namespace ember::tool
