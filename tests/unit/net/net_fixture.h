// Frame builders and a StackCore-over-TestChannel fixture for the net tests.
#ifndef SKIFF_TESTS_UNIT_NET_NET_FIXTURE_H_
#define SKIFF_TESTS_UNIT_NET_NET_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "drivers/sim/test_channel.h"
#include "stack/base/clock.h"
#include "stack/stack_core.h"
#include "stack/wire/arp.h"
#include "stack/wire/checksum.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmp.h"
#include "stack/wire/ipv4.h"
#include "tests/support/eal_env.h"

namespace skiff::testing {

using Bytes = std::vector<std::byte>;

inline constexpr MacAddress kOurMac({0x02, 0, 0, 0, 0, 0x01});
inline constexpr MacAddress kPeerMac({0x02, 0, 0, 0, 0, 0x02});
inline constexpr MacAddress kPeerMac2({0x02, 0, 0, 0, 0, 0x22});
inline constexpr MacAddress kGatewayMac({0x02, 0, 0, 0, 0, 0xfe});
inline constexpr Ipv4Address kOurIp(10, 0, 0, 1);
inline constexpr Ipv4Address kPeerIp(10, 0, 0, 2);
inline constexpr Ipv4Address kOtherIp(10, 0, 0, 3);
inline constexpr Ipv4Address kGatewayIp(10, 0, 0, 254);
inline constexpr Ipv4Address kRemoteIp(192, 168, 1, 5);
inline constexpr Ipv4Address kSubnetBroadcast(10, 0, 0, 255);

inline StackConfig DefaultConfig() {
  StackConfig c;
  c.address = {kOurIp, 24};
  c.gateway = kGatewayIp;
  return c;
}

inline Bytes EthFrame(MacAddress dst, MacAddress src, uint16_t type,
                      ConstByteSpan payload) {
  Bytes f(EthernetRepr::kLen + payload.size());
  EthernetRepr{dst, src, type}.Emit(f.data());
  std::copy(payload.begin(), payload.end(), f.begin() + EthernetRepr::kLen);
  return f;
}

inline Bytes ArpFrame(ArpOp op, MacAddress smac, Ipv4Address sip,
                      MacAddress tmac, Ipv4Address tip,
                      MacAddress eth_dst = MacAddress::Broadcast()) {
  Bytes a(ArpRepr::kLen);
  ArpRepr{op, smac, sip, tmac, tip}.Emit(a.data());
  return EthFrame(eth_dst, smac, EtherType::kArp, a);
}

inline Bytes IcmpEcho(uint8_t type, uint16_t ident, uint16_t seq,
                      ConstByteSpan payload) {
  IcmpEchoRepr r{type, ident, seq, payload};
  Bytes b(r.len());
  r.Emit(b.data());
  return b;
}

// An IPv4 datagram in an Ethernet frame from the peer to us, with a valid
// header checksum.
inline Bytes Ipv4Frame(Ipv4Repr ip, ConstByteSpan payload,
                       MacAddress eth_dst = kOurMac,
                       MacAddress eth_src = kPeerMac) {
  ip.payload_len = static_cast<uint16_t>(payload.size());
  Bytes d(Ipv4Repr::kLen + payload.size());
  ip.Emit(d.data(), true);
  std::copy(payload.begin(), payload.end(), d.begin() + Ipv4Repr::kLen);
  return EthFrame(eth_dst, eth_src, EtherType::kIpv4, d);
}

inline Ipv4Repr PeerToUs(uint8_t protocol) {
  return {.src = kPeerIp,
          .dst = kOurIp,
          .protocol = protocol,
          .ttl = 64,
          .id = 77,
          .dont_fragment = false};
}

// Recomputes the IPv4 header checksum of a frame (after a test edited it).
inline void FixIpChecksum(Bytes& f) {
  std::byte* ip = f.data() + EthernetRepr::kLen;
  size_t ihl = (static_cast<uint8_t>(ip[0]) & 0xf) * 4;
  StoreBe16(ip + 10, 0);
  StoreBe16(ip + 10, InternetChecksum({ip, ihl}));
}

inline Bytes Filled(size_t n, uint8_t seed = 0) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<std::byte>(seed + i * 7);
  return b;
}

// A StackCore on a TestChannel, with the pool checked back to its starting
// count at the end of every test.
class NetTest : public ::testing::Test {
 protected:
  void SetUp() override { start_available_ = TestPool().available(); }
  void TearDown() override {
    stack_.reset();
    channel_.reset();
    EXPECT_EQ(TestPool().available(), start_available_) << "leaked mbufs";
  }

  void Make(const StackConfig& config = DefaultConfig(), DeviceCaps caps = {},
            uint16_t mtu = 1500) {
    stack_.reset();
    channel_ = std::make_unique<TestChannel>(TestPool(), kOurMac, mtu, caps);
    stack_ = std::make_unique<StackCore>(*channel_, config);
  }

  // Injects one frame and runs one loop turn.
  void Receive(const Bytes& frame) {
    channel_->Inject(frame);
    stack_->Poll(clock_.Now());
  }
  void Advance(Duration d) {
    clock_.Advance(d);
    stack_->Poll(clock_.Now());
  }
  std::vector<Bytes> Sent() { return channel_->TakeSent(); }

  // Teaches the stack the peer's MAC (an ARP request for our address) and
  // discards our reply.
  void LearnPeer(Ipv4Address ip = kPeerIp, MacAddress mac = kPeerMac) {
    Receive(ArpFrame(ArpOp::kRequest, mac, ip, MacAddress(), kOurIp));
    Sent();
  }

  // A packet holding `bytes`, for SendIpv4.
  static Packet L4(const Bytes& bytes) { return MakePacket(bytes); }

  uint64_t Drops(DropReason r) const { return stack_->counters().drops[r]; }
  uint64_t TotalDrops() const { return stack_->counters().drops.Total(); }
  StackCounters C() const { return stack_->counters(); }

  ManualClock clock_;
  std::unique_ptr<TestChannel> channel_;
  std::unique_ptr<StackCore> stack_;
  uint32_t start_available_ = 0;
};

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_NET_NET_FIXTURE_H_
