#!/usr/bin/python3
"""An independent reader of TensorBoard event files, Python's standard library only.

    read_tfevents.py dump FILE...          every event of the files, one line each
    read_tfevents.py check RUN --steps N   checks RUN/tb/ against the run (ctest train.tensorboard_run)

It parses the TFRecord framing (uint64 length, masked CRC-32C of the length, data, masked CRC-32C
of the data), verifies both CRCs of every record, and decodes the protobuf wire format of
tensorflow.Event by hand (wall_time = 1, step = 2, file_version = 3, summary = 5 with
Value{tag = 1, simple_value = 2}, session_log = 7 with status = 1). It shares no code with
ember's writer. `check` merges the files as TensorBoard does (in name order; the run's first
SessionLog START is its beginning, each later START at step S a restart that drops the events read
so far at steps >= S) and then requires:
  - the names to sort in the order the files were opened (their first event's wall time);
  - every file to open with file_version "brain.Event:2" and then a START at the step after the
    last one its run had done (1, or the checkpoint's + 1), and no other event to carry either;
  - the step events to be steps 1..N, once each, with train/loss, train/accuracy, lr and
    train/images_per_second;
  - one epoch event per row of RUN/metrics.csv, at that epoch's last step, whose scalars equal the
    row's numbers rounded to float32 (simple_value is a float), bit for bit;
  - each step's lr to be its epoch's, the steps' batch accuracies and losses to average to the
    epoch's (equal batches), wall times after 2020 and in order within a file.
When python3-protobuf is importable, every record is also parsed by protobuf itself (the same
fields declared through descriptor_pb2) and must give the same values and serialize back to the
same bytes; without it that extra check is reported skipped.
"""
import argparse
import csv
import math
import os
import struct
import sys


# ---- CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) ----
def _crc_table():
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return table


_TABLE = _crc_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


class BadFile(Exception):
    pass


