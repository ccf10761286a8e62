// --pcap=FILE, --pcap_max_mb, --pcap_max_packets: the built-in packet
// capture, shared by skiff-httpd and skiff-get. The flags live here, once.
#ifndef SKIFF_APPS_COMMON_PCAP_FLAGS_H_
#define SKIFF_APPS_COMMON_PCAP_FLAGS_H_

#include <cstdio>
#include <memory>

#include "absl/status/statusor.h"
#include "drivers/capture/capture_device.h"
#include "skiff/device.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"
#include "stack/base/clock.h"

namespace skiff {

// A CaptureDevice over `port` writing the file --pcap names, or nullptr when
// --pcap is empty. `clock` is the loop's clock.
absl::StatusOr<std::unique_ptr<CaptureDevice>> CaptureFromFlags(Device& port,
                                                                Clock& clock);

// Flushes and closes the capture and prints one "pcap:" summary line to
// `log` (frames written, skipped past a bound, any write error). Does
// nothing for nullptr.
void FinishCapture(CaptureDevice* capture, std::FILE* log);

}  // namespace skiff

#endif  // SKIFF_APPS_COMMON_PCAP_FLAGS_H_
