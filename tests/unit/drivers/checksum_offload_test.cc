// Checksum offload on the in-process wires (drivers/sim/checksum_offload.h):
// what the sending "NIC" writes, what the receiving one reports, and that a
// corrupted frame never arrives vouched for. Off, nothing changes.
#include "drivers/sim/checksum_offload.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <vector>

#include "drivers/sim/multi_queue_wire.h"
#include "drivers/sim/sim_wire.h"
#include "stack/wire/checksum.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"
#include "tests/support/eal_env.h"

namespace skiff {
namespace {

using Frame = std::vector<std::byte>;
const Ipv4Address kSrc(10, 0, 0, 1), kDst(10, 0, 0, 2);

// Ethernet + IPv4 + TCP (20-byte header) + `payload` bytes of pattern, both
// checksums filled in software.
Frame TcpFrame(size_t payload, uint8_t pattern = 7) {
  const size_t seg_len = 20 + payload;
  Frame f(14 + 20 + seg_len);
  std::byte* p = f.data();
  StoreBe16(p + 12, 0x0800);
  std::byte* ip = p + 14;
  Store8(ip, 0x45);
  StoreBe16(ip + 2, static_cast<uint16_t>(20 + seg_len));
  StoreBe16(ip + 6, 0x4000);  // DF
  Store8(ip + 8, 64);
  Store8(ip + 9, IpProtocol::kTcp);
  kSrc.Store(ip + 12);
  kDst.Store(ip + 16);
  StoreBe16(ip + 10, InternetChecksum({ip, 20}));
  std::byte* tcp = ip + 20;
  StoreBe16(tcp, 40000);
  StoreBe16(tcp + 2, 80);
  StoreBe32(tcp + 4, 12345);
  Store8(tcp + 12, 5 << 4);
  Store8(tcp + 13, 0x18);  // PSH ACK
  StoreBe16(tcp + 14, 65535);
  for (size_t i = 0; i < payload; ++i) {
    Store8(tcp + 20 + i, static_cast<uint8_t>(pattern + i));
  }
  TcpFillChecksum({tcp, seg_len}, kSrc, kDst);
  return f;
}

// The same frame as the stack hands it to a NIC with offload: IPv4 checksum
// zero, TCP checksum field seeded with the pseudo-header sum, tx flags set.
Packet OffloadedPacket(PacketPool& pool, const Frame& f) {
  Packet p = pool.Alloc();
  std::byte* d = p.Append(static_cast<uint16_t>(f.size()));
  std::memcpy(d, f.data(), f.size());
  StoreBe16(d + 14 + 10, 0);
  TcpFillPseudoHeaderChecksum({d + 34, f.size() - 34}, kSrc, kDst);
  p.SetTxOffload({.ipv4_checksum = true,
                  .tcp_checksum = true,
                  .l2_len = 14,
                  .l3_len = 20});
  return p;
}

Packet SoftwarePacket(PacketPool& pool, const Frame& f) {
  Packet p = pool.Alloc();
  std::memcpy(p.Append(static_cast<uint16_t>(f.size())), f.data(), f.size());
  return p;
}

Frame Bytes(const Packet& p) { return Frame(p.data().begin(), p.data().end()); }

// Both checksums of a TcpFrame verify in software.
bool SoftwareGood(const Frame& f) {
  DropReason why;
  auto ip = Ipv4View::Parse(ConstByteSpan(f).subspan(14), &why);
  if (!ip || !ip->ChecksumValid()) return false;
  auto tcp = TcpView::Parse(ip->payload(), &why);
  return tcp && tcp->ChecksumValid(ip->src(), ip->dst());
}

class ChecksumOffloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = PacketPool::Create({.name = "csum_a", .size = 1023});
    auto b = PacketPool::Create({.name = "csum_b", .size = 1023});
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    pool_a_ = std::move(*a);
    pool_b_ = std::move(*b);
  }
  void TearDown() override {
    wire_.reset();
    mq_.reset();
    EXPECT_EQ(pool_a_->available(), pool_a_->capacity());
    EXPECT_EQ(pool_b_->available(), pool_b_->capacity());
  }
  SimWire& Wire(SimWireConfig c) {
    auto w = SimWire::Create(c, *pool_a_, *pool_b_);
    EXPECT_TRUE(w.ok()) << w.status();
    wire_ = std::move(*w);
    return *wire_;
  }
  // Sends one packet a -> b and returns what b receives (empty if nothing).
  static Packet Through(SimWire& w, Packet p) {
    std::array<Packet, 1> tx = {std::move(p)};
    EXPECT_EQ(w.a().TxBurst(tx), 1u);
    std::array<Packet, 1> rx;
    EXPECT_EQ(w.b().RxBurst(rx), 1u);
    return std::move(rx[0]);
  }

