// Snapshots and their telemetry replies, on two real stacks over a SimWire
// (stack/observe/snapshot.h, telemetry_format.h).
#include "stack/observe/snapshot.h"

#include <gtest/gtest.h>

#include <cctype>
#include <vector>

#include "stack/observe/telemetry_format.h"
#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

class SnapshotTest : public TwoStacks {
 protected:
  // Opens `n` connections client -> server:80 and accepts them.
  std::vector<SocketId> Connect(int n) {
    std::vector<SocketId> ids;
    for (int i = 0; i < n; ++i) {
      ConnectResult r = client_->Connect(kServerIp, 80);
      EXPECT_TRUE(r.ok());
      ids.push_back(r.value());
    }
    EXPECT_TRUE(RunUntil([&] {
      return server_->counters().tcp.established == static_cast<uint64_t>(n);
    }));
    return ids;
  }
  Snapshot Take(const StackCore& s, SnapshotKind kind, uint32_t start = 0,
                uint32_t max_rows = 32) {
    Snapshot out;
    TakeSnapshot(s, {.kind = kind, .start = start, .max_rows = max_rows},
                 clock_.Now(), &out);
    return out;
  }
};

TEST_F(SnapshotTest, Connections_Established_RowPerConnectionWithTuple) {
  ASSERT_TRUE(server_->Listen(80, 16).ok());
  std::vector<SocketId> ids = Connect(1);
  const ConstByteSpan hello = AsBytes("hello", 5);
  ASSERT_TRUE(client_->Send(ids[0], hello).ok());
  RunFor(Duration::Millis(500));  // past the delayed ACK

  Snapshot s = Take(*server_, SnapshotKind::kConnections);
  ASSERT_EQ(s.total, 1u);
  ASSERT_EQ(s.connections.size(), 1u);
  const ConnectionRow& r = s.connections[0];
  EXPECT_EQ(r.state, TcpState::kEstablished);
  EXPECT_EQ(r.tuple.local_addr, kServerIp);
  EXPECT_EQ(r.tuple.local_port, 80);
  EXPECT_EQ(r.tuple.remote_addr, kClientIp);
  EXPECT_GE(r.tuple.remote_port, 49152);
  EXPECT_GT(r.cwnd, 0u);
  EXPECT_GT(r.mss, 0u);
  EXPECT_GT(r.rto_us, 0);
  EXPECT_EQ(r.recv_queue, hello.size());  // not read by the application
  EXPECT_EQ(r.bytes_in, hello.size());

  // The client's view: the same 4-tuple turned round, data acknowledged.
  Snapshot c = Take(*client_, SnapshotKind::kConnections);
  ASSERT_EQ(c.connections.size(), 1u);
  EXPECT_EQ(c.connections[0].tuple.remote_port, 80);
  EXPECT_EQ(c.connections[0].tuple.local_port, r.tuple.remote_port);
  EXPECT_EQ(c.connections[0].bytes_out, hello.size());
  EXPECT_EQ(c.connections[0].bytes_in_flight, 0u);
  EXPECT_GT(c.connections[0].srtt_us, 0);  // an RTT sample from the ACK
}

TEST_F(SnapshotTest, Listeners_QueueDepths_AcceptQueueUntilAccepted) {
  ListenResult l = server_->Listen(80, 16);
  ASSERT_TRUE(l.ok());
  Connect(3);
  Snapshot s = Take(*server_, SnapshotKind::kListeners);
  ASSERT_EQ(s.listeners.size(), 1u);
  EXPECT_EQ(s.listeners[0].port, 80);
  EXPECT_EQ(s.listeners[0].backlog, 16u);
  EXPECT_EQ(s.listeners[0].syn_queue, 0u);
  EXPECT_EQ(s.listeners[0].accept_queue, 3u);  // nobody accepted
  server_->Accept(l.value());
  s = Take(*server_, SnapshotKind::kListeners);
  EXPECT_EQ(s.listeners[0].accept_queue, 2u);
}

TEST_F(SnapshotTest, Connections_Paged_TotalAndNext) {
  ASSERT_TRUE(server_->Listen(80, 16).ok());
  Connect(5);
  Snapshot p1 = Take(*server_, SnapshotKind::kConnections, 0, 2);
  Snapshot p3 = Take(*server_, SnapshotKind::kConnections, 4, 2);
  EXPECT_EQ(p1.total, 5u);
  EXPECT_EQ(p1.connections.size(), 2u);
  EXPECT_EQ(p3.connections.size(), 1u);
  TelemetryReply r1 = ConnectionsReply(p1, 3);
  TelemetryReply r3 = ConnectionsReply(p3, 3);
  ASSERT_NE(r1.Find("next"), nullptr);
  EXPECT_EQ(std::get<uint64_t>(r1.Find("next")->value), 2u);
  EXPECT_EQ(r3.Find("next"), nullptr);  // the last page
  EXPECT_EQ(std::get<uint64_t>(r3.Find("lcore")->value), 3u);
}

