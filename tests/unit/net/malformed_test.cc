// A few thousand random and mutated frames, seeded, through TestChannel:
// no crash, every frame counted as exactly one drop, nothing transmitted,
// ping still answered afterwards, every mbuf back in the pool.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "tests/unit/net/net_fixture.h"

namespace skiff::testing {
namespace {

constexpr int kFramesPerMutation = 300;

class MalformedTest : public NetTest {
 protected:
  void SetUp() override {
    NetTest::SetUp();
    Make();
  }

  size_t Rand(size_t lo, size_t hi) {  // [lo, hi]
    return std::uniform_int_distribution<size_t>(lo, hi)(rng_);
  }
  std::byte RandByte() { return static_cast<std::byte>(Rand(0, 255)); }
  Bytes RandBytes(size_t n) {
    Bytes b(n);
    for (auto& x : b) x = RandByte();
    return b;
  }

  // Valid frames to mutate. Their sender is never learned: the fuzzed
  // frames below are all invalid, so the ARP table stays empty and an ARP
  // sender can never be merged.
  Bytes Echo() {
    return Ipv4Frame(PeerToUs(IpProtocol::kIcmp),
                     IcmpEcho(IcmpType::kEchoRequest, 7,
                              static_cast<uint16_t>(Rand(0, 65535)),
                              RandBytes(Rand(0, 200))));
  }
  Bytes Arp() {
    return ArpFrame(ArpOp::kRequest, kPeerMac, kPeerIp, MacAddress(), kOurIp);
  }

