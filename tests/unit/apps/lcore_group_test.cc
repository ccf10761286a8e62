// LcoreGroup (apps/common/lcore_group.h): one StackCore per lcore on one port.
// net_null stands in for the port: it has queues to spare and refuses
// skiff's key, so the group runs software dispatch.
#include "apps/common/lcore_group.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_format.h"
#include "apps/common/pcap_flags.h"
#include "drivers/dpdk/lcores.h"
#include "drivers/dpdk/vdev.h"
#include "tests/support/eal_env.h"

namespace skiff {
namespace {

TEST(LcoreGroup, TwoLcores_QueuePairStackAndChooserEach) {
  auto port_id = ProbeVdev("net_null_group0");
  ASSERT_TRUE(port_id.ok()) << port_id.status();
  auto group =
      LcoreGroup::Open({.dpdk_port = *port_id,
                        .mbufs = 2047,
                        .lcores = 2,
                        .stack = {.address = {Ipv4Address(10, 0, 0, 2), 24}}});
  ASSERT_TRUE(group.ok()) << group.status();
  LcoreGroup& g = **group;
  ASSERT_EQ(g.size(), 2);
  EXPECT_EQ(g.port().queues(), 2);
  EXPECT_FALSE(g.port().rss_status().hardware);
  for (uint16_t k = 0; k < 2; ++k) {
    EXPECT_NE(g.stack(k).config().tcp.port_chooser, nullptr);
    EXPECT_TRUE(g.stack(k).Listen(80).ok()) << "every lcore listens";
  }
  // Lcore 1's active opens use ports whose replies its queue gets.
  const RssSteering& rss = g.port().rss();
  g.Start(Instant::FromNanos(0));
  const ConnectResult c = g.stack(1).Connect(Ipv4Address(10, 0, 0, 1), 8080);
  ASSERT_TRUE(c.ok());
  const uint16_t p = g.stack(1).Find(c.value())->tuple().local_port;
  EXPECT_EQ(rss.QueueOfIpv4L4(0x0a000001, 0x0a000002, 8080, p), 1);
  EXPECT_NE(g.FormatDispatch().find("lcore 1 dispatch: local"),
            std::string::npos);
}

// Every lcore turns its own stack, on its own EAL lcore.
TEST(LcoreGroup, Run_TurnsEveryLcoreUntilItSaysStop) {
  if (EalLcoreCount() < 2) GTEST_SKIP() << "the EAL has one lcore";
  auto port_id = ProbeVdev("net_null_group1");
  ASSERT_TRUE(port_id.ok()) << port_id.status();
  auto group =
      LcoreGroup::Open({.dpdk_port = *port_id,
                        .mbufs = 2047,
                        .lcores = 2,
                        .stack = {.address = {Ipv4Address(10, 0, 0, 2), 24}}});
  ASSERT_TRUE(group.ok()) << group.status();
  std::array<std::atomic<int>, 2> turns{};
  ASSERT_TRUE((*group)
                  ->Run([&](uint16_t k, Instant now) {
                    (*group)->stack(k).Poll(now);
                    return ++turns[k] < 100;
                  })
                  .ok());
  EXPECT_EQ(turns[0], 100);
  EXPECT_EQ(turns[1], 100);
  EXPECT_FALSE(RunOnLcores(EalLcoreCount() + 1, [](uint16_t) {}).ok());
}

// An lcore that is done goes on receiving until every lcore is: on a port
// that does not steer its queue holds the others' packets (the SYN-ACK of a
// connection another lcore is still draining). net_null's rx queue always
// has frames, so stack 0's receive counter shows whether it was polled.
TEST(LcoreGroup, Run_DoneLcoreKeepsPollingUntilTheLastIsDone) {
  if (EalLcoreCount() < 2) GTEST_SKIP() << "the EAL has one lcore";
  auto port_id = ProbeVdev("net_null_group2");
  ASSERT_TRUE(port_id.ok()) << port_id.status();
  auto group =
      LcoreGroup::Open({.dpdk_port = *port_id,
                        .mbufs = 2047,
                        .lcores = 2,
                        .stack = {.address = {Ipv4Address(10, 0, 0, 2), 24}}});
  ASSERT_TRUE(group.ok()) << group.status();
  std::atomic<bool> zero_left{false};
  uint64_t rx_when_left = 0;
  int turns_after = 0;
  ASSERT_TRUE((*group)
                  ->Run([&](uint16_t k, Instant now) {
                    (*group)->stack(k).Poll(now);
                    if (k == 0) {
                      rx_when_left =
                          (*group)->stack(0).counters().link.rx_packets;
                      zero_left.store(true);
                      return false;
                    }
                    if (!zero_left.load()) return true;
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                    return ++turns_after < 50;
                  })
                  .ok());
  EXPECT_GT((*group)->stack(0).counters().link.rx_packets, rx_when_left);
}

// Several Stacks only when the EAL arguments name the lcores.
TEST(LcoreGroup, StackLcores_OnlyWhenLcoresAreNamed) {
  EXPECT_EQ(StackLcores({"skiff-httpd", "--no-huge", "--vdev=net_tap0"}), 1);
  EXPECT_EQ(StackLcores({"skiff-httpd", "-l", "0-1"}), EalLcoreCount());
  EXPECT_EQ(StackLcores({"skiff-httpd", "-l0-1"}), EalLcoreCount());
  EXPECT_EQ(StackLcores({"skiff-httpd", "--lcores=0,1"}), EalLcoreCount());
  EXPECT_EQ(StackLcores({"skiff-httpd", "-c", "3"}), EalLcoreCount());
}

// The exit report's "counters:" block: every lcore's counters summed by
// name, zeros left out, in StackCore::FormatCounters' format.
TEST(LcoreGroup, FormatSummedCounters_AddsEveryLcore) {
  StackCounters a, b;
  a.tcp.active_opens = 3;
  b.tcp.active_opens = 4;
  a.link.rx_packets = 10;
  b.drops.Add(DropReason::kIpBadVersion, 2);
  const std::string out = FormatSummedCounters({a, b});
  EXPECT_NE(out.find(absl::StrFormat("%-32s %d\n", "tcp_active_opens", 7)),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(absl::StrFormat("%-32s %d\n", "link_rx_packets", 10)),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(absl::StrFormat("%-32s %d\n", "drop_total", 2)),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("tcp_passive_opens"), std::string::npos) << "zero";
  // One lcore: exactly what the StackCore itself prints.
  EXPECT_EQ(FormatSummedCounters({a}), FormatCounters(a));
  EXPECT_EQ(FormatSummedCounters({}), "");
}

// The apps' own counters (skiff-httpd's "http_* N" lines) summed by name.
TEST(LcoreGroup, SumCounterLines_AddsByNameInOrder) {
  EXPECT_EQ(
      SumCounterLines({"http_connections_accepted 3\nhttp_responses_200 2\n",
                       "http_connections_accepted 4\nhttp_responses_404 1\n"
                       "http_responses_200 5\n"}),
      "http_connections_accepted 7\nhttp_responses_200 7\n"
      "http_responses_404 1\n");
  EXPECT_EQ(SumCounterLines({"a   1\n", "a 2\n"}), "a 3\n");
  EXPECT_EQ(SumCounterLines({}), "");
}

// --pcap on several lcores: a file per lcore, named after the flag's.
TEST(LcoreGroup, LcorePcapPath_OneFilePerLcore) {
  EXPECT_EQ(LcorePcapPath("/tmp/run.pcap", 0), "/tmp/run.lcore0.pcap");
  EXPECT_EQ(LcorePcapPath("/tmp/run.pcap", 13), "/tmp/run.lcore13.pcap");
  EXPECT_EQ(LcorePcapPath("run", 1), "run.lcore1.pcap");
}

}  // namespace
}  // namespace skiff
