// Which fields of a frame RSS hashes (drivers/rss/frame_hash.h), as DPDK's
// RTE_ETH_RSS_NONFRAG_IPV4_TCP/UDP and RTE_ETH_RSS_IPV4 define them.
#include "drivers/rss/frame_hash.h"

#include <gtest/gtest.h>

#include <vector>

namespace skiff {
namespace {

using Frame = std::vector<std::byte>;
constexpr uint32_t kSrc = 0x0a000001, kDst = 0x0a000002;

Frame Ipv4(uint8_t proto, size_t ihl_words = 5, uint16_t frag = 0) {
  const size_t ihl = ihl_words * 4;
  Frame f(14 + ihl + 8);
  std::byte* p = f.data();
  StoreBe16(p + 12, 0x0800);
  std::byte* ip = p + 14;
  Store8(ip, static_cast<uint8_t>(0x40 | ihl_words));
  StoreBe16(ip + 6, frag);
  Store8(ip + 9, proto);
  StoreBe32(ip + 12, kSrc);
  StoreBe32(ip + 16, kDst);
  StoreBe16(ip + ihl, 40000);
  StoreBe16(ip + ihl + 2, 80);
  return f;
}

const ToeplitzHash& Hash() {
  static const ToeplitzHash h(ToeplitzHash::kMicrosoftKey);
  return h;
}

TEST(FrameHash, TcpAndUdp_FourTuple) {
  for (uint8_t proto : {6, 17}) {
    const FrameHash h = HashFrame(Hash(), Ipv4(proto));
    EXPECT_EQ(h.cls, FrameClass::kIpv4L4);
    EXPECT_EQ(h.hash, Hash().Ipv4L4(kSrc, kDst, 40000, 80));
  }
}

TEST(FrameHash, IpOptions_PortsAfterTheOptions) {
  const FrameHash h = HashFrame(Hash(), Ipv4(6, /*ihl_words=*/7));
  EXPECT_EQ(h.cls, FrameClass::kIpv4L4);
  EXPECT_EQ(h.hash, Hash().Ipv4L4(kSrc, kDst, 40000, 80));
}

// Fragments (MF, or a nonzero offset) and non-TCP/UDP: addresses only.
TEST(FrameHash, FragmentsAndIcmp_AddressPair) {
  for (const Frame& f : {Ipv4(6, 5, 0x2000), Ipv4(6, 5, 0x0010), Ipv4(1)}) {
    const FrameHash h = HashFrame(Hash(), f);
    EXPECT_EQ(h.cls, FrameClass::kIpv4);
    EXPECT_EQ(h.hash, Hash().Ipv4(kSrc, kDst));
  }
  // DF alone is not a fragment.
  EXPECT_EQ(HashFrame(Hash(), Ipv4(6, 5, 0x4000)).cls, FrameClass::kIpv4L4);
}

TEST(FrameHash, ArpShortAndOther_HashZero) {
  Frame arp(42);
  StoreBe16(arp.data() + 12, 0x0806);
  EXPECT_EQ(HashFrame(Hash(), arp).cls, FrameClass::kArp);
  EXPECT_EQ(HashFrame(Hash(), arp).hash, 0u);
  Frame v6(60);
  StoreBe16(v6.data() + 12, 0x86dd);
  EXPECT_EQ(HashFrame(Hash(), v6).cls, FrameClass::kOther);
  Frame tiny(10);
  EXPECT_EQ(HashFrame(Hash(), tiny).cls, FrameClass::kOther);
  Frame cut = Ipv4(6);
  cut.resize(14 + 20 + 2);  // ports cut off: addresses only
  EXPECT_EQ(HashFrame(Hash(), cut).cls, FrameClass::kIpv4);
}

// An ICMP error from a router about a segment we (kDst) sent to kSrc.
Frame IcmpError(uint8_t type, uint8_t quoted_proto = 6,
                uint16_t quoted_frag = 0, size_t quote_bytes = 8) {
  Frame f(14 + 20 + 8 + 20 + quote_bytes);
  std::byte* p = f.data();
  StoreBe16(p + 12, 0x0800);
  std::byte* ip = p + 14;
  Store8(ip, 0x45);
  Store8(ip + 9, 1);
  StoreBe32(ip + 12, 0xc0a80001);  // a router
  StoreBe32(ip + 16, kDst);
  Store8(ip + 20, type);
  std::byte* q = ip + 28;
  Store8(q, 0x45);
  StoreBe16(q + 6, quoted_frag);
  Store8(q + 9, quoted_proto);
  StoreBe32(q + 12, kDst);
  StoreBe32(q + 16, kSrc);
  if (quote_bytes >= 4) {
    StoreBe16(q + 20, 80);
    StoreBe16(q + 22, 40000);
  }
  return f;
}

// The quote hashes as the quoted flow's segments reaching us do.
TEST(FrameHash, IcmpErrorQuote_HashesTheQuotedFlowsReplyDirection) {
  for (uint8_t type : {3, 4, 5, 11, 12}) {
    for (uint8_t proto : {6, 17}) {
      const FrameHash h = HashIcmpErrorQuote(Hash(), IcmpError(type, proto));
      EXPECT_EQ(h.cls, FrameClass::kIpv4L4) << int{type};
      EXPECT_EQ(h.hash, HashFrame(Hash(), Ipv4(proto)).hash) << int{type};
    }
  }
  // The NIC's view of the same frame: the outer address pair.
  EXPECT_EQ(HashFrame(Hash(), IcmpError(3)).cls, FrameClass::kIpv4);
}

TEST(FrameHash, IcmpErrorQuote_OtherFrames_NoAnswer) {
  const auto other = [](const Frame& f) {
    return HashIcmpErrorQuote(Hash(), f).cls == FrameClass::kOther;
  };
  EXPECT_TRUE(other(IcmpError(0)));               // echo reply
  EXPECT_TRUE(other(IcmpError(8)));               // echo request
  EXPECT_TRUE(other(IcmpError(3, /*proto=*/1)));  // quotes ICMP
  EXPECT_TRUE(other(IcmpError(3, 6, 0x0010)));    // quotes a fragment
  EXPECT_TRUE(other(IcmpError(3, 6, 0, /*quote_bytes=*/2)));  // ports cut
  EXPECT_TRUE(other(Ipv4(6)));                                // not ICMP
  Frame outer_fragment = IcmpError(3);
  StoreBe16(outer_fragment.data() + 14 + 6, 0x2000);
  EXPECT_TRUE(other(outer_fragment));
  Frame tiny(20);
  EXPECT_TRUE(other(tiny));
}

}  // namespace
}  // namespace skiff