def read_records(path):
    """The records' data, every CRC verified."""
    with open(path, "rb") as f:
        content = f.read()
    records, at = [], 0
    while at < len(content):
        if at + 12 > len(content):
            raise BadFile(f"{path}: a record header is cut short at byte {at}")
        header = content[at:at + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", content[at + 8:at + 12])
        if length_crc != masked(crc32c(header)):
            raise BadFile(f"{path}: the length CRC of the record at byte {at} is wrong")
        end = at + 12 + length
        if end + 4 > len(content):
            raise BadFile(f"{path}: the record at byte {at} ({length} bytes) is cut short")
        data = content[at + 12:end]
        (data_crc,) = struct.unpack("<I", content[end:end + 4])
        if data_crc != masked(crc32c(data)):
            raise BadFile(f"{path}: the data CRC of the record at byte {at} is wrong")
        records.append(data)
        at = end + 4
    return records


# ---- protobuf's wire format ----
def _varint(data, at):
    value, shift = 0, 0
    while True:
        if at >= len(data) or shift > 63:
            raise BadFile("a varint runs past its message")
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        shift += 7
        if not byte & 0x80:
            return value, at


def fields(data):
    """(field number, wire type, value) of a message: an int, or bytes for fixed and length-delimited."""
    out, at = [], 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 1:
            value, at = data[at:at + 8], at + 8
        elif wire == 5:
            value, at = data[at:at + 4], at + 4
        elif wire == 2:
            length, at = _varint(data, at)
            value, at = data[at:at + length], at + length
        else:
            raise BadFile(f"field {number} has wire type {wire}, which an Event does not use")
        if at > len(data):
            raise BadFile(f"field {number} runs past its message")
        out.append((number, wire, value))
    return out


def _expect(wire, expected, what):
    if wire != expected:
        raise BadFile(f"{what} has wire type {wire}, expected {expected}")


def decode_event(data):
    """An Event as a dict: wall_time, step, and file_version, scalars [(tag, value)] or session_status."""
    event = {"wall_time": 0.0, "step": 0}
    for number, wire, value in fields(data):
        if number == 1:
            _expect(wire, 1, "Event.wall_time")
            (event["wall_time"],) = struct.unpack("<d", value)
        elif number == 2:
            _expect(wire, 0, "Event.step")
            event["step"] = value - (1 << 64) if value >= 1 << 63 else value  # int64
        elif number == 3:
            _expect(wire, 2, "Event.file_version")
            event["file_version"] = value.decode("utf-8")
        elif number == 5:
            _expect(wire, 2, "Event.summary")
            event["scalars"] = [_decode_value(v) for n, w, v in fields(value) if n == 1 and w == 2]
        elif number == 7:
            _expect(wire, 2, "Event.session_log")
            event["session_status"] = next((v for n, w, v in fields(value) if n == 1 and w == 0), 0)
        else:
            raise BadFile(f"Event field {number}, which ember does not write")
    return event


def _decode_value(data):
    tag, simple = None, None
    for number, wire, value in fields(data):
        if number == 1:
            _expect(wire, 2, "Value.tag")
            tag = value.decode("utf-8")
        elif number == 2:
            _expect(wire, 5, "Value.simple_value")
            (simple,) = struct.unpack("<f", value)
    if tag is None or simple is None:
        raise BadFile(f"a Summary.Value without a tag or a simple_value: {data!r}")
    return tag, simple


def read_events(path):
    return [(record, decode_event(record)) for record in read_records(path)]


# ---- the same records through protobuf itself, when python3-protobuf is there ----
def protobuf_event_class():
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    except ImportError:
        return None
    F = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="ember_tfevents_check.proto", package="tensorflow",
                                               syntax="proto3")

    def message(name, specs, oneofs=()):
        m = proto.message_type.add(name=name)
        for oneof in oneofs:
            m.oneof_decl.add(name=oneof)
        for spec in specs:
            name_, number, kind = spec[:3]
            field = m.field.add(name=name_, number=number, type=kind, label=F.LABEL_OPTIONAL)
            if kind in (F.TYPE_MESSAGE, F.TYPE_ENUM):
                field.type_name = ".tensorflow." + spec[3]
            if spec[-1] == "repeated":
                field.label = F.LABEL_REPEATED
            if spec[-1] == "oneof":
                field.oneof_index = 0
        return m

    message("Value", [("tag", 1, F.TYPE_STRING), ("simple_value", 2, F.TYPE_FLOAT, "oneof")], ["value"])
    message("Summary", [("value", 1, F.TYPE_MESSAGE, "Value", "repeated")])
    session_log = message("SessionLog", [("status", 1, F.TYPE_ENUM, "SessionLog.SessionStatus")])
    status = session_log.enum_type.add(name="SessionStatus")
    for i, name in enumerate(["STATUS_UNSPECIFIED", "START", "STOP", "CHECKPOINT"]):
        status.value.add(name=name, number=i)
    message("Event", [("wall_time", 1, F.TYPE_DOUBLE), ("step", 2, F.TYPE_INT64),
                      ("file_version", 3, F.TYPE_STRING, "oneof"), ("summary", 5, F.TYPE_MESSAGE, "Summary", "oneof"),
                      ("session_log", 7, F.TYPE_MESSAGE, "SessionLog", "oneof")], ["what"])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    descriptor = pool.FindMessageTypeByName("tensorflow.Event")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def protobuf_check(event_class, record, event, where):
    """Problems found when protobuf parses the record: other values, or other bytes written back."""
    parsed = event_class()
    parsed.ParseFromString(record)
    problems = []
    if parsed.SerializeToString() != record:
        problems.append(f"{where}: protobuf writes the event back as other bytes (not canonical proto3)")
    seen = {"wall_time": parsed.wall_time, "step": parsed.step}
    what = parsed.WhichOneof("what")
    if what == "file_version":
        seen["file_version"] = parsed.file_version
    elif what == "summary":
        seen["scalars"] = [(v.tag, v.simple_value) for v in parsed.summary.value]
    elif what == "session_log":
        seen["session_status"] = parsed.session_log.status
    if seen != event:
        problems.append(f"{where}: protobuf reads {seen}, the hand decoder {event}")
    return problems


# ---- check: RUN/tb/ against the run ----
def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


STEP_TAGS = {"train/loss", "train/accuracy", "lr", "train/images_per_second"}


