#pragma once
// TensorBoard event files, written without TensorFlow or protobuf: `tensorboard --logdir runs/`
// shows the scalars of every run under runs/ (TrainerOptions::tensorboard writes RUN/tb/).
//
// An event file is a sequence of TFRecords, each holding one serialized tensorflow.Event:
//   record:  uint64 length (little-endian), uint32 masked CRC-32C of those 8 bytes,
//            the data, uint32 masked CRC-32C of the data
//   Event:   wall_time double = 1, step int64 = 2, and one of file_version string = 3
//            ("brain.Event:2", the first event of every file), summary Summary = 5,
//            session_log SessionLog = 7 (status enum = 1, START = 1)
//   Summary: repeated Value value = 1;  Value: tag string = 1, simple_value float = 2
// The messages are encoded here by hand in protobuf's wire format, as proto3 serializes them:
// fields in number order, plain fields at their default (step 0) left out, oneof members
// (file_version, summary, session_log, simple_value) always written.
//
//   tensorboard::EventWriter tb("runs/my-run/tb");
//   tb.add_scalars(step, {{"train/loss", 0.31f}, {"lr", 0.01f}});
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember::train::tensorboard {

// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, the CRC of iSCSI and SSE4.2's crc32
// instruction); crc32c("123456789") == 0xE3069283.
uint32_t crc32c(std::string_view bytes);
// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8, so that the CRC of data that
// itself holds CRCs is not degenerate.
uint32_t mask_crc(uint32_t crc);
// One TFRecord holding `data`.
std::string record(std::string_view data);

struct Scalar {
  std::string tag;  // "train/loss"; TensorBoard groups the charts by the part before the first '/'
  float value = 0;
};

// Serialized Event messages (without the record framing).
std::string file_version_event(double wall_time);
std::string scalars_event(double wall_time, int64_t step, const std::vector<Scalar>& scalars);
// A SessionLog START at `step`. TensorBoard takes a run's first START as its beginning and each
// later one as a restart: it drops the events already read at `step` or after, so a run resumed
// from a checkpoint shows no steps that a crash left past it.
std::string session_start_event(double wall_time, int64_t step);

// "events.out.tfevents.<unix seconds>.<host>.<pid>", the name TensorBoard looks for ("tfevents").
std::string event_file_name(int64_t unix_seconds, std::string_view host, long pid);
// Removes the event files in `folder` (those of a run that is being replaced); none, or no
// folder, is fine.
void remove_event_files(const std::string& folder);

// Appends events to a new file in `folder` (created with its parents), opened with the
// file_version event. Its name sorts after the folder's other event files (TensorBoard reads them
// in name order): the clock's second, or one past the newest file's if that is not later. An event file is an append-only log, not a file replaced atomically: a
// record torn by a crash is the last one, and TensorBoard stops reading at it. Events are buffered
// and written out at least every `flush_seconds` (TensorBoard rereads a growing file every few
// seconds), on flush() and when the writer is destroyed. ember::Error naming the file if it cannot
// be created or written.
class EventWriter {
 public:
  explicit EventWriter(const std::string& folder, double flush_seconds = 1.0);
  ~EventWriter();
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  void add_scalars(int64_t step, const std::vector<Scalar>& scalars);
  void add_session_start(int64_t step);
  void flush();
  const std::string& path() const { return path_; }

 private:
  void add(const std::string& event);

  std::string path_, buffer_;
  int fd_ = -1;
  double flush_seconds_;
  std::chrono::steady_clock::time_point last_flush_;
};

}  // namespace ember::train::tensorboard
