#include "drivers/capture/pcap_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace skiff {

absl::StatusOr<std::unique_ptr<PcapWriter>> PcapWriter::Open(
    const std::string& path, const PcapWriterConfig& config) {
  if (config.max_file_bytes < kFileHeaderLen) {
    return absl::InvalidArgumentError("pcap size bound below the file header");
  }
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  }
  std::unique_ptr<PcapWriter> w(new PcapWriter(path, fd, config));
  // The file header, in our byte order (readers tell it by the magic):
  // magic, version 2.4, thiszone 0, sigfigs 0, snaplen, link type.
  w->PutU32(kMagicNanos);
  w->PutU32(2 | (4u << 16));
  w->PutU32(0);
  w->PutU32(0);
  w->PutU32(kSnapLen);
  w->PutU32(kLinkTypeEthernet);
  w->file_bytes_ = kFileHeaderLen;
  // Written at once, so that even a capture of nothing is a valid file.
  if (absl::Status s = w->Flush(); !s.ok()) return s;
  return w;
}

PcapWriter::PcapWriter(std::string path, int fd, const PcapWriterConfig& config)
    : path_(std::move(path)),
      fd_(fd),
      config_(config),
      buffer_(std::max(config.buffer_bytes, RecordBytes(kSnapLen))) {}

PcapWriter::~PcapWriter() { (void)Close(); }

void PcapWriter::PutU32(uint32_t v) {
  std::memcpy(buffer_.data() + buffer_used_, &v, sizeof v);
  buffer_used_ += sizeof v;
}

bool PcapWriter::Append(int64_t unix_ns, std::span<const std::byte> frame,
                        uint32_t orig_len) {
  if (stopped_) {
    ++skipped_;
    return false;
  }
  const size_t incl = std::min<size_t>(frame.size(), kSnapLen);
  const size_t bytes = kRecordHeaderLen + incl;
  if (packets_ + 1 > config_.max_packets ||
      file_bytes_ + bytes > config_.max_file_bytes) {
    stopped_ = true;
    ++skipped_;
    return false;
  }
  if (buffer_used_ + bytes > buffer_.size() && !Flush().ok()) {
    ++skipped_;
    return false;
  }
  const int64_t ns = unix_ns < 0 ? 0 : unix_ns;
  PutU32(static_cast<uint32_t>(ns / 1'000'000'000));
  PutU32(static_cast<uint32_t>(ns % 1'000'000'000));
  PutU32(static_cast<uint32_t>(incl));
  PutU32(std::max<uint32_t>(orig_len, static_cast<uint32_t>(incl)));
  std::memcpy(buffer_.data() + buffer_used_, frame.data(), incl);
  buffer_used_ += incl;
  file_bytes_ += bytes;
  ++packets_;
  return true;
}

bool PcapWriter::RollbackTo(const Mark& m) {
  if (m.flushes != flushes_ || m.buffered > buffer_used_) return false;
  buffer_used_ = m.buffered;
  packets_ = m.packets;
  file_bytes_ = m.file_bytes;
  skipped_ = m.skipped;
  stopped_ = m.stopped;
  return true;
}

bool PcapWriter::Reserve(size_t bytes) {
  if (bytes > buffer_.size()) return false;
  if (buffer_used_ + bytes <= buffer_.size()) return true;
  return Flush().ok();
}

absl::Status PcapWriter::Flush() {
  if (fd_ < 0) return error_.ok() ? absl::OkStatus() : error_;
  size_t done = 0;
  while (done < buffer_used_) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_used_ - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Records that never reach the file count as skipped; stop here so
      // the file ends at a record boundary as far as we wrote it.
      if (error_.ok()) {
        error_ = absl::ErrnoToStatus(n < 0 ? errno : EIO,
                                     absl::StrCat("write ", path_));
      }
      stopped_ = true;
      buffer_used_ = 0;
      return error_;
    }
    done += static_cast<size_t>(n);
  }
  buffer_used_ = 0;
  ++flushes_;
  return absl::OkStatus();
}

absl::Status PcapWriter::Close() {
  if (fd_ < 0) return error_;
  absl::Status s = Flush();
  if (::close(fd_) != 0 && s.ok()) {
    s = absl::ErrnoToStatus(errno, absl::StrCat("close ", path_));
    error_ = s;
  }
  fd_ = -1;
  stopped_ = true;
  return s;
}

}  // namespace skiff
