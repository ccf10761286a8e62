// --pcap=FILE, --pcap_max_mb, --pcap_max_packets: the built-in packet
// capture, shared by skiff-httpd and skiff-get. The flags live here, once.
#ifndef SKIFF_APPS_COMMON_PCAP_FLAGS_H_
#define SKIFF_APPS_COMMON_PCAP_FLAGS_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "drivers/capture/capture_device.h"
#include "skiff/device.h"
#include "stack/base/clock.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"

namespace skiff {

// A CaptureDevice over `port` writing the file --pcap names, or nullptr when
// --pcap is empty. `clock` is the loop's clock.
absl::StatusOr<std::unique_ptr<CaptureDevice>> CaptureFromFlags(Device& port,
                                                                Clock& clock);

// On several lcores (issue 10) each lcore writes its own file: --pcap=FILE
// becomes FILE's name with ".lcoreK" before a ".pcap" ending ("x.pcap" ->
// "x.lcore1.pcap", "x" -> "x.lcore1.pcap"). The bounds apply per file.
std::string LcorePcapPath(const std::string& path, uint16_t lcore);
// CaptureFromFlags for lcore k: the file LcorePcapPath names.
absl::StatusOr<std::unique_ptr<CaptureDevice>> CaptureFromFlagsForLcore(
    Device& device, Clock& clock, uint16_t lcore);

// --pcap on several lcores: makes each lcore's capture for
// LcoreGroupConfig::wrap (in front of lcore k's StackCore, so its file holds
// the frames that StackCore received and sent) and closes them all at the end.
class LcoreCaptures {
 public:
  explicit LcoreCaptures(uint16_t lcores) : captures_(lcores, nullptr) {}
  // Lcore k's capture over `inner`; nullptr without --pcap or when the
  // file cannot be opened (status() says why). The caller owns it.
  std::unique_ptr<Device> Wrap(Device& inner, uint16_t k);
  const absl::Status& status() const { return status_; }
  // Every file's "pcap:" line; before the devices go.
  void Finish(std::FILE* log);

 private:
  MonotonicClock clock_;  // stateless: shared by the lcores' captures
  std::vector<CaptureDevice*> captures_;
  absl::Status status_;
};

// Flushes and closes the capture and prints one "pcap:" summary line to
// `log` (frames written, skipped past a bound, any write error). Does
// nothing for nullptr.
void FinishCapture(CaptureDevice* capture, std::FILE* log);

}  // namespace skiff

#endif  // SKIFF_APPS_COMMON_PCAP_FLAGS_H_
