// PcapWriter: appends frames to a classic pcap file (nanosecond timestamps,
// Ethernet link type) that tcpdump and Wireshark read. Knows nothing of
// DPDK: it sees byte spans, so tests drive it directly.
//
// Records go into one buffer allocated at Open and reach the file with
// write(2) only when the buffer is full, on Flush and on Close: no system
// call per frame. The file is bounded in bytes and in records; at the first
// frame past a bound the writer stops for good (the file stays a contiguous
// prefix of the traffic) and counts every frame it skips from then on.
#ifndef SKIFF_DRIVERS_CAPTURE_PCAP_WRITER_H_
#define SKIFF_DRIVERS_CAPTURE_PCAP_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace skiff {

struct PcapWriterConfig {
  uint64_t max_file_bytes = 64ull << 20;  // whole file, headers included
  uint64_t max_packets = 1'000'000;       // records in the file
  size_t buffer_bytes = 1 << 20;  // raised to hold at least one full record
};

class PcapWriter {
 public:
  // https://wiki.wireshark.org/Development/LibpcapFileFormat
  static constexpr size_t kFileHeaderLen = 24;
  static constexpr size_t kRecordHeaderLen = 16;
  static constexpr uint32_t kMagicNanos = 0xa1b23c4d;
  static constexpr uint32_t kLinkTypeEthernet = 1;
  static constexpr uint32_t kSnapLen = 262144;  // tcpdump's default: whole

  // Creates (truncates) `path` and writes the file header.
  static absl::StatusOr<std::unique_ptr<PcapWriter>> Open(
      const std::string& path, const PcapWriterConfig& config);
  ~PcapWriter();  // flushes and closes; errors are only counted
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // Appends one record of `frame` (the captured bytes, cut at kSnapLen)
  // whose length on the wire was `orig_len`. False when skipped: a bound was
  // reached or a write failed.
  bool Append(int64_t unix_ns, std::span<const std::byte> frame,
              uint32_t orig_len);
  bool Append(int64_t unix_ns, std::span<const std::byte> frame) {
    return Append(unix_ns, frame, static_cast<uint32_t>(frame.size()));
  }
  // Counts `n` frames that were not offered to Append (the caller knows the
  // writer has stopped and saves itself the work).
  void Skip(uint64_t n) { skipped_ += n; }

  // Tentative records: take a Mark, Append, and RollbackTo the mark to take
  // back what was appended since, as if it had never been offered. Only
  // possible while the records are still in the buffer: Reserve the room
  // first. RollbackTo returns false (and changes nothing) after a flush.
  struct Mark {
    size_t buffered = 0;
    uint64_t packets = 0;
    uint64_t file_bytes = 0;
    uint64_t skipped = 0;
    uint64_t flushes = 0;
    bool stopped = false;
  };
  Mark mark() const {
    return {buffer_used_, packets_, file_bytes_, skipped_, flushes_, stopped_};
  }
  bool RollbackTo(const Mark& m);
  // Makes room for `bytes` of records without a flush in between, flushing
  // now if needed. False if `bytes` exceeds buffer_capacity() or the flush
  // failed.
  bool Reserve(size_t bytes);

  // Bytes a record of an `frame_len`-byte frame takes in the file.
  static size_t RecordBytes(size_t frame_len) {
    return kRecordHeaderLen + (frame_len < kSnapLen ? frame_len : kSnapLen);
  }

  // Writes out what is buffered.
  absl::Status Flush();
  // Flushes and closes the file; later Appends are skipped.
  absl::Status Close();

  const std::string& path() const { return path_; }
  size_t buffer_capacity() const { return buffer_.size(); }
  // Records appended (after a write error some never reached the file).
  uint64_t packets() const { return packets_; }
  uint64_t file_bytes() const { return file_bytes_; }  // file size when flushed
  uint64_t skipped() const { return skipped_; }        // frames not recorded
  bool stopped() const { return stopped_; }  // a bound or an error was hit
  // The first write error, if any (OK otherwise).
  const absl::Status& error() const { return error_; }

 private:
  PcapWriter(std::string path, int fd, const PcapWriterConfig& config);
  void PutU32(uint32_t v);

  std::string path_;
  int fd_;
  PcapWriterConfig config_;
  std::vector<std::byte> buffer_;
  size_t buffer_used_ = 0;
  uint64_t packets_ = 0;
  uint64_t file_bytes_ = 0;  // written + buffered
  uint64_t skipped_ = 0;
  uint64_t flushes_ = 0;
  bool stopped_ = false;
  absl::Status error_;
};

}  // namespace skiff

#endif  // SKIFF_DRIVERS_CAPTURE_PCAP_WRITER_H_
