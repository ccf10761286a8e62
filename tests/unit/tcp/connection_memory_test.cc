// What a connection holds: no buffers (nor their slot tables) while idle,
// none after close, no block of trouble counters until trouble, a TCB of
// at most 552 B.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "stack/tcp/connection.h"
#include "tests/unit/tcp/connection_segments.h"
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

TEST_F(TcpTest, Established_Idle_NoBufferMemory) {
  ToEstablished();
  EXPECT_FALSE(conn->buffers_allocated());
  Write("x");
  EXPECT_TRUE(conn->buffers_allocated());
}

// The loss and error counters come from the pool with the first of them
// and go back with the connection; the four counters of every segment
// need none.
TEST_F(TcpTest, Established_TroubleCountersOnlyAfterTrouble) {
  pool = std::make_unique<ChunkPool>(1 << 22);
  ToEstablished();
  Write("data");
  Poll();
  Recv({.ack = L(4)});
  EXPECT_EQ(pool->stats_in_use(), 0u);
  EXPECT_EQ(conn->stats().segs_out, 2u);  // our ACK of the SYN-ACK, data
  EXPECT_EQ(conn->stats().bytes_out, 4u);
  EXPECT_EQ(conn->stats().segs_in, 2u);
  EXPECT_EQ(conn->stats().retransmits, 0u);
  Write("more");
  Poll();
  ASSERT_THAT(FireNext(),
              ElementsAre(IsSegment(Data(L(4), "more", kAck | kPsh))));
  EXPECT_EQ(pool->stats_in_use(), 1u);
  EXPECT_EQ(conn->stats().timeouts, 1u);
  EXPECT_EQ(conn->stats().retransmits, 1u);
  EXPECT_EQ(conn->stats().bytes_out, 12u);
  conn.reset();
  EXPECT_EQ(pool->stats_in_use(), 0u);
}

TEST_F(TcpTest, TimeWait_AfterTransfer_BuffersFreed) {
  ToEstablished();
  Write("data");
  Poll();
  Recv({.seq = R(0), .ack = L(4), .payload = "resp"});
  EXPECT_EQ(ReadAll(), "resp");
  conn->Shutdown();
  Poll();
  Recv({.flags = kFin | kAck, .seq = R(4), .ack = L(5)});
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
  EXPECT_FALSE(conn->buffers_allocated());
}

TEST_F(TcpTest, Tcb_Footprint_AtMost552Bytes) {
  RecordProperty("sizeof_Connection", static_cast<int>(sizeof(Connection)));
  EXPECT_LE(sizeof(Connection), 552u) << sizeof(Connection);
  std::printf("sizeof(Connection) = %zu\n", sizeof(Connection));
}

}  // namespace
}  // namespace skiff::testing