  std::unique_ptr<PacketPool> pool_a_, pool_b_;
  std::unique_ptr<SimWire> wire_;
  std::unique_ptr<MultiQueueWire> mq_;
};

TEST_F(ChecksumOffloadTest, WireReportsOffloadOnlyWhenConfigured) {
  SimWire& off = Wire({});
  EXPECT_FALSE(off.a().caps().tx_tcp_checksum);
  EXPECT_FALSE(off.b().caps().rx_ipv4_checksum);
  SimWire& on = Wire({.checksum_offload = true});
  for (SimWire::Endpoint* e : {&on.a(), &on.b()}) {
    const DeviceCaps c = e->caps();
    EXPECT_TRUE(c.rx_ipv4_checksum && c.rx_tcp_checksum && c.tx_ipv4_checksum &&
                c.tx_tcp_checksum);
  }
}

TEST_F(ChecksumOffloadTest, TxFlagsGetRealChecksumsAndRxGoodFlags) {
  SimWire& w = Wire({.checksum_offload = true});
  for (size_t payload : {0, 1, 7, 100, 1460}) {
    const Frame truth = TcpFrame(payload);
    Packet got = Through(w, OffloadedPacket(w.a().pool(), truth));
    ASSERT_TRUE(got);
    // Byte for byte what software checksumming would have sent.
    EXPECT_EQ(Bytes(got), truth) << payload;
    EXPECT_EQ(got.rx_ip_checksum(), RxChecksum::kGood);
    EXPECT_EQ(got.rx_l4_checksum(), RxChecksum::kGood);
    EXPECT_FALSE(got.wants_tx_ipv4_checksum());
    EXPECT_FALSE(got.wants_tx_tcp_checksum());
  }
}

TEST_F(ChecksumOffloadTest, FramesWithoutTxFlagsAreVerified) {
  SimWire& w = Wire({.checksum_offload = true});
  Packet good = Through(w, SoftwarePacket(w.a().pool(), TcpFrame(50)));
  EXPECT_EQ(good.rx_ip_checksum(), RxChecksum::kGood);
  EXPECT_EQ(good.rx_l4_checksum(), RxChecksum::kGood);

  Frame bad_tcp = TcpFrame(50);
  bad_tcp[14 + 20 + 20 + 3] ^= std::byte{0x40};  // payload, after the sum
  Packet got = Through(w, SoftwarePacket(w.a().pool(), bad_tcp));
  EXPECT_EQ(got.rx_ip_checksum(), RxChecksum::kGood);
  EXPECT_EQ(got.rx_l4_checksum(), RxChecksum::kBad);

  Frame bad_ip = TcpFrame(50);
  bad_ip[14 + 8] ^= std::byte{0x01};  // TTL
  got = Through(w, SoftwarePacket(w.a().pool(), bad_ip));
  EXPECT_EQ(got.rx_ip_checksum(), RxChecksum::kBad);
}

// Hardware trusts the seed; the wire writes what hardware would, and does
// not vouch for it.
TEST_F(ChecksumOffloadTest, AWrongPseudoHeaderSeedArrivesBad) {
  SimWire& w = Wire({.checksum_offload = true});
  Packet p = OffloadedPacket(w.a().pool(), TcpFrame(30));
  std::byte* field = p.data().data() + 34 + 16;
  StoreBe16(field, static_cast<uint16_t>(LoadBe16(field) + 1));
  Packet got = Through(w, std::move(p));
  EXPECT_EQ(got.rx_ip_checksum(), RxChecksum::kGood);
  EXPECT_EQ(got.rx_l4_checksum(), RxChecksum::kBad);
}

