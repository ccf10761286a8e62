// PeekTcpFlow: the rx-burst prefetch hint reads the same 4-tuple the
// socket table is keyed by, and declines every frame it does not read.
#include "stack/sockets/flow_peek.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/stack/tcp_frames.h"

namespace skiff::testing {
namespace {

const MacAddress kMacA({0x02, 0, 0, 0, 0, 1});
const MacAddress kMacB({0x02, 0, 0, 0, 0, 2});
const Ipv4Address kSrc(10, 0, 0, 1);
const Ipv4Address kDst(10, 0, 0, 2);

std::vector<std::byte> Bytes(const Packet& p) {
  return {p.data().begin(), p.data().end()};
}

std::vector<std::byte> Frame() {
  TcpRepr t;
  t.src_port = 40001;
  t.dst_port = 80;
  t.flags = TcpFlag::kSyn;
  return Bytes(TcpFrame(kMacB, kMacA, kSrc, kDst, t));
}

TEST(FlowPeek, TcpFrame_TupleFromTheReceiversSide) {
  const std::vector<std::byte> f = Frame();
  const std::optional<FourTuple> t = PeekTcpFlow(f);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, (FourTuple{kDst, 80, kSrc, 40001}));
}

TEST(FlowPeek, IpOptions_PortsFoundAfterThem) {
  std::vector<std::byte> f = Frame();
  // IHL 6: four option bytes (NOPs) between the IPv4 header and TCP.
  f.insert(f.begin() + 14 + 20, 4, std::byte{1});
  f[14] = std::byte{0x46};
  const std::optional<FourTuple> t = PeekTcpFlow(f);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->local_port, 80);
  EXPECT_EQ(t->remote_port, 40001);
}

TEST(FlowPeek, NotReadable_Declined) {
  const std::vector<std::byte> good = Frame();
  std::vector<std::byte> f = good;
  f[12] = std::byte{0x81};  // 802.1Q tag
  f[13] = std::byte{0x00};
  EXPECT_FALSE(PeekTcpFlow(f));
  f = good;
  f[14 + 9] = std::byte{17};  // UDP
  EXPECT_FALSE(PeekTcpFlow(f));
  f = good;
  f[14] = std::byte{0x65};  // version 6
  EXPECT_FALSE(PeekTcpFlow(f));
  f = good;
  f[14] = std::byte{0x44};  // IHL 4: shorter than a header
  EXPECT_FALSE(PeekTcpFlow(f));
  f = good;
  f[14 + 7] = std::byte{0x08};  // fragment offset 8: no ports here
  EXPECT_FALSE(PeekTcpFlow(f));
  f = good;
  f[14] = std::byte{0x4f};  // IHL 15: the ports would lie past the end
  f.resize(14 + 40);
  EXPECT_FALSE(PeekTcpFlow(f));
  for (size_t n = 0; n < 14 + 20 + 4; ++n) {
    EXPECT_FALSE(PeekTcpFlow(std::span(good).first(n))) << n;
  }
  EXPECT_TRUE(PeekTcpFlow(std::span(good).first(14 + 20 + 4)));
}

}  // namespace
}  // namespace skiff::testing
