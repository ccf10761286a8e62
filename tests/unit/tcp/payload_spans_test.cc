// PayloadSpans (a GRO super-segment's payload as one span per mbuf): the
// view on its own, then chained segments through a Connection, out of
// order, overlapping what arrived and running past the window: the bytes
// read are the stream's, each span copied once into the receive ring.
#include "stack/tcp/payload_spans.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stack/tcp/connection.h"
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

std::string Collect(const PayloadSpans& p) {
  std::string s;
  p.ForEach([&](ConstByteSpan part) {
    s.append(reinterpret_cast<const char*>(part.data()), part.size());
    return true;
  });
  return s;
}

// Cuts `s` into parts of the given sizes (the last takes the rest).
std::vector<ConstByteSpan> Parts(const std::string& s,
                                 std::vector<size_t> sizes) {
  std::vector<ConstByteSpan> v;
  size_t at = 0;
  for (size_t n : sizes) {
    v.push_back(AsBytes(s.data() + at, n));
    at += n;
  }
  v.push_back(AsBytes(s.data() + at, s.size() - at));
  return v;
}

TEST(PayloadSpans, OneSpanIsContiguous) {
  const std::string s = "abcdef";
  const PayloadSpans p(AsBytes(s.data(), s.size()));
  EXPECT_TRUE(p.contiguous());
  EXPECT_EQ(p.size(), 6u);
  EXPECT_EQ(p.head().data(), reinterpret_cast<const std::byte*>(s.data()));
  EXPECT_EQ(Collect(p.subspan(2).first(3)), "cde");
  EXPECT_TRUE(p.subspan(2).first(3).contiguous());
  EXPECT_TRUE(PayloadSpans().empty());
}

TEST(PayloadSpans, FirstAndSubspanAcrossParts) {
  const std::string s = "0123456789abcdefghij";
  const std::vector<ConstByteSpan> parts = Parts(s, {4, 0, 6, 5});  // + 5
  const PayloadSpans p(parts);
  EXPECT_EQ(p.size(), s.size());
  EXPECT_FALSE(p.contiguous());
  EXPECT_EQ(Collect(p), s);
  for (size_t d = 0; d <= s.size(); ++d) {
    for (size_t n = 0; n <= s.size() - d + 2; ++n) {
      const PayloadSpans q = p.subspan(d).first(n);
      const std::string want = s.substr(d, n);
      EXPECT_EQ(q.size(), want.size()) << d << "," << n;
      EXPECT_EQ(Collect(q), want) << d << "," << n;
      EXPECT_EQ(Collect(p.first(d + n).subspan(d)), want) << d << "," << n;
    }
  }
  // Cut to within one part: contiguous again, and head() is all of it.
  const PayloadSpans inner = p.subspan(5).first(4);
  EXPECT_TRUE(inner.contiguous());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(inner.head().data()),
                        inner.head().size()),
            "5678");
  EXPECT_TRUE(p.subspan(100).empty());
}

TEST(PayloadSpans, ForEachStopsWhenTold) {
  const std::string s = "aaabbbccc";
  const std::vector<ConstByteSpan> parts = Parts(s, {3, 3});
  int calls = 0;
  EXPECT_FALSE(
      PayloadSpans(parts).ForEach([&](ConstByteSpan) { return ++calls < 2; }));
  EXPECT_EQ(calls, 2);
}

// The stream's bytes [from, from + n): not periodic at any part size.
std::string Stream(size_t from, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    s[i] = static_cast<char>('a' + ((from + i) * 7 + (from + i) / 26) % 26);
  }
  return s;
}

class ChainedSegmentTest : public TcpTest {
 protected:
  // A chained segment carrying stream bytes [from, from + n) in parts of
  // `part` bytes, as TcpLayer::ChainPayload builds it.
  void RecvChain(size_t from, size_t n, size_t part) {
    bytes_.push_back(Stream(from, n));
    const std::string& b = bytes_.back();
    std::vector<ConstByteSpan> parts;
    for (size_t at = 0; at < n; at += part) {
      parts.push_back(AsBytes(b.data() + at, std::min(part, n - at)));
    }
    SegSpec spec{.seq = R(static_cast<uint32_t>(from))};
    conn->OnSegment({Repr(spec), PayloadSpans(parts)}, now());
  }
  std::vector<std::string> bytes_;
};

TEST_F(ChainedSegmentTest, OutOfOrderOverlappingChainsReadByteExact) {
  ToEstablished();
  // In order, then a hole [3000, 6000), then chains beyond it and one
  // overlapping both an earlier chain's end and the hole's start: front
  // trimming (TrimToWindow) lands inside a later part.
  RecvChain(0, 3000, 1000);
  RecvChain(9000, 4500, 1448);
  RecvChain(6000, 3500, 700);  // overlaps [9000, 9500)
  RecvChain(2500, 1200, 333);  // [2500, 3000) already in, rest fills
  RecvChain(3700, 2300, 1000);
  EXPECT_EQ(conn->stats().bytes_in, 13500u);
  EXPECT_EQ(ReadAll(), Stream(0, 13500));
}

TEST_F(ChainedSegmentTest, ChainPastTheWindowIsCutThere) {
  cfg.recv_buffer_size = 4096;
  ToEstablished();
  RecvChain(0, 6000, 1448);  // only the window's 4096 bytes are taken
  EXPECT_EQ(conn->stats().bytes_in, 4096u);
  EXPECT_EQ(ReadAll(), Stream(0, 4096));
  Poll();  // the window opens again
  RecvChain(4096, 6000 - 4096, 500);
  EXPECT_EQ(ReadAll(), Stream(4096, 6000 - 4096));
}

}  // namespace
}  // namespace skiff::testing
