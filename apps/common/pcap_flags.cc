#include "apps/common/pcap_flags.h"

#include <time.h>

#include <cstdio>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "drivers/capture/pcap_writer.h"

ABSL_FLAG(std::string, pcap, "",
          "write every frame received and sent to this pcap file (tcpdump "
          "-r reads it); empty: no capture");
ABSL_FLAG(int, pcap_max_mb, 64,
          "stop capturing when the pcap file would pass this many MiB");
ABSL_FLAG(int64_t, pcap_max_packets, 1000000,
          "stop capturing after this many frames");

namespace skiff {
namespace {

// What to add to `clock` to get Unix time, read once at start-up.
Duration UnixOffset(Clock& clock) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  const int64_t unix_ns = static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 +
                          static_cast<int64_t>(ts.tv_nsec);
  return Duration::Nanos(unix_ns - clock.Now().nanos());
}

// The capture of `path` (empty: none) with the --pcap_max_* bounds.
absl::StatusOr<std::unique_ptr<CaptureDevice>> CaptureTo(
    const std::string& path, Device& port, Clock& clock) {
  if (path.empty()) return std::unique_ptr<CaptureDevice>();
  const int max_mb = absl::GetFlag(FLAGS_pcap_max_mb);
  const int64_t max_packets = absl::GetFlag(FLAGS_pcap_max_packets);
  if (max_mb < 1 || max_packets < 1) {
    return absl::InvalidArgumentError(
        "--pcap_max_mb and --pcap_max_packets must be >= 1");
  }
  PcapWriterConfig config;
  config.max_file_bytes = static_cast<uint64_t>(max_mb) << 20;
  config.max_packets = static_cast<uint64_t>(max_packets);
  absl::StatusOr<std::unique_ptr<PcapWriter>> writer =
      PcapWriter::Open(path, config);
  if (!writer.ok()) return writer.status();
  return std::make_unique<CaptureDevice>(port, std::move(*writer), clock,
                                         UnixOffset(clock));
}

}  // namespace

absl::StatusOr<std::unique_ptr<CaptureDevice>> CaptureFromFlags(Device& port,
                                                                Clock& clock) {
  return CaptureTo(absl::GetFlag(FLAGS_pcap), port, clock);
}

std::string LcorePcapPath(const std::string& path, uint16_t lcore) {
  std::string stem = path;
  if (stem.ends_with(".pcap")) stem.resize(stem.size() - 5);
  return stem + ".lcore" + std::to_string(lcore) + ".pcap";
}

absl::StatusOr<std::unique_ptr<CaptureDevice>> CaptureFromFlagsForLcore(
    Device& device, Clock& clock, uint16_t lcore) {
  const std::string path = absl::GetFlag(FLAGS_pcap);
  if (path.empty()) return std::unique_ptr<CaptureDevice>();
  return CaptureTo(LcorePcapPath(path, lcore), device, clock);
}

std::unique_ptr<Device> LcoreCaptures::Wrap(Device& inner, uint16_t k) {
  absl::StatusOr<std::unique_ptr<CaptureDevice>> c =
      CaptureFromFlagsForLcore(inner, clock_, k);
  if (!c.ok()) {
    status_.Update(c.status());
    return nullptr;
  }
  captures_[k] = c->get();
  return std::move(*c);
}

void LcoreCaptures::Finish(std::FILE* log) {
  for (CaptureDevice* c : captures_) FinishCapture(c, log);
}

void FinishCapture(CaptureDevice* capture, std::FILE* log) {
  if (capture == nullptr) return;
  PcapWriter& w = capture->writer();
  const absl::Status s = w.Close();
  std::fprintf(
      log, "pcap: %s: %lu frames, %lu bytes, %lu skipped past a bound%s%s\n",
      w.path().c_str(), static_cast<unsigned long>(w.packets()),
      static_cast<unsigned long>(w.file_bytes()),
      static_cast<unsigned long>(w.skipped()), s.ok() ? "" : ", ",
      s.ok() ? "" : s.ToString().c_str());
  std::fflush(log);
}

}  // namespace skiff
