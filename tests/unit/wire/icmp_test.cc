#include "stack/wire/icmp.h"

#include <gtest/gtest.h>

#include <vector>

#include "stack/wire/ipv4.h"
#include "tests/unit/wire/test_bytes.h"

namespace skiff {
namespace {

using ::skiff::testing::Bytes;
using ::skiff::testing::ToVector;

std::vector<std::byte> Payload(size_t n) {
  std::vector<std::byte> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<std::byte>(0x10 + i);
  return p;
}

std::vector<std::byte> EmitEcho(const IcmpEchoRepr& r) {
  std::vector<std::byte> out(r.len());
  r.Emit(out.data());
  return out;
}

TEST(IcmpEchoRepr, EmitThenParse_RoundTrips) {
  const auto data = Payload(56);
  IcmpEchoRepr r{IcmpType::kEchoRequest, 0x1ec5, 7, data};
  auto msg = EmitEcho(r);
  ASSERT_EQ(msg.size(), 64u);
  EXPECT_EQ(msg[0], std::byte{8});
  EXPECT_EQ(msg[1], std::byte{0});
  DropReason why{};
  auto v = IcmpView::Parse(msg, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ChecksumValid());
  EXPECT_EQ(v->type(), IcmpType::kEchoRequest);
  EXPECT_EQ(v->code(), 0);
  EXPECT_EQ(v->checksum(), LoadBe16(&msg[2]));
  EXPECT_EQ(v->echo_ident(), 0x1ec5);
  EXPECT_EQ(v->echo_seq(), 7);
  EXPECT_EQ(ToVector(v->payload()), data);
  auto back = IcmpEchoRepr::FromView(*v);
  EXPECT_EQ(back.type, r.type);
  EXPECT_EQ(back.ident, r.ident);
  EXPECT_EQ(back.seq, r.seq);
  EXPECT_EQ(EmitEcho(back), msg);
}

TEST(IcmpEchoRepr, KnownChecksum) {
  // Echo request, ident 1, seq 1, no data: 0x0800 + 0x0001 + 0x0001 = 0x0802.
  IcmpEchoRepr r{IcmpType::kEchoRequest, 1, 1, {}};
  EXPECT_EQ(EmitEcho(r),
            Bytes({0x08, 0x00, 0xf7, 0xfd, 0x00, 0x01, 0x00, 0x01}));
}

TEST(IcmpEchoRepr, OddLengthPayload_ChecksumValid) {
  for (size_t n : {1, 3, 57, 1473}) {
    const auto data = Payload(n);
    auto msg = EmitEcho({IcmpType::kEchoReply, 3, 4, data});
    DropReason why{};
    auto v = IcmpView::Parse(msg, &why);
    ASSERT_TRUE(v.has_value());
    EXPECT_TRUE(v->ChecksumValid()) << n;
    EXPECT_EQ(v->type(), IcmpType::kEchoReply);
  }
}

TEST(IcmpView, ShorterThanEight_Malformed) {
  auto msg = EmitEcho({IcmpType::kEchoRequest, 1, 2, {}});
  for (size_t len = 0; len < kIcmpHeaderLen; ++len) {
    DropReason why{};
    EXPECT_FALSE(IcmpView::Parse({msg.data(), len}, &why).has_value()) << len;
    EXPECT_EQ(why, DropReason::kIcmpMalformed) << len;
  }
  DropReason why{};
  auto v = IcmpView::Parse(msg, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->payload().empty());
}

TEST(IcmpView, ChecksumInvalidAfterAnyBitFlip) {
  const auto data = Payload(21);
  const auto good = EmitEcho({IcmpType::kEchoRequest, 0xabcd, 9, data});
  for (size_t bit = 0; bit < good.size() * 8; ++bit) {
    auto msg = good;
    msg[bit / 8] ^= static_cast<std::byte>(1 << (bit % 8));
    DropReason why{};
    auto v = IcmpView::Parse(msg, &why);
    ASSERT_TRUE(v.has_value());
    EXPECT_FALSE(v->ChecksumValid()) << "bit " << bit;
  }
}

// The offending datagram: an IPv4 header and the first 8 bytes of UDP.
std::vector<std::byte> Original() {
  Ipv4Repr ip{.src = Ipv4Address(10, 201, 0, 1),
              .dst = Ipv4Address(10, 201, 0, 2),
              .protocol = IpProtocol::kUdp,
              .id = 77,
              .payload_len = 14};
  std::vector<std::byte> d(28);
  ip.Emit(d.data(), true);
  StoreBe16(&d[20], 40000);  // source port
  StoreBe16(&d[22], 9);      // destination port
  StoreBe16(&d[24], 14);     // length
  return d;
}

TEST(IcmpUnreachableRepr, PortUnreachable_CarriesOriginal) {
  const auto orig = Original();
  IcmpUnreachableRepr r{IcmpUnreachCode::kPort, orig};
  std::vector<std::byte> msg(r.len());
  ASSERT_EQ(msg.size(), 36u);
  r.Emit(msg.data());
  DropReason why{};
  auto v = IcmpView::Parse(msg, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ChecksumValid());
  EXPECT_EQ(v->type(), IcmpType::kDestUnreachable);
  EXPECT_EQ(v->code(), IcmpUnreachCode::kPort);
  EXPECT_EQ(LoadBe32(&msg[4]), 0u);  // unused, must be zero (RFC 792)
  EXPECT_EQ(ToVector(v->payload()), orig);
}

TEST(IcmpUnreachableRepr, FragNeeded_CarriesNextHopMtu) {
  const auto orig = Original();
  IcmpUnreachableRepr r{IcmpUnreachCode::kFragNeeded, orig, 1400};
  std::vector<std::byte> msg(r.len());
  r.Emit(msg.data());
  DropReason why{};
  auto v = IcmpView::Parse(msg, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ChecksumValid());
  EXPECT_EQ(v->next_hop_mtu(), 1400);
  EXPECT_EQ(LoadBe16(&msg[4]), 0);
}

TEST(IcmpUnreachableRepr, MtuIgnoredForOtherCodes) {
  const auto orig = Original();
  IcmpUnreachableRepr r{IcmpUnreachCode::kHost, orig, 1400};
  std::vector<std::byte> msg(r.len());
  r.Emit(msg.data());
  EXPECT_EQ(LoadBe32(&msg[4]), 0u);
}

// ---- the datagram an error quotes (IcmpQuoteView) ----

// A TCP segment of ours as a router quotes it: the IPv4 header (total
// length of the whole original) and the first 8 bytes of TCP.
std::vector<std::byte> QuotedTcp(uint16_t original_len = 1500) {
  Ipv4Repr ip{.src = Ipv4Address(10, 201, 0, 1),
              .dst = Ipv4Address(10, 201, 0, 2),
              .protocol = IpProtocol::kTcp,
              .id = 9,
              .payload_len = static_cast<uint16_t>(original_len - 20)};
  std::vector<std::byte> d(28);
  ip.Emit(d.data(), true);
  StoreBe16(&d[20], 49152);       // source port
  StoreBe16(&d[22], 80);          // destination port
  StoreBe32(&d[24], 0xdeadbeef);  // sequence number
  return d;
}

TEST(IcmpQuoteView, MinimalQuote_FieldsRead) {
  const auto q = QuotedTcp();
  DropReason why{};
  auto v = IcmpQuoteView::Parse(q, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->protocol(), IpProtocol::kTcp);
  EXPECT_EQ(v->src(), Ipv4Address(10, 201, 0, 1));
  EXPECT_EQ(v->dst(), Ipv4Address(10, 201, 0, 2));
  EXPECT_EQ(v->total_length(), 1500);  // the original's, not the quote's
  EXPECT_EQ(v->header_len(), 20u);
  ASSERT_EQ(v->transport().size(), 8u);
  EXPECT_EQ(LoadBe16(v->transport().data()), 49152);
  EXPECT_EQ(LoadBe16(v->transport().data() + 2), 80);
  EXPECT_EQ(LoadBe32(v->transport().data() + 4), 0xdeadbeefu);
}

TEST(IcmpQuoteView, LongerQuoteWithOptions_TransportAfterOptions) {
  // IHL 6 (one option word) and 20 transport bytes (RFC 1812 quotes more).
  std::vector<std::byte> q(24 + 20);
  Store8(&q[0], 0x46);
  StoreBe16(&q[2], 600);
  Store8(&q[9], IpProtocol::kTcp);
  StoreBe16(&q[24], 1234);
  DropReason why{};
  auto v = IcmpQuoteView::Parse(q, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->header_len(), 24u);
  EXPECT_EQ(v->transport().size(), 20u);
  EXPECT_EQ(LoadBe16(v->transport().data()), 1234);
}

TEST(IcmpQuoteView, FewerThanEightTransportBytes_BadQuote) {
  const auto q = QuotedTcp();
  for (size_t len = 0; len < q.size(); ++len) {
    DropReason why{};
    EXPECT_FALSE(IcmpQuoteView::Parse({q.data(), len}, &why)) << len;
    EXPECT_EQ(why, DropReason::kIcmpBadQuote) << len;
  }
}

TEST(IcmpQuoteView, OptionsLeaveNoEightBytes_BadQuote) {
  auto q = QuotedTcp();
  Store8(&q[0], 0x46);  // IHL 6: only 4 bytes left after the header
  DropReason why{};
  EXPECT_FALSE(IcmpQuoteView::Parse(q, &why));
  EXPECT_EQ(why, DropReason::kIcmpBadQuote);
}

TEST(IcmpQuoteView, NotVersion4OrShortIhl_BadQuote) {
  for (uint8_t vihl : {0x65, 0x44, 0x40, 0x05}) {
    auto q = QuotedTcp();
    Store8(&q[0], vihl);
    DropReason why{};
    EXPECT_FALSE(IcmpQuoteView::Parse(q, &why)) << int{vihl};
    EXPECT_EQ(why, DropReason::kIcmpBadQuote);
  }
}

TEST(IcmpQuoteView, LaterFragment_BadQuoteButFirstFragmentFine) {
  auto q = QuotedTcp();
  StoreBe16(&q[6], 0x2000);  // MF, offset 0: the first fragment has ports
  DropReason why{};
  EXPECT_TRUE(IcmpQuoteView::Parse(q, &why));
  StoreBe16(&q[6], 0x0001);  // offset 8 bytes: no transport header
  EXPECT_FALSE(IcmpQuoteView::Parse(q, &why));
  EXPECT_EQ(why, DropReason::kIcmpBadQuote);
}

TEST(Rfc1191Plateau, LargestPlateauBelowTheLength) {
  EXPECT_EQ(Rfc1191PlateauBelow(1500), 1492);
  EXPECT_EQ(Rfc1191PlateauBelow(1492), 1006);  // strictly below
  EXPECT_EQ(Rfc1191PlateauBelow(4464), 4352);  // FDDI
  EXPECT_EQ(Rfc1191PlateauBelow(65535), 32000);
  EXPECT_EQ(Rfc1191PlateauBelow(576), 508);
  EXPECT_EQ(Rfc1191PlateauBelow(296), 68);
  EXPECT_EQ(Rfc1191PlateauBelow(0), 68);
}

}  // namespace
}  // namespace skiff
