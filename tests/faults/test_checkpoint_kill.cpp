// SIGKILL at random points while checkpoints are being written, many times over: afterwards the
// file always loads, whole, and holds either the last version whose save had returned or the one
// being written when the kill came, never a mix; a killed writer's temporary file is removed by
// the next writer. Rounds: EMBER_KILL_ROUNDS (default 200; docs/RELIABILITY.md has a longer run).
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "support/helpers.h"

extern char** environ;

using namespace ember;
namespace fs = std::filesystem;

namespace {

struct Writer {
  pid_t pid = -1;
  int out = -1;  // read end of the writer's stdout
  std::string received;
};

Writer spawn_writer(const std::string& path, long first_version) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  const std::string version = std::to_string(first_version);
  char* argv[] = {const_cast<char*>(EMBER_CHECKPOINT_WRITER), const_cast<char*>(path.c_str()),
                  const_cast<char*>(version.c_str()), nullptr};
  Writer w;
  REQUIRE(posix_spawn(&w.pid, EMBER_CHECKPOINT_WRITER, &actions, nullptr, argv, environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  w.out = fds[0];
  return w;
}

// Reads the writer's stdout until `marker` has arrived (or, with an empty marker, until EOF).
void read_until(Writer& w, const std::string& marker) {
  char buffer[4096];
  while (marker.empty() || w.received.find(marker) == std::string::npos) {
    const ssize_t n = ::read(w.out, buffer, sizeof(buffer));
    if (n <= 0) break;
    w.received.append(buffer, static_cast<size_t>(n));
  }
}

// The highest version the writer reported as saved, or 0.
long last_acknowledged(const std::string& received) {
  long last = 0;
  size_t start = received.find("ready\n");
  if (start == std::string::npos) return 0;
  start += 6;
  for (size_t end; (end = received.find('\n', start)) != std::string::npos; start = end + 1) {
    last = std::stol(received.substr(start, end - start));
  }
  return last;
}

int temporaries_of(const fs::path& file) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(file.parent_path())) {
    if (entry.path().filename().string().rfind(file.filename().string() + ".tmp.", 0) == 0) ++n;
  }
  return n;
}

// Loads `file` and checks that every tensor holds the version its metadata names; returns it.
long check_whole(const fs::path& file) {
  const nn::StateDict state = nn::load(file.string());
  const long version = std::stol(state.metadata.at("version"));
  for (const auto& [name, tensor] : state) {
    INFO(name);
    if (tensor.dtype() == DType::f32) {
      const float* p = tensor.data<float>();
      for (int64_t i = 0; i < tensor.numel(); ++i) {
        if (p[i] != static_cast<float>(version)) FAIL_CHECK("element " << i << " is " << p[i] << ", not " << version);
        if (p[i] != static_cast<float>(version)) break;
      }
    } else {
      CHECK(tensor.data<int64_t>()[0] == version);
    }
  }
  return version;
}

}  // namespace

TEST_CASE("SIGKILL during checkpoint writes never leaves a torn or missing checkpoint") {
  const char* rounds_env = std::getenv("EMBER_KILL_ROUNDS");
  const int rounds = rounds_env ? std::atoi(rounds_env) : 200;
  test::TempDir dir;
  const fs::path file = dir.path / "last.safetensors";
  std::mt19937 random(20261122);
  // Saves take a few milliseconds; kill points spread over several of them.
  std::uniform_int_distribution<int> delay_us(0, 25000);

  long acknowledged = 0;  // the newest version a writer reported saved, over all rounds
  int newer_than_acknowledged = 0, previous_kept = 0, temporaries_left = 0;
  for (int round = 0; round < rounds; ++round) {
    Writer w = spawn_writer(file.string(), acknowledged + 1);
    read_until(w, "ready\n");
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    REQUIRE(::kill(w.pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(w.pid, &status, 0) == w.pid);
    REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
    read_until(w, "");
    ::close(w.out);
    acknowledged = std::max(acknowledged, last_acknowledged(w.received));

    INFO("round " << round << ", acknowledged version " << acknowledged);
    if (!fs::exists(file)) {
      CHECK(acknowledged == 0);  // absent only if no save ever completed
      continue;
    }
    const long version = check_whole(file);
    // Either the last acknowledged save, or the one in flight completed its rename before the kill.
    CHECK((version == acknowledged || version == acknowledged + 1));
    if (version == acknowledged + 1) ++newer_than_acknowledged;
    if (version == acknowledged) ++previous_kept;
    acknowledged = version;
    const int temporaries = temporaries_of(file);
    CHECK(temporaries <= 1);  // this kill's, if it came mid-write; older ones were cleaned up
    temporaries_left += temporaries;
  }
  fmt::print("checkpoint kill test: {} SIGKILLs; {} left a partial temporary (killed mid-write), file held the last "
             "acknowledged version {} times and the in-flight one {} times; final version {}\n",
             rounds, temporaries_left, previous_kept, newer_than_acknowledged, acknowledged);
  CHECK(acknowledged > 0);
  CHECK(temporaries_left > rounds / 4);  // the kills did land inside writes

  // The next save cleans up after the killed one.
  nn::StateDict small;
  small.insert("x", zeros({1}));
  nn::save(small, file.string());
  CHECK(temporaries_of(file) == 0);
}
