#include "stack/wire/tcp.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/wire/test_bytes.h"

namespace skiff {
namespace {

using ::skiff::testing::Bytes;
using ::skiff::testing::HexDump;
using ::skiff::testing::ToVector;

// Captured with tcpdump on a namespace's loopback (MTU 1500), Linux 6.x:
// `nc 127.0.0.1 8080`. Loopback leaves the checksum field holding the
// pseudo-header sum only (CHECKSUM_PARTIAL), exactly what a NIC with tx
// offload expects, so these bytes double as the offload-seed test vector.
const Ipv4Address kLo(127, 0, 0, 1);

std::vector<std::byte> LinuxSyn() {  // 38612 > 8080 [S] mss,sackOK,TS,wscale
  return Bytes({0x96, 0xd4, 0x1f, 0x90, 0xfc, 0x6b, 0x53, 0xda, 0x00, 0x00,
                0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xfe, 0x30, 0x00, 0x00,
                0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x29, 0x97,
                0x73, 0x9a, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a});
}
std::vector<std::byte> LinuxSynAck() {
  return Bytes({0x1f, 0x90, 0x96, 0xd4, 0x43, 0x4f, 0x3f, 0xc5, 0xfc, 0x6b,
                0x53, 0xdb, 0xa0, 0x12, 0xfe, 0x88, 0xfe, 0x30, 0x00, 0x00,
                0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0xc6, 0xba,
                0xab, 0x4f, 0x29, 0x97, 0x73, 0x9a, 0x01, 0x03, 0x03, 0x0a});
}
std::vector<std::byte> LinuxData() {  // [P.] seq 1:7 "hello\n"
  return Bytes({0x96, 0xd4, 0x1f, 0x90, 0xfc, 0x6b, 0x53, 0xdb, 0x43, 0x4f,
                0x3f, 0xc6, 0x80, 0x18, 0x00, 0x3f, 0xfe, 0x2e, 0x00, 0x00,
                0x01, 0x01, 0x08, 0x0a, 0x29, 0x97, 0x73, 0x9a, 0xc6, 0xba,
                0xab, 0x4f, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a});
}

TcpRepr ParseRepr(const std::vector<std::byte>& b) {
  DropReason why{};
  auto v = TcpView::Parse(b, &why);
  EXPECT_TRUE(v.has_value());
  auto r = TcpRepr::FromView(*v, &why);
  EXPECT_TRUE(r.has_value());
  return *r;
}

std::vector<std::byte> EmitWithSeed(const TcpRepr& r, ConstByteSpan payload) {
  std::vector<std::byte> out(r.header_len() + payload.size());
  r.Emit(out.data());
  std::copy(payload.begin(), payload.end(), out.begin() + r.header_len());
  TcpFillPseudoHeaderChecksum(out, kLo, kLo);
  return out;
}

TEST(TcpView, ParsesLinuxSyn) {
  auto b = LinuxSyn();
  DropReason why{};
  auto v = TcpView::Parse(b, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->src_port(), 38612);
  EXPECT_EQ(v->dst_port(), 8080);
  EXPECT_EQ(v->seq(), SeqNum(4234892250u));
  EXPECT_EQ(v->flags(), TcpFlag::kSyn);
  EXPECT_EQ(v->window(), 64240);
  EXPECT_EQ(v->header_len(), 40u);
  EXPECT_EQ(v->options().size(), 20u);
  EXPECT_TRUE(v->payload().empty());
  TcpRepr r = *TcpRepr::FromView(*v, &why);
  EXPECT_EQ(r.options.mss, 1460);
  EXPECT_TRUE(r.options.sack_permitted);
  ASSERT_TRUE(r.options.timestamp.has_value());
  EXPECT_EQ(r.options.timestamp->tsval, 697791386u);
  EXPECT_EQ(r.options.timestamp->tsecr, 0u);
  EXPECT_EQ(r.options.window_scale, 10);
}

TEST(TcpRepr, EmitsLinuxSynByteExact) {
  auto b = LinuxSyn();
  EXPECT_EQ(HexDump(EmitWithSeed(ParseRepr(b), {})), HexDump(b));
}

TEST(TcpRepr, EmitsLinuxSynAckByteExact) {
  auto b = LinuxSynAck();
  TcpRepr r = ParseRepr(b);
  EXPECT_EQ(r.flags, TcpFlag::kSyn | TcpFlag::kAck);
  EXPECT_EQ(r.ack, SeqNum(4234892251u));
  EXPECT_EQ(HexDump(EmitWithSeed(r, {})), HexDump(b));
}

TEST(TcpRepr, EmitsLinuxDataSegmentByteExact) {
  auto b = LinuxData();
  TcpRepr r = ParseRepr(b);
  EXPECT_FALSE(r.options.mss.has_value());
  ASSERT_TRUE(r.options.timestamp.has_value());
  EXPECT_EQ(r.options.timestamp->tsecr, 0xc6baab4fu);
  DropReason why{};
  auto v = TcpView::Parse(b, &why);
  EXPECT_EQ(ToVector(v->payload()), ToVector(AsBytes("hello\n", 6)));
  EXPECT_EQ(HexDump(EmitWithSeed(r, v->payload())), HexDump(b));
}

TEST(TcpChecksum, FullChecksumValidates) {
  auto b = LinuxData();
  TcpFillChecksum(b, kLo, kLo);
  DropReason why{};
  auto v = TcpView::Parse(b, &why);
  EXPECT_TRUE(v->ChecksumValid(kLo, kLo));
  EXPECT_FALSE(v->ChecksumValid(kLo, Ipv4Address(127, 0, 0, 2)));
  b[25] ^= std::byte{1};
  EXPECT_FALSE(TcpView::Parse(b, &why)->ChecksumValid(kLo, kLo));
}

TEST(TcpView, TooShort_Malformed) {
  auto b = LinuxSyn();
  b.resize(19);
  DropReason why{};
  EXPECT_FALSE(TcpView::Parse(b, &why).has_value());
  EXPECT_EQ(why, DropReason::kTcpMalformed);
}

TEST(TcpView, DataOffsetBelowFive_BadOffset) {
  auto b = LinuxSyn();
  b[12] = std::byte{0x40};
  DropReason why{};
  EXPECT_FALSE(TcpView::Parse(b, &why).has_value());
  EXPECT_EQ(why, DropReason::kTcpBadOffset);
}

TEST(TcpView, DataOffsetPastEnd_BadOffset) {
  auto b = LinuxSyn();
  b.resize(36);
  DropReason why{};
  EXPECT_FALSE(TcpView::Parse(b, &why).has_value());
  EXPECT_EQ(why, DropReason::kTcpBadOffset);
}

TEST(TcpOptions, UnknownKindSkippedByLength) {
  auto o = TcpOptions::Parse(Bytes({0xfe, 0x04, 0xaa, 0xbb, 0x02, 0x04, 0x05,
                                    0xb4, 0x00, 0x00, 0x00, 0x00}));
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->mss, 1460);
}

TEST(TcpOptions, EolStopsParsing) {
  auto o = TcpOptions::Parse(Bytes({0x00, 0x02, 0x04, 0x05, 0xb4}));
  ASSERT_TRUE(o.has_value());
  EXPECT_FALSE(o->mss.has_value());
}

TEST(TcpOptions, MalformedLengths_Rejected) {
  EXPECT_FALSE(TcpOptions::Parse(Bytes({0x02, 0x01, 0x00, 0x00})));  // len 1
  EXPECT_FALSE(TcpOptions::Parse(Bytes({0x02, 0x08, 0x05, 0xb4})));  // past end
  EXPECT_FALSE(TcpOptions::Parse(Bytes({0x02, 0x03, 0x05, 0x01})));  // MSS 3
  EXPECT_FALSE(TcpOptions::Parse(Bytes({0x01, 0x01, 0x01, 0x08})));  // no len
  EXPECT_FALSE(TcpOptions::Parse(Bytes({0x05, 0x05, 0, 0, 0, 0, 0, 0})));
}

TEST(TcpOptions, WindowScaleAbove14_Clamped) {
  auto o = TcpOptions::Parse(Bytes({0x01, 0x03, 0x03, 0x20}));
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->window_scale, 14);
}

