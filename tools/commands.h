#pragma once
// The subcommands of the `ember` program. Each add_* registers its options on the app and returns
// the function that runs it after parsing.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace ember::tool {

using Command = std::function<int()>;

Command add_train(CLI::App& app);     // ember train --model ... --data ...
Command add_resume(CLI::App& app);    // ember resume runs/lenet5
Command add_eval(CLI::App& app);      // ember eval --checkpoint ... [--checkpoint ...]
Command add_summary(CLI::App& app);   // ember summary --model alexnet
Command add_models(CLI::App& app);    // ember models
Command add_viz(CLI::App& app);       // ember viz filters --checkpoint ... -o filters.png
Command add_export_weights(CLI::App& app);  // ember export-weights --checkpoint ... -o weights.safetensors
Command add_compare(CLI::App& app);   // ember compare runs/a runs/b [-o compare.html]
#if EMBER_WITH_ONNX
Command add_export(CLI::App& app);    // ember export --checkpoint ... -o model.onnx
#endif

// The command line `ember` was started with, each word shell-quoted (main() sets it; train and
// resume put it in the report's header).
void set_command_line(int argc, const char* const* argv);
const std::string& command_line();

}  // namespace ember::tool
