// GroBurst (stack/net/gro_stage.h) over hand-made frames: one flow's
// consecutive pure-ACK segments become one chain with the payload byte-exact;
// a frame with a bad checksum is dropped and counted, never merged; frames
// GRO must not touch (not TCP, fragments, PSH, no payload) pass in place.
#include "stack/net/gro_stage.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include "stack/wire/tcp.h"
#include "tests/support/eal_env.h"
#include "tests/unit/net/net_fixture.h"

namespace skiff::testing {
namespace {

constexpr size_t kMss = 1000;

Bytes Payload(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = std::byte(seed + i * 7);
  return b;
}

// A TCP/IPv4 frame peer:80 -> us:5000 (DF set, timestamps as skiff sends).
Bytes TcpFrame(uint32_t seq, uint8_t flags, ConstByteSpan payload,
               uint16_t ip_flags_frag = 0x4000) {
  TcpRepr h{.src_port = 80,
            .dst_port = 5000,
            .seq = SeqNum(seq),
            .ack = SeqNum(1),
            .flags = flags,
            .window = 1000};
  h.options.timestamp = TcpTimestamp{123, 456};
  Bytes seg(h.header_len() + payload.size());
  h.Emit(seg.data());
  std::copy(payload.begin(), payload.end(), seg.begin() + h.header_len());
  TcpFillChecksum(seg, kPeerIp, kOurIp);
  Ipv4Repr ip = PeerToUs(IpProtocol::kTcp);
  ip.dont_fragment = true;
  Bytes f = Ipv4Frame(ip, seg);
  if (ip_flags_frag != 0x4000) {
    f[EthernetRepr::kLen + 6] = std::byte(ip_flags_frag >> 8);
    f[EthernetRepr::kLen + 7] = std::byte(ip_flags_frag & 0xff);
    FixIpChecksum(f);
  }
  return f;
}

// The bytes of a packet, every segment of a chain in order.
Bytes Linear(const Packet& p) {
  Bytes out(p.length());
  const void* d = rte_pktmbuf_read(p.mbuf(), 0, p.length(), out.data());
  if (d != out.data()) std::memcpy(out.data(), d, p.length());
  return out;
}

class GroStageTest : public ::testing::Test {
 protected:
  size_t Run(std::vector<Bytes> frames) {
    n_in_ = frames.size();
    for (size_t i = 0; i < frames.size(); ++i) pkts_[i] = MakePacket(frames[i]);
    return GroBurst(std::span<Packet>(pkts_), frames.size(),
                    std::span<bool>(chained_), link_, drops_);
  }
  void TearDown() override {
    for (Packet& p : pkts_) p.Reset();
    EXPECT_EQ(TestPool().available(), start_) << "mbufs leaked";
  }

