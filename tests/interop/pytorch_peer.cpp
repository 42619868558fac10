// ember's side of tests/interop/check_pytorch.py, which runs it on files PyTorch wrote and reads
// back what it writes:
//   pytorch_peer logits MODEL WEIGHTS INPUT OUT   eval logits of x (from INPUT) -> OUT {"logits"}
//   pytorch_peer train MODEL WEIGHTS INPUT OUT    interop::kSteps SGD steps on INPUT's (x, targets),
//                                                 dropout on (seed 1), then the weights -> OUT (nn::save)
// WEIGHTS is a weights file or an ember checkpoint. Exit code 1 and the error on stderr on failure.
#include <fmt/format.h>

#include <string>

#include "interop/interop_support.h"

using namespace ember;

int main(int argc, char** argv) {
  if (argc != 6) {
    fmt::print(stderr, "usage: {} logits|train MODEL WEIGHTS INPUT OUT\n", argv[0]);
    return 2;
  }
  const std::string command = argv[1], name = argv[2], weights = argv[3], input = argv[4], out = argv[5];
  try {
    const nn::StateDict io = nn::load(input);
    manual_seed(1);
    auto model = interop::zoo_model(name, io.at("x"));
    train::load_weights(*model, weights);
    if (command == "logits") {
      nn::StateDict result;
      result.insert("logits", interop::eval_logits(*model, io.at("x")));
      nn::save(result, out);
    } else if (command == "train") {
      interop::sgd_steps(*model, io.at("x"), io.at("targets"));
      nn::save(*model, out);
    } else {
      fmt::print(stderr, "unknown command '{}' (logits or train)\n", command);
      return 2;
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "pytorch_peer: {}\n", e.what());
    return 1;
  }
  return 0;
}
