// The victim of tests/faults/test_checkpoint_kill.cpp: saves checkpoints to one path, version after
// version, as fast as it can, until it is killed. Every tensor of version v holds the value v and
// the metadata says "version": "v", so a reader can tell a complete file from a torn one.
// After each save returns, it writes "v\n" to stdout (unbuffered): versions the parent has read
// were committed before the kill.
//   checkpoint_writer <path> <first version>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "ember/core/error.h"
#include "ember/nn/serialize.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: checkpoint_writer <path> <first version>\n");
    return 2;
  }
  const std::string path = argv[1];
  long version = std::strtol(argv[2], nullptr, 10);
  // About 3 MiB: a LeNet-sized model with optimizer state, big enough that most kill points land
  // inside the write, small enough for hundreds of rounds.
  ember::nn::StateDict state;
  for (int i = 0; i < 6; ++i) state.insert("model.layer" + std::to_string(i) + ".weight", ember::zeros({128, 1024}));
  state.insert("optimizer.step", ember::zeros({1}, ember::DType::i64));
  const char ready[] = "ready\n";
  if (::write(STDOUT_FILENO, ready, sizeof(ready) - 1) < 0) return 3;
  try {
    for (;; ++version) {
      for (const auto& [name, tensor] : state) {
        if (tensor.dtype() == ember::DType::f32) tensor.fill_(static_cast<float>(version));
        else tensor.data<int64_t>()[0] = version;
      }
      state.metadata["version"] = std::to_string(version);
      ember::nn::save(state, path);
      const std::string line = std::to_string(version) + "\n";
      if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) return 3;
    }
  } catch (const ember::Error& e) {
    std::fprintf(stderr, "checkpoint_writer: %s\n", e.what());
    return 1;
  }
}
