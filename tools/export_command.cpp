// ember export: a trained model as an ONNX file (opset 13), for ONNX Runtime, OpenCV's DNN module
// and other runtimes. Built only with EMBER_ONNX (libonnx-dev).
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "commands.h"
#include "flags.h"
#include "ember/core/error.h"
#include "ember/models/registry.h"
#include "ember/nn/serialize.h"
#include "ember/onnx/export.h"
#include "ember/train/checkpoint.h"
#include "ember/train/experiment.h"

namespace ember::tool {

namespace {

// The image shape ember's datasets give models (the data files need not be present).
Shape dataset_image_shape(const std::string& data) { return data == "cifar10" ? Shape{3, 32, 32} : Shape{1, 28, 28}; }

std::string describe_input(const train::ExperimentConfig& c) {
  std::string text = "pixels scaled to [0, 1]";
  if (c.normalize) {
    std::vector<float> mean, std;
    train::dataset_statistics(c.data, mean, std);
    text += fmt::format(", then (x - mean) / std per channel with mean {} and std {}", fmt::join(mean, ", "),
                        fmt::join(std, ", "));
  }
  return text;
}

}  // namespace

Command add_export(CLI::App& app) {
  auto* cmd = app.add_subcommand("export", "Export a checkpoint's model as an ONNX file (opset 13) for other runtimes "
                                           "(ONNX Runtime, OpenCV's DNN module, ...)");
  auto checkpoint = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>("model.onnx");
  auto model = std::make_shared<std::string>();
  auto data = std::make_shared<std::string>();
  auto batch = std::make_shared<int64_t>(1);
  auto fixed_batch = std::make_shared<bool>(false);
  auto input_size = std::make_shared<int64_t>(0);
  auto classes = std::make_shared<int64_t>(0);
  cmd->add_option("--checkpoint,-c", *checkpoint,
                  "Checkpoint written by `ember train`, or a weights file (`ember export-weights`, nn::save)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", *output, "ONNX file to write")->capture_default_str();
  cmd->add_option("--model", *model, "Model of a weights file (default: the one its metadata names; a checkpoint "
                                     "names its own)")
      ->transform(one_of(models::model_name_list()));
  cmd->add_option("--data", *data, "Dataset the weights are for, which fixes the input shape (default: the "
                                   "checkpoint's; mnist for a weights file)")
      ->transform(one_of(train::choices::datasets));
  add_integer(cmd, "--input-size", *input_size, IntRange::at_least(1),
              "Input height = width (default: the checkpoint's data; for a weights file --data's, else the model's "
              "usual input, 227 for alexnet)");
  add_integer(cmd, "--classes", *classes, IntRange::at_least(1),
              "Classes of a weights file's model (default 10; alexnet 1000)");
  add_integer(cmd, "--batch", *batch, IntRange::at_least(1), "The batch dim written by --fixed-batch")
      ->default_str(std::to_string(*batch));
  cmd->add_flag("--fixed-batch", *fixed_batch, "Fix the batch dim to --batch (default: a symbolic 'batch' dim)");
  return [=]() {
    const nn::StateDict dict = nn::load(*checkpoint);
    train::ExperimentConfig config;
    if (train::is_checkpoint(dict)) {
      config = train::ExperimentConfig::from_json(train::checkpoint_config(*checkpoint));
      EMBER_CHECK(model->empty() || *model == config.model,
                  "export: {} is a checkpoint of model {}, not {} (--model is only for plain weights files)",
                  *checkpoint, config.model, *model);
    } else {
      // A weights file: `ember export-weights` and tools/ember_torch.py name the model in its metadata.
      auto named = dict.metadata.find("model");
      config.model = !model->empty() ? *model : named != dict.metadata.end() ? named->second : "";
      EMBER_CHECK(!config.model.empty(), "export: {} is a weights file that names no model in its metadata: say "
                                         "which model it holds with --model", *checkpoint);
      config.data = "mnist";
    }
    if (!data->empty()) config.data = *data;
    // A checkpoint's input is its data's; a weights file's that of --data if given, else the model's usual one.
    const bool weights_file = !train::is_checkpoint(dict);
    Shape image = weights_file && data->empty() ? models::usual_input(config.model) : dataset_image_shape(config.data);
    if (*input_size) image = {image[0], *input_size, *input_size};
    const int64_t num_classes =
        *classes ? *classes : weights_file && data->empty() ? models::usual_classes(config.model) : 10;
    auto net = train::build_model(config, image, num_classes);
    train::load_weights(*net, *checkpoint);
    // Traced with at most 2 images whatever the batch the file declares: a fixed batch of 100,000
    // costs no more memory than a symbolic one.
    const Shape trace_shape = {std::min<int64_t>(*batch, 2), image[0], image[1], image[2]};
    onnx::export_model(*net, trace_shape, *output,
                       onnx::ExportOptions().fixed_batch(*fixed_batch ? *batch : 0).graph_name(config.model));
    const bool data_known = !weights_file || !data->empty();
    fmt::print("wrote {}: {} for {}, ONNX opset {}\n", *output, config.model,
               data_known ? config.data : fmt::format("{}x{}x{} images", image[0], image[1], image[2]), onnx::kOpset);
    fmt::print("  input  'input'  float32 [{}, {}, {}, {}], {}\n", *fixed_batch ? std::to_string(*batch) : "batch",
               image[0], image[1], image[2],
               data_known ? describe_input(config) : "preprocessed as the weights were trained (--data names a dataset)");
    fmt::print("  output 'output' float32: the model's outputs (logits for a classifier)\n");
    return 0;
  };
}

}  // namespace ember::tool
