// Training progress: the live line and the epoch summary fitted to a width (never wider than
// width - 1, fields dropped in kProgressDropOrder), and the printer in a real pseudo-terminal
// (width read at every draw, the evaluating phase, redraws in place) and in a log.
#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "ember/train/progress.h"
#include "support/helpers.h"

using namespace ember;
using namespace ember::train;

namespace {

using ember::test::contains;

// Batch 450 of 938 after 5.4 s: 12 ms a step, 5.856 s to go.
ProgressLine sample_line() {
  ProgressLine line;
  line.phase = "epoch 2/5";
  line.done = 450;
  line.total = 938;
  line.elapsed = 5.4;
  line.loss = 0.12345;
  line.accuracy = 0.96123;
  line.images_per_second = 5123.4;
  return line;
}

// Whether each field of kProgressDropOrder is on the sample's line.
std::vector<bool> fields_shown(const std::string& text) {
  return {contains(text, "img/s"), contains(text, "["),    contains(text, "0:05"),  contains(text, "ms/step"),
          contains(text, "acc "),  contains(text, " 47%"), contains(text, "loss "), contains(text, "0:06")};
}

EpochRecord sample_record() {  // the README's last epoch
  EpochRecord r;
  r.epoch = 3;
  r.train_loss = 0.0571;
  r.train_accuracy = 0.982;
  r.test_loss = 0.0451;
  r.test_accuracy = 0.9859;
  r.test_topk_accuracy = 1.0;
  r.topk = 5;
  r.lr = 0.01;
  r.seconds = 4.9;
  r.images_per_second = 12218;
  return r;
}

}  // namespace

TEST_CASE("format_duration and format_step_time") {
  CHECK(format_duration(65) == "1:05");
  CHECK(format_duration(3723) == "1:02:03");
  CHECK(format_duration(-1) == "?");
  CHECK(format_step_time(0.012) == "12ms/step");
  CHECK(format_step_time(0.0034) == "3.4ms/step");
  CHECK(format_step_time(1.23) == "1.2s/step");
}

TEST_CASE("the progress line at 160, 80, 72, 60 and 40 columns") {
  const ProgressLine line = sample_line();
  CHECK(format_progress_line(line, 160) ==
        "epoch 2/5  [##############................]  450/938  47%  0:05 ETA 0:06  12ms/step  loss 0.1235  "
        "acc 96.12%  5123 img/s");
  CHECK(format_progress_line(line, 80) ==
        "epoch 2/5 [######........] 450/938 47% 0:05<0:06 12ms/step loss 0.123 acc 96.1%");
  CHECK(format_progress_line(line, 72) == "epoch 2/5 450/938 47% 0:05<0:06 12ms/step loss 0.123 acc 96.1%");
  CHECK(format_progress_line(line, 60) == "epoch 2/5 450/938 47% ETA 0:06 loss 0.123 acc 96.1%");
  CHECK(format_progress_line(line, 40) == "epoch 2/5 450/938 ETA 0:06 loss 0.123");
}

TEST_CASE("the progress line is never wider than width - 1 and drops fields in kProgressDropOrder") {
  const ProgressLine line = sample_line();
  REQUIRE(kProgressDropOrder.size() == fields_shown("").size());
  std::vector<int> gone_at(kProgressDropOrder.size(), 0);  // the widest width without the field
  std::vector<bool> before(kProgressDropOrder.size(), true);
  for (int width = 200; width >= 2; --width) {
    const std::string text = format_progress_line(line, width);
    INFO("width " << width << ": " << text);
    CHECK(static_cast<int>(text.size()) <= width - 1);
    CHECK(text.find('\n') == std::string::npos);
    const std::vector<bool> shown = fields_shown(text);
    for (size_t f = 0; f < shown.size(); ++f) {
      CHECK_MESSAGE(!(shown[f] && !before[f]), kProgressDropOrder[f] << " came back after it was dropped");
      if (!shown[f] && gone_at[f] == 0) gone_at[f] = width;
    }
    before = shown;
    if (width >= 18) CHECK(text.rfind("epoch 2/5", 0) == 0);  // phase and count stay
    if (width >= 18) CHECK(contains(text, " 450/938"));
  }
  for (size_t f = 1; f < gone_at.size(); ++f) {
    INFO(kProgressDropOrder[f - 1] << " dropped below width " << gone_at[f - 1] << ", " << kProgressDropOrder[f]
                                   << " below " << gone_at[f]);
    CHECK(gone_at[f - 1] > gone_at[f]);
  }
  CHECK(gone_at[0] < 160);  // 160 columns show everything
  CHECK(format_progress_line(line, 1) == "e");  // the narrowest: the phase cut
}