TEST_F(ChecksumOffloadTest, CorruptedFramesNeverArriveGood) {
  SimWire& w =
      Wire({.a_to_b = {.seed = 3, .corrupt = 1.0}, .checksum_offload = true});
  int bad = 0;
  for (int i = 0; i < 200; ++i) {
    Packet got =
        Through(w, OffloadedPacket(w.a().pool(), TcpFrame(10 + i % 200, i)));
    ASSERT_TRUE(got);
    const RxChecksum ip = got.rx_ip_checksum(), l4 = got.rx_l4_checksum();
    EXPECT_FALSE(ip == RxChecksum::kGood && l4 == RxChecksum::kGood) << i;
    EXPECT_FALSE(SoftwareGood(Bytes(got))) << i;
    if (ip == RxChecksum::kBad || l4 == RxChecksum::kBad) ++bad;
  }
  EXPECT_EQ(w.counters_a_to_b().corrupted, 200u);
  // Most flips land where a checksum reports them; the rest (a length
  // made too long) leave the header unparsable and UNKNOWN for the stack.
  EXPECT_GT(bad, 150);
}

TEST_F(ChecksumOffloadTest, DuplicatesCarryTheFlagsToo) {
  SimWire& w = Wire({.a_to_b = {.duplicate = 1.0}, .checksum_offload = true});
  std::array<Packet, 1> tx = {OffloadedPacket(w.a().pool(), TcpFrame(64))};
  ASSERT_EQ(w.a().TxBurst(tx), 1u);
  std::array<Packet, 4> rx;
  ASSERT_EQ(w.b().RxBurst(rx), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Bytes(rx[i]), TcpFrame(64));
    EXPECT_EQ(rx[i].rx_l4_checksum(), RxChecksum::kGood);
  }
}

TEST_F(ChecksumOffloadTest, OffLeavesFramesAndFlagsAlone) {
  SimWire& w = Wire({});
  Packet p = OffloadedPacket(w.a().pool(), TcpFrame(40));
  const Frame sent = Bytes(p);
  Packet got = Through(w, std::move(p));
  EXPECT_EQ(Bytes(got), sent);  // no NIC finished anything
  EXPECT_FALSE(SoftwareGood(Bytes(got)));
  EXPECT_EQ(got.rx_ip_checksum(), RxChecksum::kUnknown);
  EXPECT_EQ(got.rx_l4_checksum(), RxChecksum::kUnknown);
  EXPECT_FALSE(got.wants_tx_tcp_checksum());
}

TEST_F(ChecksumOffloadTest, MultiQueueWireOffloadsAndStillHashes) {
  MultiQueueWireConfig c{.checksum_offload = true};
  c.a.queues = 2;
  c.b.queues = 2;
  auto w = MultiQueueWire::Create(c, *pool_a_, *pool_b_);
  ASSERT_TRUE(w.ok()) << w.status();
  mq_ = std::move(*w);
  EXPECT_TRUE(mq_->a(1).caps().tx_tcp_checksum);
  EXPECT_TRUE(mq_->b(0).caps().rx_ipv4_checksum);
  const Frame truth = TcpFrame(200);
  std::array<Packet, 1> tx = {OffloadedPacket(mq_->a(0).pool(), truth)};
  ASSERT_EQ(mq_->a(0).TxBurst(tx), 1u);
  std::array<Packet, 1> rx;
  size_t n = 0;
  for (uint16_t q = 0; q < 2 && n == 0; ++q) n = mq_->b(q).RxBurst(rx);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(Bytes(rx[0]), truth);
  EXPECT_EQ(rx[0].rx_ip_checksum(), RxChecksum::kGood);
  EXPECT_EQ(rx[0].rx_l4_checksum(), RxChecksum::kGood);
  EXPECT_NE(rx[0].mbuf()->ol_flags & RTE_MBUF_F_RX_RSS_HASH, 0u);

  MultiQueueWireConfig off;
  auto w_off = MultiQueueWire::Create(off, *pool_a_, *pool_b_);
  ASSERT_TRUE(w_off.ok());
  EXPECT_FALSE((*w_off)->a(0).caps().tx_tcp_checksum);
  EXPECT_FALSE((*w_off)->b(0).caps().rx_tcp_checksum);
}

}  // namespace
}  // namespace skiff