def check_run(run, steps):
    problems = []
    tb = os.path.join(run, "tb")
    names = sorted(n for n in os.listdir(tb) if "tfevents" in n)  # as TensorBoard finds them
    if not names:
        return [f"{tb} holds no event file"]
    files = []
    for name in names:
        events = read_events(os.path.join(tb, name))
        if not events:
            problems.append(f"{name} is empty")
            continue
        files.append((events[0][1]["wall_time"], name, events))
    # TensorBoard reads them in name order; that must be the order they were opened in.
    if sorted(files, key=lambda f: f[0]) != files:
        problems.append(f"the files' names sort otherwise than their opening times: {[(t, n) for t, n, _ in files]}")
    event_class = protobuf_event_class()
    kept = []  # (step, event) after the merge
    started = False
    for _, name, events in files:
        if events[0][1].get("file_version") != "brain.Event:2":
            problems.append(f"{name}: the first event is {events[0][1]}, not file_version brain.Event:2")
        if len(events) < 2 or events[1][1].get("session_status") != 1:
            problems.append(f"{name}: the second event is not a SessionLog START")
        elif events[1][1]["step"] != 1 + max([s for s, _ in kept if s < events[1][1]["step"]], default=0):
            problems.append(f"{name}: its START is at step {events[1][1]['step']}, not after the run's steps before it")
        last_time = 0.0
        for i, (record, event) in enumerate(events):
            if i > 0 and "file_version" in event:
                problems.append(f"{name}: event {i} carries a file_version")
            if i != 1 and "session_status" in event:
                problems.append(f"{name}: event {i} is a SessionLog")
            if not event["wall_time"] > 1.58e9 or event["wall_time"] < last_time:
                problems.append(f"{name}: event {i} has wall time {event['wall_time']} (previous {last_time})")
            last_time = event["wall_time"]
            if event_class is not None:
                problems += protobuf_check(event_class, record, event, f"{name} event {i}")
            if event.get("session_status") == 1:  # a restart drops what was logged from its step on
                if started:
                    kept = [(s, e) for s, e in kept if s < event["step"]]
                started = True
            elif "scalars" in event:
                kept.append((event["step"], event))
    if event_class is None:
        print("SKIPPED: the protobuf cross-check (no python3-protobuf); the hand decoder checked everything else")
    else:
        print(f"protobuf {sys.modules['google.protobuf'].__version__} reads every record as the hand decoder does")

    step_events = [(s, dict(e["scalars"])) for s, e in kept if {t for t, _ in e["scalars"]} == STEP_TAGS]
    epoch_events = [(s, dict(e["scalars"])) for s, e in kept if "epoch" in dict(e["scalars"])]
    if len(step_events) + len(epoch_events) != len(kept):
        problems.append("events that are neither a step's nor an epoch's: "
                        f"{[e for s, e in kept if 'epoch' not in dict(e['scalars'])][:3]}")
    if [s for s, _ in step_events] != list(range(1, steps + 1)):
        problems.append(f"the step events' steps are {[s for s, _ in step_events]}, expected 1..{steps} once each")
    by_step = dict(step_events)

    with open(os.path.join(run, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    if len(epoch_events) != len(rows):
        problems.append(f"{len(epoch_events)} epoch events for the {len(rows)} rows of metrics.csv")
    per_epoch = steps // max(len(rows), 1)
    for row, (step, scalars) in zip(rows, epoch_events):
        epoch = int(row["epoch"])
        if scalars["epoch"] != epoch or step != epoch * per_epoch:
            problems.append(f"epoch {epoch}: its event is epoch {scalars['epoch']} at step {step}, "
                            f"expected step {epoch * per_epoch}")
        topk = f"test_top{row['topk']}_accuracy"
        for column in ["train_loss", "train_accuracy", "test_loss", "test_accuracy", "test_topk_accuracy",
                       "seconds", "images_per_second"]:
            tag = "epoch/" + (topk if column == "test_topk_accuracy" else column)
            expected = f32(float(row[column]))
            if scalars.get(tag) != expected:
                problems.append(f"epoch {epoch}: {tag} is {scalars.get(tag)}, metrics.csv says {row[column]} "
                                f"(as float32 {expected})")
        mine = [by_step.get(s) for s in range((epoch - 1) * per_epoch + 1, epoch * per_epoch + 1)]
        if None in mine:
            continue
        if any(m["lr"] != f32(float(row["lr"])) for m in mine):
            problems.append(f"epoch {epoch}: the steps' lr {[m['lr'] for m in mine]} is not the epoch's {row['lr']}")
        for tag, column in [("train/loss", "train_loss"), ("train/accuracy", "train_accuracy")]:
            mean = sum(m[tag] for m in mine) / len(mine)
            if not math.isclose(mean, float(row[column]), rel_tol=1e-5, abs_tol=1e-6):
                problems.append(f"epoch {epoch}: the steps' {tag} average {mean}, the epoch's is {row[column]}")
        if any(not m["train/images_per_second"] > 0 for m in mine):
            problems.append(f"epoch {epoch}: a step with no images/s")
    print(f"{len(files)} event file(s), {len(step_events)} steps, {len(epoch_events)} epochs checked")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dump = sub.add_parser("dump")
    dump.add_argument("files", nargs="+")
    check = sub.add_parser("check")
    check.add_argument("run")
    check.add_argument("--steps", type=int, required=True, help="the run's optimizer steps")
    args = parser.parse_args()
    try:
        if args.command == "dump":
            for path in args.files:
                for _, event in read_events(path):
                    print(path, event)
            return 0
        problems = check_run(args.run, args.steps)
    except (BadFile, OSError) as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
