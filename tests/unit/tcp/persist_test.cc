// Zero-window persist (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17): probing goes
// on while the receiver answers, and ends when it has stopped answering.
// Found by the whole-stack fuzz target (corpus/stack/regress_zero_window_*):
// a peer that closed its window and vanished held the connection forever.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "stack/tcp/connection.h"
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

TEST_F(TcpTest, ZeroWindow_PeerSilent_TimesOutAfterRetries) {
  cfg.max_data_retries = 4;
  ToEstablished();
  Recv({.ack = L(0), .window = 0});
  Write("blocked");
  ExpectNothing();  // arms the persist timer
  for (int i = 0; i < 4; ++i) {
    ASSERT_THAT(FireNext(), ::testing::SizeIs(1)) << "probe " << i;
  }
  EXPECT_EQ(conn->stats().zero_window_probes, 4u);
  FireNext();  // the fifth timeout: four probes went unanswered
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kTimedOut);
}

TEST_F(TcpTest, ZeroWindow_PeerAnswersProbes_ProbesForever) {
  cfg.max_data_retries = 4;
  ToEstablished();
  Recv({.ack = L(0), .window = 0});
  Write("blocked");
  ExpectNothing();  // arms the persist timer
  for (int i = 0; i < 20; ++i) {
    ASSERT_THAT(FireNext(), ::testing::SizeIs(1)) << "probe " << i;
    Recv({.ack = L(0), .window = 0});  // still closed, but answered
  }
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  Recv({.ack = L(0), .window = 1000});
  EXPECT_THAT(PollOne(), PayloadIs("blocked"));
}

}  // namespace
}  // namespace skiff::testing
