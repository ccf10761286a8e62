#include "drivers/capture/capture_device.h"

#include <array>
#include <utility>

namespace skiff {

CaptureDevice::CaptureDevice(Device& inner, std::unique_ptr<PcapWriter> writer,
                             Clock& clock, Duration unix_offset)
    : inner_(inner),
      writer_(std::move(writer)),
      clock_(clock),
      unix_offset_(unix_offset) {}

DeviceCaps CaptureDevice::caps() const {
  DeviceCaps c = inner_.caps();
  c.tx_ipv4_checksum = false;
  c.tx_tcp_checksum = false;
  return c;
}

void CaptureDevice::Record(int64_t unix_ns, const Packet& p) {
  // skiff sends single-segment packets; a received chain is recorded as its
  // first segment with the full length (the stack drops it anyway).
  writer_->Append(unix_ns, p.data(), p.length());
}

size_t CaptureDevice::RxBurst(std::span<Packet> out) {
  const size_t n = inner_.RxBurst(out);
  if (n == 0) return 0;
  if (writer_->stopped()) {
    writer_->Skip(n);
    return n;
  }
  const int64_t now = UnixNanos();
  for (size_t i = 0; i < n; ++i) Record(now, out[i]);
  return n;
}

size_t CaptureDevice::TxBurst(std::span<Packet> pkts) {
  if (pkts.empty()) return 0;
  if (writer_->stopped()) {
    const size_t n = inner_.TxBurst(pkts);
    writer_->Skip(n);
    return n;
  }
  // A PMD may free (or reuse) an mbuf as soon as TxBurst takes it, so the
  // frames are recorded before they are handed over, and the records of the
  // ones the device refuses are taken back: those stay with the caller and
  // are recorded when they are sent.
  const int64_t now = UnixNanos();
  size_t done = 0;
  while (done < pkts.size()) {
    size_t k = 0;
    size_t bytes = 0;
    while (done + k < pkts.size() && k < kMaxChunk) {
      const size_t b = PcapWriter::RecordBytes(pkts[done + k].data().size());
      if (bytes + b > writer_->buffer_capacity()) break;
      bytes += b;
      ++k;
    }
    writer_->Reserve(bytes);  // no flush inside the chunk: it can roll back
    const size_t sent = SendChunk(now, pkts.subspan(done, k));
    done += sent;
    if (sent < k) break;
  }
  return done;
}

size_t CaptureDevice::SendChunk(int64_t unix_ns, std::span<Packet> pkts) {
  std::array<PcapWriter::Mark, kMaxChunk + 1> marks;
  for (size_t i = 0; i < pkts.size(); ++i) {
    marks[i] = writer_->mark();
    Record(unix_ns, pkts[i]);
  }
  marks[pkts.size()] = writer_->mark();
  const size_t sent = inner_.TxBurst(pkts);
  // Reserve made room for the whole chunk (or the writer stopped, and then
  // it wrote nothing either), so this cannot meet a flush.
  writer_->RollbackTo(marks[sent]);
  return sent;
}

}  // namespace skiff