TEST(TcpOptions, SackBlocks_RoundTrip) {
  TcpOptions o;
  o.timestamp = TcpTimestamp{1, 2};
  o.sack_count = 3;
  o.sack[0] = {SeqNum(100), SeqNum(200)};
  o.sack[1] = {SeqNum(300), SeqNum(400)};
  o.sack[2] = {SeqNum(0xfffffff0u), SeqNum(0x10)};
  std::vector<std::byte> b(kTcpMaxOptionsLen);
  size_t n = o.Emit(b.data());
  EXPECT_EQ(n, 40u);
  EXPECT_EQ(n, o.EmittedLen());
  b.resize(n);
  auto back = TcpOptions::Parse(b);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, o);
}

TEST(TcpOptions, FourSackBlocksWithTimestamp_ThreeEmitted) {
  TcpOptions o;
  o.timestamp = TcpTimestamp{1, 2};
  o.sack_count = 4;
  for (uint32_t i = 0; i < 4; ++i) {
    o.sack[i] = {SeqNum(i * 100), SeqNum(i * 100 + 50)};
  }
  std::vector<std::byte> b(kTcpMaxOptionsLen);
  EXPECT_EQ(o.Emit(b.data()), 40u);
  auto back = TcpOptions::Parse(b);
  EXPECT_EQ(back->sack_count, 3);
  o.timestamp.reset();
  EXPECT_EQ(o.EmittedLen(), 36u);
}

TEST(TcpOptions, SackPermittedWithoutTimestamp_NopPadded) {
  TcpOptions o;
  o.mss = 1460;
  o.sack_permitted = true;
  std::vector<std::byte> b(o.EmittedLen());
  o.Emit(b.data());
  EXPECT_EQ(ToVector(b),
            Bytes({0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02}));
}

}  // namespace
}  // namespace skiff
