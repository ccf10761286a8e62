#include "stack/wire/arp.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "tests/unit/wire/test_bytes.h"

namespace skiff {
namespace {

using ::skiff::testing::Bytes;
using ::skiff::testing::ToVector;

// A who-has 10.201.0.2 tell 10.201.0.1, as Linux sends it (RFC 826).
std::vector<std::byte> Request() {
  return Bytes({0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,  //
                0x02, 0x00, 0x0a, 0xc9, 0x00, 0x01,              // sha
                0x0a, 0xc9, 0x00, 0x01,                          // spa
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00,              // tha
                0x0a, 0xc9, 0x00, 0x02});                        // tpa
}

const ArpRepr kRequest{
    ArpOp::kRequest, MacAddress({0x02, 0x00, 0x0a, 0xc9, 0x00, 0x01}),
    Ipv4Address(10, 201, 0, 1), MacAddress(), Ipv4Address(10, 201, 0, 2)};

TEST(ArpRepr, ParsesRequest) {
  auto b = Request();
  DropReason why{};
  auto r = ArpRepr::Parse(b, &why);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, kRequest);
}

TEST(ArpRepr, ParsesReply) {
  auto b = Request();
  b[7] = std::byte{2};
  DropReason why{};
  auto r = ArpRepr::Parse(b, &why);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->op, ArpOp::kReply);
}

TEST(ArpRepr, EmitMatchesBytes) {
  std::array<std::byte, ArpRepr::kLen> out{};
  kRequest.Emit(out.data());
  EXPECT_EQ(ToVector(out), Request());
}

TEST(ArpRepr, TrailingPaddingIgnored) {
  auto b = Request();
  b.resize(46, std::byte{0});  // 60-byte minimum frame minus 14
  DropReason why{};
  auto r = ArpRepr::Parse(b, &why);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, kRequest);
}

TEST(ArpRepr, TruncatedAtEveryLength_Malformed) {
  auto b = Request();
  for (size_t len = 0; len < ArpRepr::kLen; ++len) {
    DropReason why{};
    EXPECT_FALSE(ArpRepr::Parse({b.data(), len}, &why).has_value()) << len;
    EXPECT_EQ(why, DropReason::kArpMalformed) << len;
  }
}

struct FieldCase {
  const char* name;
  size_t offset;
  int value;
  DropReason want;
};

TEST(ArpRepr, BadFields_RejectedWithReason) {
  const FieldCase cases[] = {
      {"htype 6 (IEEE 802)", 1, 6, DropReason::kArpUnsupported},
      {"htype 0x0101", 0, 1, DropReason::kArpUnsupported},
      {"ptype 0x0806", 3, 0x06, DropReason::kArpUnsupported},
      {"ptype 0x8600", 2, 0x86, DropReason::kArpUnsupported},
      {"hlen 8", 4, 8, DropReason::kArpUnsupported},
      {"hlen 0", 4, 0, DropReason::kArpUnsupported},
      {"plen 16", 5, 16, DropReason::kArpUnsupported},
      {"plen 0", 5, 0, DropReason::kArpUnsupported},
      {"op 0", 7, 0, DropReason::kArpMalformed},
      {"op 3 (RARP request)", 7, 3, DropReason::kArpMalformed},
      {"op 0x0101", 6, 1, DropReason::kArpMalformed},
  };
  for (const auto& c : cases) {
    auto b = Request();
    b[c.offset] = static_cast<std::byte>(c.value);
    DropReason why{};
    EXPECT_FALSE(ArpRepr::Parse(b, &why).has_value()) << c.name;
    EXPECT_EQ(why, c.want) << c.name;
  }
}

}  // namespace
}  // namespace skiff
