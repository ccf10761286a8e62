#include "drivers/sim/test_channel.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace skiff {

TestChannel::TestChannel(PacketPool& pool, MacAddress mac, uint16_t mtu,
                         DeviceCaps caps)
    : pool_(pool), mac_(mac), mtu_(mtu), caps_(caps) {}

bool TestChannel::Inject(ConstByteSpan frame) {
  if (frame.size() > std::numeric_limits<uint16_t>::max()) return false;
  Packet p = pool_.Alloc();
  if (!p) return false;
  std::byte* dst = p.Append(static_cast<uint16_t>(frame.size()));
  if (dst == nullptr) return false;
  // An empty span may have a null data(): memcpy must not see it (UBSan).
  if (!frame.empty()) std::memcpy(dst, frame.data(), frame.size());
  rx_.push_back(std::move(p));
  return true;
}

void TestChannel::InjectPacket(Packet p) {
  if (p) rx_.push_back(std::move(p));
}

std::vector<std::vector<std::byte>> TestChannel::TakeSent() {
  std::vector<std::vector<std::byte>> out;
  out.reserve(tx_.size());
  for (const Packet& p : tx_) out.push_back(PacketBytes(p));
  tx_.clear();
  return out;
}

std::vector<Packet> TestChannel::TakeSentPackets() {
  std::vector<Packet> out;
  out.reserve(tx_.size());
  for (Packet& p : tx_) out.push_back(std::move(p));
  tx_.clear();
  return out;
}

size_t TestChannel::RxBurst(std::span<Packet> out) {
  const size_t n = std::min(out.size(), rx_.size());
  for (size_t i = 0; i < n; ++i) {
    out[i] = std::move(rx_.front());
    rx_.pop_front();
  }
  return n;
}

size_t TestChannel::TxBurst(std::span<Packet> pkts) {
  const size_t n = std::min(pkts.size(), tx_capacity_);
  for (size_t i = 0; i < n; ++i) tx_.push_back(std::move(pkts[i]));
  tx_total_ += n;
  return n;
}

std::vector<std::byte> PacketBytes(const Packet& p) {
  std::vector<std::byte> bytes;
  if (!p) return bytes;
  bytes.reserve(p.length());
  for (const rte_mbuf* m = p.mbuf(); m != nullptr; m = m->next) {
    const std::byte* d = rte_pktmbuf_mtod(m, const std::byte*);
    bytes.insert(bytes.end(), d, d + m->data_len);
  }
  return bytes;
}

}  // namespace skiff