TEST_CASE("the evaluating line, a line without a bar, and unknown fields") {
  ProgressLine eval;
  eval.phase = "epoch 1/3 evaluating";
  eval.done = 0;
  eval.total = 32;
  eval.elapsed = 0;
  // Nothing done yet: no time per step, no ETA; no loss, accuracy or images/s while evaluating.
  CHECK(format_progress_line(eval, 80) == "epoch 1/3 evaluating  [..............................]  0/32  0%  0:00");
  eval.done = 8;
  eval.elapsed = 0.4;
  CHECK(format_progress_line(eval, 80) ==
        "epoch 1/3 evaluating  [####..............]  8/32  25%  0:00 ETA 0:01  50ms/step");
  ProgressLine log = sample_line();
  log.bar = false;
  CHECK(format_progress_line(log, 1000) ==
        "epoch 2/5  batch 450/938  47%  0:05 ETA 0:06  12ms/step  loss 0.1235  acc 96.12%  5123 img/s");
}

TEST_CASE("the epoch summary fits the width, dropping top-k, images/s, seconds, lr, then train") {
  const EpochRecord r = sample_record();
  const std::string full =
      "epoch 3/3  train loss 0.0571 acc 98.20%  test loss 0.0451 acc 98.59%  top-5 100.00%  lr 0.01  4.9 s  12218 img/s";
  CHECK(format_epoch_summary(r, 3, 160) == full);
  CHECK(format_epoch_summary(r, 3, static_cast<int>(full.size()) + 1) == full);
  CHECK(format_epoch_summary(r, 3, static_cast<int>(full.size())) ==
        "epoch 3/3  train loss 0.0571 acc 98.20%  test loss 0.0451 acc 98.59%  lr 0.01  4.9 s  12218 img/s");
  CHECK(format_epoch_summary(r, 3, 90) ==
        "epoch 3/3  train loss 0.0571 acc 98.20%  test loss 0.0451 acc 98.59%  lr 0.01  4.9 s");
  CHECK(format_epoch_summary(r, 3, 80) == "epoch 3/3  train loss 0.0571 acc 98.20%  test loss 0.0451 acc 98.59%  lr 0.01");
  CHECK(format_epoch_summary(r, 3, 72) == "epoch 3/3  train loss 0.0571 acc 98.20%  test loss 0.0451 acc 98.59%");
  CHECK(format_epoch_summary(r, 3, 60) == "epoch 3/3  test loss 0.0451 acc 98.59%");
  CHECK(format_epoch_summary(r, 3, 20) == "epoch 3/3  test los");  // cut
  EpochRecord no_test = r;
  no_test.test_loss = no_test.test_accuracy = no_test.test_topk_accuracy = ProgressLine::kNone;
  CHECK(format_epoch_summary(no_test, 3, 160) == "epoch 3/3  train loss 0.0571 acc 98.20%  no test set  lr 0.01  4.9 s  12218 img/s");
  CHECK(format_epoch_summary(no_test, 3, 60) == "epoch 3/3  train loss 0.0571 acc 98.20%  lr 0.01  4.9 s");
  for (int width = 2; width <= 200; ++width) CHECK(static_cast<int>(format_epoch_summary(r, 3, width).size()) <= width - 1);
}