  std::mt19937_64 rng_{20240611};
};

TEST_F(MalformedTest, EveryFrameDroppedAndCounted_PingStillAnswered) {
  using Mutation = std::function<Bytes()>;
  const std::vector<Mutation> mutations = {
      // Random bytes, any length (mostly another or a multicast MAC).
      [&] { return RandBytes(Rand(0, 1514)); },
      // Random bytes after an Ethernet header to us, IPv4.
      [&] {
        return EthFrame(kOurMac, kPeerMac, EtherType::kIpv4,
                        RandBytes(Rand(0, 1500)));
      },
      // Random bytes as ARP.
      [&] {
        Bytes f = EthFrame(MacAddress::Broadcast(), kPeerMac, EtherType::kArp,
                           RandBytes(Rand(0, 46)));
        if (f.size() >= 14 + 28) f[14 + 25] = RandByte();  // never our IP...
        if (f.size() >= 14 + 28) f[14 + 24] = std::byte{172};  // ...or known
        return f;
      },
      // Truncated echo request: cut anywhere inside its headers.
      [&] {
        Bytes f = Echo();
        f.resize(Rand(0, 14 + 20 + 7));
        return f;
      },
      // Truncated IP payload with an honest-looking total length.
      [&] {
        Bytes f = Echo();
        f.resize(Rand(14 + 20, f.size() - 1));
        return f;
      },
      // Truncated ARP.
      [&] {
        Bytes f = Arp();
        f.resize(Rand(0, 14 + 27));
        return f;
      },
      // One IP header byte flipped, checksum left alone: a single-byte
      // change always breaks the one's-complement sum (or an earlier check).
      [&] {
        Bytes f = Echo();
        f[14 + Rand(0, 19)] ^= static_cast<std::byte>(Rand(1, 255));
        return f;
      },
      // IHL below 5, checksum fixed.
      [&] {
        Bytes f = Echo();
        f[14] = static_cast<std::byte>(0x40 | Rand(0, 4));
        FixIpChecksum(f);
        return f;
      },
      // Total length lies: longer than the frame, or shorter than IHL.
      [&] {
        Bytes f = Echo();
        const size_t ip_len = f.size() - 14;
        StoreBe16(f.data() + 16,
                  static_cast<uint16_t>(Rand(0, 1) ? Rand(ip_len + 1, 65535)
                                                   : Rand(0, 19)));
        FixIpChecksum(f);
        return f;
      },
      // Wrong version.
      [&] {
        Bytes f = Echo();
        size_t v = Rand(0, 14);
        if (v == 4) v = 15;
        f[14] = static_cast<std::byte>((v << 4) | 5);
        FixIpChecksum(f);
        return f;
      },
      // One ICMP byte flipped: bad ICMP checksum.
      [&] {
        Bytes f = Echo();
        f[14 + 20 + Rand(0, f.size() - 35)] ^=
            static_cast<std::byte>(Rand(1, 255));
        return f;
      },
      // ICMP shorter than its header.
      [&] {
        return Ipv4Frame(PeerToUs(IpProtocol::kIcmp), RandBytes(Rand(0, 7)));
      },
      // Header fields that are well formed but unacceptable.
      [&] {
        Ipv4Repr ip = PeerToUs(IpProtocol::kIcmp);
        switch (Rand(0, 4)) {
          case 0:
            ip.ttl = 0;
            break;
          case 1:
            ip.src = Ipv4Address(
                static_cast<uint32_t>(0xe0000000u | Rand(0, 0x0fffffff)));
            break;
          case 2:
            ip.src = kSubnetBroadcast;
            break;
          case 3:
            ip.dst =
                Ipv4Address(static_cast<uint32_t>(0x0a000002u + Rand(0, 252)));
            break;
          default:
            ip.dst = Ipv4Address(
                static_cast<uint32_t>(0xc0a80000u | Rand(0, 0xffff)));
            break;
        }
        return Ipv4Frame(
            ip, IcmpEcho(IcmpType::kEchoRequest, 1, 1, RandBytes(Rand(0, 64))));
      },
      // Fragments.
      [&] {
        Bytes f = Echo();
        StoreBe16(f.data() + 14 + 6,
                  static_cast<uint16_t>(Rand(0, 1) ? 0x2000 | Rand(0, 0x1fff)
                                                   : Rand(1, 0x1fff)));
        FixIpChecksum(f);
        return f;
      },
      // ARP with an unsupported hardware/protocol type or length.
      [&] {
        Bytes f = Arp();
        const size_t field = Rand(0, 3);
        if (field < 2) {
          uint16_t v = static_cast<uint16_t>(Rand(0, 65535));
          if (v == (field == 0 ? 1 : 0x0800)) ++v;
          StoreBe16(f.data() + 14 + 2 * field, v);
        } else {
          uint8_t v = static_cast<uint8_t>(Rand(0, 255));
          if (v == (field == 2 ? 6 : 4)) ++v;
          f[14 + 2 + field] = std::byte{v};
        }
        return f;
      },
      // ARP with a bad opcode, or a bogus sender.
      [&] {
        Bytes f = Arp();
        switch (Rand(0, 2)) {
          case 0:
            StoreBe16(f.data() + 20, static_cast<uint16_t>(Rand(3, 65535)));
            break;
          case 1:
            f[22] |= std::byte{1};
            break;  // multicast sender MAC
          default:
            StoreBe32(f.data() + 28,
                      static_cast<uint32_t>(0xe0000000u | Rand(0, 0x0fffffff)));
            break;
        }
        return f;
      },
      // ARP for someone else from a stranger.
      [&] {
        return ArpFrame(
            ArpOp::kRequest, kPeerMac2,
            Ipv4Address(static_cast<uint32_t>(0xac100000u | Rand(1, 0xfff))),
            MacAddress(),
            Ipv4Address(static_cast<uint32_t>(0x0a000002u + Rand(0, 200))));
      },
      // VLAN-tagged, unknown EtherType, or not our MAC.
      [&] {
        Bytes f = Echo();
        switch (Rand(0, 2)) {
          case 0:
            StoreBe16(f.data() + 12, Rand(0, 1) ? 0x8100 : 0x88a8);
            break;
          case 1:
            StoreBe16(f.data() + 12,
                      static_cast<uint16_t>(0x8000 + Rand(0x0807, 0x08ff)));
            break;
          default:
            f[5] = std::byte{0x77};
            break;
        }
        return f;
      },
  };

  const uint64_t tx_before = channel_->tx_total();
  uint64_t injected = 0;
  for (int round = 0; round < kFramesPerMutation; ++round) {
    for (size_t m = 0; m < mutations.size(); ++m) {
      const Bytes frame = mutations[m]();
      const uint64_t drops_before = TotalDrops();
      ASSERT_TRUE(channel_->Inject(frame));
      stack_->Poll(clock_.Now());
      ++injected;
      ASSERT_EQ(TotalDrops(), drops_before + 1)
          << "mutation " << m << " round " << round << " len " << frame.size()
          << "\n"
          << stack_->FormatCounters();
      clock_.Advance(Duration::Millis(1));
    }
  }
  EXPECT_EQ(TotalDrops(), injected);
  EXPECT_EQ(C().link.rx_packets, injected);
  EXPECT_EQ(channel_->tx_total(), tx_before);  // not one reply
  EXPECT_EQ(stack_->arp().size(), 0u);
  // A broad spread of reasons was exercised.
  int reasons = 0;
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    if (C().drops[static_cast<DropReason>(i)] > 0) ++reasons;
  }
  EXPECT_GE(reasons, 18) << stack_->FormatCounters();

  // Ping still works.
  LearnPeer();
  Receive(Ipv4Frame(PeerToUs(IpProtocol::kIcmp),
                    IcmpEcho(IcmpType::kEchoRequest, 9, 9, Filled(56))));
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(Bytes(sent[0].begin() + 34, sent[0].end()),
            IcmpEcho(IcmpType::kEchoReply, 9, 9, Filled(56)));
}

}  // namespace
}  // namespace skiff::testing
