// CaptureDevice: a Device that forwards to another and records, into a
// PcapWriter, every frame the inner device receives and every frame it
// accepts for transmit: skiff's own `tcpdump -w` (--pcap=FILE) for hosts
// where DPDK's secondary-process capture (dpdk-dumpcap) cannot attach.
//
// Timestamps come from the loop's clock, read once per non-empty burst and
// shifted to Unix time. Transmit checksum offloads are hidden from the
// stack, so it computes checksums in software and the file holds the bytes
// that go on the wire (a capture with offloads shows zero or pseudo-header
// checksums, as tcpdump on a Linux sender does).
#ifndef SKIFF_DRIVERS_CAPTURE_CAPTURE_DEVICE_H_
#define SKIFF_DRIVERS_CAPTURE_CAPTURE_DEVICE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "drivers/capture/pcap_writer.h"
#include "skiff/device.h"
#include "stack/base/clock.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"

namespace skiff {

class CaptureDevice final : public Device {
 public:
  // Unix time = clock.Now() + unix_offset.
  CaptureDevice(Device& inner, std::unique_ptr<PcapWriter> writer, Clock& clock,
                Duration unix_offset);
  CaptureDevice(const CaptureDevice&) = delete;
  CaptureDevice& operator=(const CaptureDevice&) = delete;

  PcapWriter& writer() { return *writer_; }

  // Device.
  size_t RxBurst(std::span<Packet> out) override;
  size_t TxBurst(std::span<Packet> pkts) override;
  MacAddress mac() const override { return inner_.mac(); }
  uint16_t mtu() const override { return inner_.mtu(); }
  DeviceCaps caps() const override;
  PacketPool& pool() override { return inner_.pool(); }

 private:
  // At most this many tentative records per inner TxBurst call.
  static constexpr size_t kMaxChunk = 64;

  int64_t UnixNanos() { return (clock_.Now() + unix_offset_).nanos(); }
  void Record(int64_t unix_ns, const Packet& p);
  // Sends pkts[0..k) (k <= kMaxChunk, records fit the buffer) and keeps the
  // records of the accepted prefix only; returns how many were accepted.
  size_t SendChunk(int64_t unix_ns, std::span<Packet> pkts);

  Device& inner_;
  std::unique_ptr<PcapWriter> writer_;
  Clock& clock_;
  Duration unix_offset_;
};

}  // namespace skiff

#endif  // SKIFF_DRIVERS_CAPTURE_CAPTURE_DEVICE_H_