namespace {

// A pseudo-terminal of `columns`: the printer writes to its terminal side; read() returns what the
// terminal was sent.
struct Pty {
  int master = -1, slave = -1;
  std::FILE* out = nullptr;
  explicit Pty(int columns) {
    winsize size{};
    size.ws_col = static_cast<unsigned short>(columns);
    size.ws_row = 24;
    REQUIRE(::openpty(&master, &slave, nullptr, nullptr, &size) == 0);
    REQUIRE(::fcntl(master, F_SETFL, O_NONBLOCK) == 0);
    out = ::fdopen(slave, "w");
    REQUIRE(out);
  }
  ~Pty() {
    std::fclose(out);
    ::close(master);
  }
  void resize(int columns) const {
    winsize size{};
    size.ws_col = static_cast<unsigned short>(columns);
    size.ws_row = 24;
    REQUIRE(::ioctl(master, TIOCSWINSZ, &size) == 0);
  }
  std::string read() const {
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = ::read(master, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<size_t>(n));
    return text;
  }
};

// The text of the last redraw ("\r\033[K" then the line).
std::string last_draw(const std::string& sent) {
  const size_t at = sent.rfind("\r\033[K");
  REQUIRE(at != std::string::npos);
  return sent.substr(at + 4);
}

}  // namespace

TEST_CASE("on a terminal the line is redrawn in place at the terminal's current width") {
  Pty pty(60);
  ProgressPrinter printer(Progress::automatic, pty.out);  // a terminal: the live bar
  printer.start_epoch(1, 2, 10);
  printer.update(10, 0.5, 0.9, 1000);  // the last batch is always drawn
  std::string line = last_draw(pty.read());
  INFO(line);
  CHECK(line.rfind("epoch 1/2 10/10 100% ", 0) == 0);  // no room for a bar
  CHECK(line.size() <= 59);
  CHECK_FALSE(contains(line, "img/s"));

  pty.resize(160);  // read again at the next draw
  printer.start_epoch(2, 2, 10);
  printer.update(10, 0.5, 0.9, 1000);
  line = last_draw(pty.read());
  CHECK(line.rfind("epoch 2/2  [##############################]  10/10  100%", 0) == 0);
  CHECK(contains(line, "loss 0.5000  acc 90.00%  1000 img/s"));

  printer.evaluating(0, 4);  // the evaluation replaces the training line at once
  line = last_draw(pty.read());
  CHECK(line.rfind("epoch 2/2 evaluating  [", 0) == 0);
  CHECK(contains(line, "  0/4  0%"));
  printer.evaluating(4, 4);
  CHECK(contains(last_draw(pty.read()), "  4/4  100%"));

  pty.resize(72);
  printer.end_epoch(sample_record(), 2);
  const std::string sent = pty.read();
  CHECK(sent.rfind("\r\033[K", 0) == 0);  // the live line cleared, then the summary on its own line
  CHECK(sent.substr(4) == "epoch 3/2  train loss 0.0571 acc 98.20%  test loss 0.0451 acc 98.59%\r\n");
}

TEST_CASE("in a log: plain lines every tenth of the epoch with every field, the summary whole at any $COLUMNS") {
  std::FILE* log = std::tmpfile();
  REQUIRE(log);
  ProgressPrinter printer(Progress::automatic, log);  // not a terminal: lines
  printer.start_epoch(1, 1, 20);
  for (int64_t done = 1; done <= 20; ++done) printer.evaluating(done, 20), printer.update(done, 0.25, 0.5, 100);
  ::unsetenv("COLUMNS");
  printer.end_epoch(sample_record(), 1);
  ::setenv("COLUMNS", "200", 1);
  printer.end_epoch(sample_record(), 1);
  ::unsetenv("COLUMNS");
  std::rewind(log);
  std::vector<std::string> lines;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, log)) lines.emplace_back(buffer);
  std::fclose(log);
  REQUIRE(lines.size() == 11);  // batches 2, 4, ..., 18 and two summaries; no evaluating lines
  CHECK(lines[0].rfind("epoch 1/1  batch 2/20  10%  0:00 ETA 0:00  ", 0) == 0);
  CHECK(contains(lines[0], "ms/step  loss 0.2500  acc 50.00%  100 img/s\n"));
  CHECK(lines[8].rfind("epoch 1/1  batch 18/20  90%  ", 0) == 0);
  // A log is not a terminal: nothing wraps there, so the summary keeps every field.
  CHECK(lines[9] == lines[10]);
  CHECK(lines[10] ==
        "epoch 3/1  train loss 0.0571 acc 98.20%  test loss 0.0451 acc 98.59%  top-5 100.00%  lr 0.01  4.9 s  12218 img/s\n");
}