TEST_F(SnapshotTest, Arp_PeerLearned_ResolvedRow) {
  ASSERT_TRUE(server_->Listen(80, 16).ok());
  Connect(1);
  Snapshot s = Take(*server_, SnapshotKind::kArp);
  ASSERT_EQ(s.arp.size(), 1u);
  EXPECT_EQ(s.arp[0].ip, kClientIp);
  EXPECT_TRUE(s.arp[0].resolved);
  EXPECT_EQ(s.arp[0].mac, wire_->a().mac());
  EXPECT_GT(s.arp[0].deadline_ms, 0);
  TelemetryReply r = ArpReply(s, 0);
  EXPECT_EQ(r.FindColumn("ip")->strings[0], "10.0.0.1");
  EXPECT_EQ(r.FindColumn("mac")->strings[0], wire_->a().mac().ToString());
}

TEST_F(SnapshotTest, ConnectionsReply_ColumnsOfEqualLength) {
  ASSERT_TRUE(server_->Listen(80, 16).ok());
  Connect(2);
  TelemetryReply r =
      ConnectionsReply(Take(*server_, SnapshotKind::kConnections), 0);
  ASSERT_NE(r.FindColumn("state"), nullptr);
  for (const TelemetryReply::Column& c : r.columns) {
    EXPECT_EQ(c.is_string ? c.strings.size() : c.numbers.size(), 2u) << c.name;
  }
  EXPECT_EQ(r.FindColumn("state")->strings[0], "ESTABLISHED");
  EXPECT_EQ(r.FindColumn("local")->strings[0], "10.0.0.2:80");
  EXPECT_TRUE(r.FindColumn("remote")->strings[0].starts_with("10.0.0.1:"));
  EXPECT_FALSE(r.FindColumn("cwnd")->is_string);
}

TEST_F(SnapshotTest, Counters_TwoStacks_SummedAndDropsApart) {
  ASSERT_TRUE(server_->Listen(80, 16).ok());
  Connect(1);
  const StackCounters a = Take(*client_, SnapshotKind::kCounters).counters;
  const StackCounters b = Take(*server_, SnapshotKind::kCounters).counters;
  std::vector<StackCounters> both = {a, b};
  TelemetryReply r = CountersReply(both, CounterSet::kCounters);
  EXPECT_EQ(std::get<uint64_t>(r.Find("lcores")->value), 2u);
  EXPECT_EQ(std::get<uint64_t>(r.Find("tcp_established")->value),
            a.tcp.established + b.tcp.established);
  EXPECT_EQ(std::get<uint64_t>(r.Find("link_rx_packets")->value),
            a.link.rx_packets + b.link.rx_packets);
  EXPECT_EQ(r.Find("drop_total"), nullptr);
  ASSERT_NE(r.Find("tcp_retransmits"), nullptr);  // zeros kept for rates

  TelemetryReply d = CountersReply(both, CounterSet::kDrops);
  EXPECT_EQ(std::get<uint64_t>(d.Find("drop_total")->value),
            a.drops.Total() + b.drops.Total());
  EXPECT_EQ(d.Find("tcp_established"), nullptr);
  EXPECT_NE(d.Find("drop_ip_bad_checksum"), nullptr);
  // Every name DPDK accepts: letters, digits, '_' and '/'.
  for (const auto& f : r.fields) {
    for (char ch : f.name) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_')
          << f.name;
    }
  }
}

TEST(TableParams, Parse) {
  EXPECT_FALSE(ParseTableParams("")->lcore.has_value());
  EXPECT_EQ(ParseTableParams("")->start, 0u);
  EXPECT_EQ(*ParseTableParams("3")->lcore, 3u);
  EXPECT_EQ(ParseTableParams("1,64")->start, 64u);
  EXPECT_EQ(ParseTableParams(",64")->start, 64u);
  EXPECT_FALSE(ParseTableParams("x").has_value());
  EXPECT_FALSE(ParseTableParams("1,2,3").has_value());
  EXPECT_FALSE(ParseTableParams("-1").has_value());
}

}  // namespace
}  // namespace skiff::testing
