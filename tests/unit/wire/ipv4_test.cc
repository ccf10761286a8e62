#include "stack/wire/ipv4.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "tests/unit/wire/test_bytes.h"

namespace skiff {
namespace {

using ::skiff::testing::Bytes;
using ::skiff::testing::ToVector;

// The echo request header Linux sent in our capture (ping 10.201.0.2).
std::vector<std::byte> EchoHeader() {
  return Bytes({0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x40, 0x00, 0x40, 0x01,
                0x00, 0x00, 0x0a, 0xc9, 0x00, 0x01, 0x0a, 0xc9, 0x00, 0x02});
}

const Ipv4Repr kRepr{.src = Ipv4Address(10, 201, 0, 1),
                     .dst = Ipv4Address(10, 201, 0, 2),
                     .protocol = IpProtocol::kIcmp,
                     .ttl = 64,
                     .tos = 0,
                     .id = 0x1234,
                     .dont_fragment = true,
                     .payload_len = 64};

// A whole datagram: kRepr's header then `payload_len` bytes 0, 1, 2, ...
std::vector<std::byte> Datagram(const Ipv4Repr& r = kRepr) {
  std::vector<std::byte> d(Ipv4Repr::kLen + r.payload_len);
  r.Emit(d.data(), /*fill_checksum=*/true);
  for (size_t i = Ipv4Repr::kLen; i < d.size(); ++i) {
    d[i] = static_cast<std::byte>(i - Ipv4Repr::kLen);
  }
  return d;
}

// Sets the header's IHL and total length, then recomputes its checksum.
void Rewrite(std::vector<std::byte>& d, int ihl, uint16_t total) {
  d[0] = static_cast<std::byte>(0x40 | ihl);
  StoreBe16(&d[2], total);
  StoreBe16(&d[10], 0);
  size_t hlen = std::min<size_t>(size_t(ihl) * 4, d.size());
  StoreBe16(&d[10], InternetChecksum({d.data(), hlen}));
}

std::optional<Ipv4View> Parse(ConstByteSpan b, DropReason* why) {
  return Ipv4View::Parse(b, why);
}

TEST(Ipv4Repr, EmitMatchesKernelHeader) {
  std::array<std::byte, Ipv4Repr::kLen> out{};
  kRepr.Emit(out.data(), /*fill_checksum=*/false);
  EXPECT_EQ(ToVector(out), EchoHeader());
  kRepr.Emit(out.data(), /*fill_checksum=*/true);
  EXPECT_NE(LoadBe16(&out[10]), 0);
  EXPECT_EQ(InternetChecksum(out), 0);
}

TEST(Ipv4Repr, DontFragmentClear_FlagsZero) {
  Ipv4Repr r = kRepr;
  r.dont_fragment = false;
  std::array<std::byte, Ipv4Repr::kLen> out{};
  r.Emit(out.data(), true);
  EXPECT_EQ(LoadBe16(&out[6]), 0);
}

TEST(Ipv4View, ParsesEmittedDatagram) {
  auto d = Datagram();
  DropReason why{};
  auto v = Parse(d, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ChecksumValid());
  EXPECT_EQ(v->header_len(), 20u);
  EXPECT_EQ(v->total_length(), 84);
  EXPECT_EQ(v->tos(), 0);
  EXPECT_EQ(v->id(), 0x1234);
  EXPECT_TRUE(v->dont_fragment());
  EXPECT_FALSE(v->more_fragments());
  EXPECT_EQ(v->fragment_offset(), 0);
  EXPECT_FALSE(v->is_fragment());
  EXPECT_EQ(v->ttl(), 64);
  EXPECT_EQ(v->protocol(), IpProtocol::kIcmp);
  EXPECT_EQ(v->checksum(), LoadBe16(&d[10]));
  EXPECT_EQ(v->src(), Ipv4Address(10, 201, 0, 1));
  EXPECT_EQ(v->dst(), Ipv4Address(10, 201, 0, 2));
  EXPECT_TRUE(v->options().empty());
  EXPECT_EQ(v->header().size(), 20u);
  EXPECT_EQ(v->payload().size(), 64u);
  EXPECT_EQ(v->payload().data(), d.data() + 20);
  EXPECT_EQ(Ipv4Repr::FromView(*v), kRepr);
}

TEST(Ipv4View, LinkPadding_ExcludedFromPayload) {
  Ipv4Repr r = kRepr;
  r.payload_len = 6;  // a small UDP datagram, padded to the 60-byte minimum
  auto d = Datagram(r);
  d.resize(46, std::byte{0});
  DropReason why{};
  auto v = Parse(d, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->total_length(), 26);
  EXPECT_EQ(v->payload().size(), 6u);
  EXPECT_EQ(v->datagram().size(), 26u);
}

TEST(Ipv4View, Options_SkippedViaIhl) {
  // IHL 6: one NOP, then End of Option List padding (RFC 791 §3.1).
  auto d = Datagram();
  std::array<std::byte, 4> opts = {std::byte{1}, std::byte{0}, std::byte{0},
                                   std::byte{0}};
  d.insert(d.begin() + 20, opts.begin(), opts.end());
  Rewrite(d, 6, static_cast<uint16_t>(d.size()));
  DropReason why{};
  auto v = Parse(d, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ChecksumValid());
  EXPECT_EQ(v->header_len(), 24u);
  EXPECT_EQ(ToVector(v->options()), ToVector(opts));
  ASSERT_EQ(v->payload().size(), 64u);
  EXPECT_EQ(v->payload()[0], std::byte{0});
  EXPECT_EQ(v->payload()[63], std::byte{63});
}

TEST(Ipv4View, MaximumIhl_SixtyByteHeader) {
  auto d = Datagram();
  d.insert(d.begin() + 20, 40, std::byte{1});  // 40 NOPs
  Rewrite(d, 15, static_cast<uint16_t>(d.size()));
  DropReason why{};
  auto v = Parse(d, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->header_len(), 60u);
  EXPECT_EQ(v->options().size(), 40u);
  EXPECT_EQ(v->payload().size(), 64u);
  EXPECT_TRUE(v->ChecksumValid());
}

TEST(Ipv4View, FragmentFields) {
  auto d = Datagram();
  StoreBe16(&d[6], 0x2000);  // MF, offset 0: first fragment
  DropReason why{};
  auto v = Parse(d, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->more_fragments());
  EXPECT_FALSE(v->dont_fragment());
  EXPECT_EQ(v->fragment_offset(), 0);
  EXPECT_TRUE(v->is_fragment());

  StoreBe16(&d[6], 185);  // last fragment at byte 1480
  v = Parse(d, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->more_fragments());
  EXPECT_EQ(v->fragment_offset(), 185);
  EXPECT_TRUE(v->is_fragment());

  StoreBe16(&d[6], 0x4000);  // DF only: whole datagram
  v = Parse(d, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->is_fragment());
}

TEST(Ipv4View, TruncatedAtEveryLength_TooShort) {
  auto d = Datagram();
  for (size_t len = 0; len < 20; ++len) {
    DropReason why{};
    EXPECT_FALSE(Parse({d.data(), len}, &why).has_value()) << len;
    EXPECT_EQ(why, DropReason::kIpTooShort) << len;
  }
}

TEST(Ipv4View, TruncatedPayload_BadLength) {
  // Header intact, but fewer bytes than total_length arrived.
  auto d = Datagram();
  for (size_t len = 20; len < d.size(); ++len) {
    DropReason why{};
    EXPECT_FALSE(Parse({d.data(), len}, &why).has_value()) << len;
    EXPECT_EQ(why, DropReason::kIpBadLength) << len;
  }
}

TEST(Ipv4View, BadVersion) {
  for (int version : {0, 1, 5, 6, 15}) {
    auto d = Datagram();
    d[0] = static_cast<std::byte>((version << 4) | 5);
    DropReason why{};
    EXPECT_FALSE(Parse(d, &why).has_value()) << version;
    EXPECT_EQ(why, DropReason::kIpBadVersion) << version;
  }
}

TEST(Ipv4View, IhlBelowFive_BadIhl) {
  for (int ihl = 0; ihl < 5; ++ihl) {
    auto d = Datagram();
    Rewrite(d, ihl, static_cast<uint16_t>(d.size()));
    DropReason why{};
    EXPECT_FALSE(Parse(d, &why).has_value()) << ihl;
    EXPECT_EQ(why, DropReason::kIpBadIhl) << ihl;
  }
}

TEST(Ipv4View, IhlBeyondBuffer_BadIhl) {
  for (int ihl = 6; ihl <= 15; ++ihl) {
    // Buffer holds ihl*4 - 1 bytes: one short of the announced header.
    auto d = Datagram();
    d.resize(size_t(ihl) * 4 - 1);
    Rewrite(d, ihl, static_cast<uint16_t>(d.size()));
    DropReason why{};
    EXPECT_FALSE(Parse(d, &why).has_value()) << ihl;
    EXPECT_EQ(why, DropReason::kIpBadIhl) << ihl;
  }
}

TEST(Ipv4View, TotalLengthBelowHeader_BadLength) {
  for (uint16_t total : {0, 1, 19}) {
    auto d = Datagram();
    Rewrite(d, 5, total);
    DropReason why{};
    EXPECT_FALSE(Parse(d, &why).has_value()) << total;
    EXPECT_EQ(why, DropReason::kIpBadLength) << total;
  }
  // Options make the header 24 bytes; total_length 20 covers only part.
  auto d = Datagram();
  Rewrite(d, 6, 20);
  DropReason why{};
  EXPECT_FALSE(Parse(d, &why).has_value());
  EXPECT_EQ(why, DropReason::kIpBadLength);
}

TEST(Ipv4View, TotalLengthBeyondBuffer_BadLength) {
  for (uint16_t extra : {1, 100, 65535 - 84}) {
    auto d = Datagram();
    Rewrite(d, 5, static_cast<uint16_t>(d.size() + extra));
    DropReason why{};
    EXPECT_FALSE(Parse(d, &why).has_value()) << extra;
    EXPECT_EQ(why, DropReason::kIpBadLength) << extra;
  }
}

TEST(Ipv4View, HeaderOnlyDatagram_EmptyPayload) {
  Ipv4Repr r = kRepr;
  r.payload_len = 0;
  auto d = Datagram(r);
  DropReason why{};
  auto v = Parse(d, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->payload().empty());
}

TEST(Ipv4View, ChecksumInvalidAfterAnyHeaderBitFlip) {
  const auto good = Datagram();
  for (size_t bit = 0; bit < 20 * 8; ++bit) {
    auto d = good;
    d[bit / 8] ^= static_cast<std::byte>(1 << (bit % 8));
    DropReason why{};
    auto v = Parse(d, &why);
    if (!v.has_value()) continue;  // version/IHL/length bits: caught earlier
    EXPECT_FALSE(v->ChecksumValid()) << "bit " << bit;
  }
}

TEST(Ipv4View, PayloadBitFlip_HeaderChecksumStillValid) {
  auto d = Datagram();
  d[30] ^= std::byte{0x10};
  DropReason why{};
  auto v = Parse(d, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ChecksumValid());  // RFC 791: the header checksum only
}

}  // namespace
}  // namespace skiff
