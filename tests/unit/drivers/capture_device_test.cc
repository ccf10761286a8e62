#include "drivers/capture/capture_device.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "drivers/sim/test_channel.h"
#include "tests/support/eal_env.h"
#include "tests/unit/drivers/frames.h"
#include "tests/unit/wire/pcap_reader.h"

namespace skiff {
namespace {

using ::skiff::testing::IcmpFrame;
using ::skiff::testing::MakePacket;
using ::skiff::testing::PcapFile;
using ::skiff::testing::TestPool;
using ::testing::ElementsAreArray;

const MacAddress kUs({0x02, 0, 0, 0, 0, 1});
const MacAddress kPeer({0x02, 0, 0, 0, 0, 2});
const Duration kUnixOffset = Duration::Seconds(1'780'000'000);

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/skiff_capture_" + std::to_string(::getpid()) +
         "_" + name + ".pcap";
}

std::unique_ptr<PcapWriter> Writer(const std::string& path,
                                   PcapWriterConfig config = {}) {
  auto w = PcapWriter::Open(path, config);
  EXPECT_TRUE(w.ok()) << w.status();
  return std::move(*w);
}

PcapFile CloseAndRead(CaptureDevice& cap) {
  EXPECT_TRUE(cap.writer().Close().ok());
  auto f = ::skiff::testing::ReadPcapFile(cap.writer().path());
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *f : PcapFile{};
}

// Like a PMD that copies a frame out and frees the mbuf inside TxBurst
// (net_af_packet does): the bytes are gone once TxBurst returns.
class FreeingDevice final : public Device {
 public:
  size_t RxBurst(std::span<Packet>) override { return 0; }
  size_t TxBurst(std::span<Packet> pkts) override {
    const size_t n = std::min(pkts.size(), capacity);
    for (size_t i = 0; i < n; ++i) {
      std::memset(pkts[i].data().data(), 0xee, pkts[i].data().size());
      pkts[i].Reset();
    }
    return n;
  }
  MacAddress mac() const override { return kUs; }
  uint16_t mtu() const override { return 1500; }
  DeviceCaps caps() const override { return {}; }
  PacketPool& pool() override { return TestPool(); }
  size_t capacity = 64;
};

TEST(CaptureDevice, RxBurst_Frames_RecordedWithTheLoopClockInUnixTime) {
  ManualClock clock;
  TestChannel ch(TestPool(), kUs);
  CaptureDevice cap(ch, Writer(TempPath("rx")), clock, kUnixOffset);
  const auto f1 = IcmpFrame(kPeer, kUs, 1);
  const auto f2 = IcmpFrame(kPeer, kUs, 2, 200);
  ch.Inject(f1);
  ch.Inject(f2);
  std::array<Packet, 8> rx;
  ASSERT_EQ(cap.RxBurst(rx), 2u);
  EXPECT_THAT(PacketBytes(rx[1]), ElementsAreArray(f2));  // passed on intact
  clock.Advance(Duration::Micros(5));
  EXPECT_EQ(cap.RxBurst(rx), 0u);
  const PcapFile f = CloseAndRead(cap);
  ASSERT_EQ(f.records.size(), 2u);
  EXPECT_THAT(f.records[0].data, ElementsAreArray(f1));
  EXPECT_THAT(f.records[1].data, ElementsAreArray(f2));
  EXPECT_EQ(f.records[0].timestamp_ns,
            static_cast<uint64_t>((clock.Now() - Duration::Micros(5)).nanos() +
                                  kUnixOffset.nanos()));
}

TEST(CaptureDevice, TxBurst_DeviceTakesAPrefix_OnlyThoseAreRecordedUntilSent) {
  ManualClock clock;
  TestChannel ch(TestPool(), kUs);
  CaptureDevice cap(ch, Writer(TempPath("tx_prefix")), clock, kUnixOffset);
  std::vector<std::vector<std::byte>> frames;
  std::array<Packet, 4> tx;
  for (uint16_t i = 0; i < 4; ++i) {
    frames.push_back(IcmpFrame(kUs, kPeer, i));
    tx[i] = MakePacket(frames.back());
  }
  ch.set_tx_capacity(1);
  ASSERT_EQ(cap.TxBurst(tx), 1u);
  EXPECT_EQ(cap.writer().packets(), 1u);
  // The caller retries the rest later; they are recorded then, in order.
  ch.set_tx_capacity(100);
  ASSERT_EQ(cap.TxBurst(std::span(tx).subspan(1)), 3u);
  EXPECT_EQ(ch.tx_total(), 4u);
  const PcapFile f = CloseAndRead(cap);
  ASSERT_EQ(f.records.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_THAT(f.records[i].data, ElementsAreArray(frames[i]));
  }
}

TEST(CaptureDevice, TxBurst_PmdFreesTheMbuf_RecordHoldsTheSentBytes) {
  ManualClock clock;
  FreeingDevice dev;
  dev.capacity = 2;
  CaptureDevice cap(dev, Writer(TempPath("tx_freed")), clock, kUnixOffset);
  const uint32_t in_use = TestPool().in_use();
  const auto frame = IcmpFrame(kUs, kPeer, 9);
  std::array<Packet, 3> tx = {MakePacket(frame), MakePacket(frame),
                              MakePacket(frame)};
  ASSERT_EQ(cap.TxBurst(tx), 2u);
  tx[2].Reset();
  EXPECT_EQ(TestPool().in_use(), in_use);
  const PcapFile f = CloseAndRead(cap);
  ASSERT_EQ(f.records.size(), 2u);
  EXPECT_THAT(f.records[1].data, ElementsAreArray(frame));
}

TEST(CaptureDevice, Bound_Reached_TrafficFlowsAndSkippedFramesAreCounted) {
  ManualClock clock;
  TestChannel ch(TestPool(), kUs);
  PcapWriterConfig config;
  config.max_packets = 2;
  CaptureDevice cap(ch, Writer(TempPath("bound"), config), clock, kUnixOffset);
  for (uint16_t i = 0; i < 3; ++i) ch.Inject(IcmpFrame(kPeer, kUs, i));
  std::array<Packet, 8> rx;
  ASSERT_EQ(cap.RxBurst(rx), 3u);
  std::array<Packet, 2> tx = {MakePacket(IcmpFrame(kUs, kPeer, 1)),
                              MakePacket(IcmpFrame(kUs, kPeer, 2))};
  ASSERT_EQ(cap.TxBurst(tx), 2u);
  EXPECT_EQ(ch.tx_total(), 2u);
  EXPECT_EQ(cap.writer().packets(), 2u);
  EXPECT_EQ(cap.writer().skipped(), 3u);
  EXPECT_EQ(CloseAndRead(cap).records.size(), 2u);
}

TEST(CaptureDevice, Caps_TxChecksumOffloadsHidden_SoTheFileHasRealChecksums) {
  ManualClock clock;
  DeviceCaps all{.rx_ipv4_checksum = true,
                 .rx_tcp_checksum = true,
                 .tx_ipv4_checksum = true,
                 .tx_tcp_checksum = true};
  TestChannel ch(TestPool(), kUs, 1500, all);
  CaptureDevice cap(ch, Writer(TempPath("caps")), clock, kUnixOffset);
  EXPECT_TRUE(cap.caps().rx_ipv4_checksum);
  EXPECT_TRUE(cap.caps().rx_tcp_checksum);
  EXPECT_FALSE(cap.caps().tx_ipv4_checksum);
  EXPECT_FALSE(cap.caps().tx_tcp_checksum);
  EXPECT_EQ(cap.mac(), kUs);
  EXPECT_EQ(&cap.pool(), &TestPool());
}

}  // namespace
}  // namespace skiff
