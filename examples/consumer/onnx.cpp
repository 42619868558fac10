// Builds against the installed ember::onnx: exports a tiny model to an ONNX file (the path given,
// or one in the temporary directory) and checks the file was written.
#include <ember/ember.h>
#include <ember/onnx/export.h>

#include <filesystem>
#include <string>

int main(int argc, char** argv) {
  using namespace ember;
  namespace fs = std::filesystem;
  const fs::path path = argc > 1 ? fs::path(argv[1]) : fs::temp_directory_path() / "ember_consumer.onnx";
  manual_seed(0);
  auto model = nn::sequential({std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::ReLU>(),
                               std::make_shared<nn::Linear>(8, 3)});
  onnx::export_model(*model, {1, 4}, path.string());
  const auto size = fs::exists(path) ? fs::file_size(path) : 0;
  const bool ok = size > 0;
  fmt::print("consumer_onnx: wrote {} ({} bytes) -> {}\n", path.string(), size, ok ? "ok" : "WRONG");
  if (argc <= 1) fs::remove(path);
  return ok ? 0 : 1;
}