  uint32_t start_ = TestPool().available();
  size_t n_in_ = 0;
  std::array<Packet, 32> pkts_;
  std::array<bool, 32> chained_{};
  LinkCounters link_;
  DropCounters drops_;
};

TEST_F(GroStageTest, OneFlowsSegmentsBecomeOneChainWithExactPayload) {
  std::vector<Bytes> frames;
  Bytes all;
  for (int i = 0; i < 4; ++i) {
    Bytes p = Payload(kMss, static_cast<uint8_t>(i));
    frames.push_back(TcpFrame(1000 + i * kMss, TcpFlag::kAck, p));
    all.insert(all.end(), p.begin(), p.end());
  }
  ASSERT_EQ(Run(frames), 1u);
  EXPECT_TRUE(chained_[0]);
  EXPECT_EQ(pkts_[0].mbuf()->nb_segs, 4);
  EXPECT_EQ(link_.rx_gro_frames, 4u);
  EXPECT_EQ(link_.rx_gro_super_segments, 1u);
  EXPECT_EQ(pkts_[0].rx_ip_checksum(), RxChecksum::kGood);
  EXPECT_EQ(pkts_[0].rx_l4_checksum(), RxChecksum::kGood);
  // First frame's headers, total length covering all four payloads.
  const Bytes got = Linear(pkts_[0]);
  const size_t hdr = frames[0].size() - kMss;
  ASSERT_EQ(got.size(), hdr + all.size());
  EXPECT_TRUE(std::equal(all.begin(), all.end(), got.begin() + hdr));
  DropReason why{};
  auto ip =
      Ipv4View::ParseChainHead(pkts_[0].data().subspan(EthernetRepr::kLen),
                               pkts_[0].length() - EthernetRepr::kLen, &why);
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->total_length(), got.size() - EthernetRepr::kLen);
  EXPECT_EQ(drops_.Total(), 0u);
}

TEST_F(GroStageTest, LinkPaddingIsNotMergedAsPayload) {
  const Bytes a = Payload(3, 1), b = Payload(3, 2);
  std::vector<Bytes> frames = {TcpFrame(1000, TcpFlag::kAck, a),
                               TcpFrame(1003, TcpFlag::kAck, b)};
  for (Bytes& f : frames) f.resize(f.size() + 10, std::byte{0xee});
  ASSERT_EQ(Run(frames), 1u);
  ASSERT_TRUE(chained_[0]);
  const Bytes got = Linear(pkts_[0]);
  const size_t hdr = frames[0].size() - 10 - a.size();
  ASSERT_EQ(got.size(), hdr + a.size() + b.size());
  EXPECT_TRUE(std::equal(a.begin(), a.end(), got.begin() + hdr));
  EXPECT_TRUE(std::equal(b.begin(), b.end(), got.begin() + hdr + a.size()));
}

TEST_F(GroStageTest, BadChecksumFrameIsDroppedAndCountedNotMerged) {
  std::vector<Bytes> frames;
  for (int i = 0; i < 3; ++i) {
    frames.push_back(
        TcpFrame(1000 + i * kMss, TcpFlag::kAck, Payload(kMss, 1)));
  }
  frames[1].back() ^= std::byte{0x55};  // payload byte: TCP checksum fails
  const size_t n = Run(frames);
  EXPECT_EQ(drops_[DropReason::kTcpBadChecksum], 1u);
  // Frames 0 and 2 are not consecutive: nothing merges.
  ASSERT_EQ(n, 2u);
  EXPECT_EQ(link_.rx_gro_super_segments, 0u);
  for (size_t i = 0; i < n; ++i) {
    EXPECT_FALSE(chained_[i]);
    EXPECT_EQ(pkts_[i].mbuf()->nb_segs, 1);
  }
}

TEST_F(GroStageTest, BadIpChecksumFrameIsDroppedAndCounted) {
  std::vector<Bytes> frames = {TcpFrame(1000, TcpFlag::kAck, Payload(kMss, 1)),
                               TcpFrame(2000, TcpFlag::kAck, Payload(kMss, 2))};
  frames[0][EthernetRepr::kLen + 10] ^= std::byte{0x01};
  EXPECT_EQ(Run(frames), 1u);
  EXPECT_EQ(drops_[DropReason::kIpBadChecksum], 1u);
}

TEST_F(GroStageTest, OtherFramesPassUntouchedInPlace) {
  std::vector<Bytes> frames = {
      TcpFrame(1000, TcpFlag::kAck | TcpFlag::kPsh, Payload(kMss, 1)),
      TcpFrame(2000, TcpFlag::kAck, Payload(kMss, 2), /*MF, offset 0*/ 0x2000),
      Ipv4Frame(PeerToUs(IpProtocol::kUdp), Payload(100, 3)),
      TcpFrame(3000, TcpFlag::kAck, {}),  // pure ACK, no payload
      TcpFrame(4000, TcpFlag::kAck, Payload(kMss, 4), /*offset 8*/ 0x0001),
  };
  ASSERT_EQ(Run(frames), frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_FALSE(chained_[i]);
    EXPECT_EQ(Linear(pkts_[i]), frames[i]) << i;
    // Untouched: no checksum verdict was invented for them.
    EXPECT_EQ(pkts_[i].rx_l4_checksum(), RxChecksum::kUnknown) << i;
  }
  EXPECT_EQ(link_.rx_gro_frames, 0u);
  EXPECT_EQ(drops_.Total(), 0u);
}

// One mergeable frame among others: nothing can merge, so the burst is
// left alone (the checksums are the layers' to verify, as without GRO).
TEST_F(GroStageTest, OneMergeableFrameLeavesTheBurstUntouched) {
  std::vector<Bytes> frames = {
      TcpFrame(1000, TcpFlag::kAck | TcpFlag::kPsh, Payload(kMss, 1)),
      TcpFrame(2000, TcpFlag::kAck, Payload(kMss, 2)),
      TcpFrame(3000, TcpFlag::kAck, {}),
  };
  frames[1].back() ^= std::byte{0x55};  // bad TCP checksum: not GRO's call
  ASSERT_EQ(Run(frames), frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_FALSE(chained_[i]);
    EXPECT_EQ(Linear(pkts_[i]), frames[i]) << i;
    EXPECT_EQ(pkts_[i].rx_l4_checksum(), RxChecksum::kUnknown) << i;
  }
  EXPECT_EQ(drops_.Total(), 0u);
}

TEST_F(GroStageTest, RunsOnEitherSideOfAnotherFrameMergeSeparately) {
  std::vector<Bytes> frames = {
      TcpFrame(1000, TcpFlag::kAck, Payload(kMss, 1)),
      TcpFrame(2000, TcpFlag::kAck, Payload(kMss, 2)),
      Ipv4Frame(PeerToUs(IpProtocol::kUdp), Payload(100, 3)),
      TcpFrame(3000, TcpFlag::kAck, Payload(kMss, 4)),
      TcpFrame(4000, TcpFlag::kAck, Payload(kMss, 5)),
  };
  ASSERT_EQ(Run(frames), 3u);
  EXPECT_TRUE(chained_[0]);
  EXPECT_FALSE(chained_[1]);
  EXPECT_EQ(Linear(pkts_[1]), frames[2]);  // the UDP frame stays in order
  EXPECT_TRUE(chained_[2]);
  EXPECT_EQ(link_.rx_gro_frames, 4u);
  EXPECT_EQ(link_.rx_gro_super_segments, 2u);
}

}  // namespace
}  // namespace skiff::testing
