#include "stack/wire/ethernet.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "tests/unit/wire/test_bytes.h"

namespace skiff {
namespace {

using ::skiff::testing::Bytes;

const MacAddress kDst({0x02, 0x00, 0x0a, 0xc9, 0x00, 0x02});
const MacAddress kSrc({0x02, 0x00, 0x0a, 0xc9, 0x00, 0x01});

// dst, src, type 0x0800, then four payload bytes.
std::vector<std::byte> Untagged() {
  return Bytes({0x02, 0x00, 0x0a, 0xc9, 0x00, 0x02, 0x02, 0x00, 0x0a, 0xc9,
                0x00, 0x01, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef});
}

// Inserts a 4-byte tag (TPID, TCI) after the source address.
std::vector<std::byte> WithTag(std::vector<std::byte> f, uint16_t tpid,
                               uint16_t tci) {
  std::array<std::byte, 4> tag;
  StoreBe16(tag.data(), tpid);
  StoreBe16(tag.data() + 2, tci);
  f.insert(f.begin() + 12, tag.begin(), tag.end());
  return f;
}

TEST(EthernetView, ParsesUntaggedFrame) {
  auto f = Untagged();
  DropReason why{};
  auto v = EthernetView::Parse(f, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->dst(), kDst);
  EXPECT_EQ(v->src(), kSrc);
  EXPECT_EQ(v->ethertype(), EtherType::kIpv4);
  EXPECT_FALSE(v->has_vlan());
  EXPECT_FALSE(v->is_qinq());
  EXPECT_EQ(v->vlan_id(), 0);
  EXPECT_EQ(v->vlan_tpid(), 0);
  EXPECT_EQ(v->header_len(), 14u);
  ASSERT_EQ(v->payload().size(), 4u);
  EXPECT_EQ(v->payload().data(), f.data() + 14);
}

TEST(EthernetView, HeaderOnlyFrameHasEmptyPayload) {
  auto f = Untagged();
  f.resize(14);
  DropReason why{};
  auto v = EthernetView::Parse(f, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->payload().empty());
}

TEST(EthernetView, TruncatedAtEveryLength_TooShort) {
  auto f = Untagged();
  for (size_t len = 0; len < kEthernetHeaderLen; ++len) {
    DropReason why{};
    EXPECT_FALSE(EthernetView::Parse({f.data(), len}, &why).has_value()) << len;
    EXPECT_EQ(why, DropReason::kEthTooShort) << len;
  }
}

TEST(EthernetView, Dot1qTag_ParsedThrough) {
  // PCP 5, DEI 0, VID 100.
  auto f = WithTag(Untagged(), EtherType::kVlan, (5 << 13) | 100);
  DropReason why{};
  auto v = EthernetView::Parse(f, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->has_vlan());
  EXPECT_FALSE(v->is_qinq());
  EXPECT_EQ(v->vlan_tpid(), EtherType::kVlan);
  EXPECT_EQ(v->vlan_id(), 100);
  EXPECT_EQ(v->vlan_tci() >> 13, 5);
  EXPECT_EQ(v->ethertype(), EtherType::kIpv4);
  EXPECT_EQ(v->header_len(), 18u);
  ASSERT_EQ(v->payload().size(), 4u);
  EXPECT_EQ(v->payload()[0], std::byte{0xde});
  EXPECT_EQ(v->src(), kSrc);
}

TEST(EthernetView, TaggedTruncatedInsideTag_TooShort) {
  auto f = WithTag(Untagged(), EtherType::kVlan, 7);
  for (size_t len = kEthernetHeaderLen; len < 18; ++len) {
    DropReason why{};
    EXPECT_FALSE(EthernetView::Parse({f.data(), len}, &why).has_value()) << len;
    EXPECT_EQ(why, DropReason::kEthTooShort) << len;
  }
  DropReason why{};
  EXPECT_TRUE(EthernetView::Parse({f.data(), 18}, &why).has_value());
}

TEST(EthernetView, QinQ_RecognisedAndInnerTagExposed) {
  // 802.1ad S-tag VID 200 outside an 802.1Q C-tag VID 100.
  auto f = WithTag(WithTag(Untagged(), EtherType::kVlan, 100), EtherType::kQinQ,
                   200);
  DropReason why{};
  auto v = EthernetView::Parse(f, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->has_vlan());
  EXPECT_TRUE(v->is_qinq());
  EXPECT_EQ(v->vlan_tpid(), EtherType::kQinQ);
  EXPECT_EQ(v->vlan_id(), 200);
  // Parsed through one tag only: the payload starts at the inner tag.
  EXPECT_EQ(v->ethertype(), EtherType::kVlan);
  EXPECT_EQ(v->header_len(), 18u);
  EXPECT_EQ(LoadBe16(v->payload().data()), 100);
}

TEST(EthernetView, SingleTagWith88a8_IsVlanNotQinQ) {
  auto f = WithTag(Untagged(), EtherType::kQinQ, 300);
  DropReason why{};
  auto v = EthernetView::Parse(f, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->has_vlan());
  EXPECT_FALSE(v->is_qinq());
  EXPECT_EQ(v->vlan_id(), 300);
  EXPECT_EQ(v->ethertype(), EtherType::kIpv4);
}

TEST(EthernetRepr, EmitMatchesBytes) {
  EthernetRepr r{kDst, kSrc, EtherType::kIpv4};
  std::array<std::byte, 14> out{};
  r.Emit(out.data());
  auto want = Untagged();
  want.resize(14);
  EXPECT_EQ(std::vector<std::byte>(out.begin(), out.end()), want);
}

TEST(EthernetRepr, FromViewRoundTrips) {
  auto f = Untagged();
  DropReason why{};
  auto v = EthernetView::Parse(f, &why);
  ASSERT_TRUE(v.has_value());
  EthernetRepr r = EthernetRepr::FromView(*v);
  EXPECT_EQ(r, (EthernetRepr{kDst, kSrc, EtherType::kIpv4}));
  std::array<std::byte, EthernetRepr::kLen> out{};
  r.Emit(out.data());
  EXPECT_TRUE(std::equal(out.begin(), out.end(), f.begin()));
}

TEST(EthernetRepr, FromTaggedViewKeepsInnerType) {
  auto f = WithTag(Untagged(), EtherType::kVlan, 9);
  DropReason why{};
  auto v = EthernetView::Parse(f, &why);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(EthernetRepr::FromView(*v).ethertype, EtherType::kIpv4);
}

}  // namespace
}  // namespace skiff
