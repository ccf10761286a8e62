// What a connection holds: no buffers (nor their slot tables) while idle,
// none after close, a TCB under 800 B.
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

TEST_F(TcpTest, Tcb_Footprint_Under700Bytes) {
  RecordProperty("sizeof_Connection", static_cast<int>(sizeof(Connection)));
  EXPECT_LT(sizeof(Connection), 700u) << sizeof(Connection);
  std::printf("sizeof(Connection) = %zu\n", sizeof(Connection));
}

}  // namespace
}  // namespace skiff::testing
