// The telemetry mailbox (stack/observe/mailbox.h): a request is answered by
// the thread that polls, and an asker that nobody answers times out and
// leaves the mailbox usable.
#include "stack/observe/mailbox.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

class MailboxTest : public TwoStacks {
 protected:
  void SetUp() override {
    TwoStacks::SetUp();
    ASSERT_TRUE(server_->Listen(80, 8).ok());
  }
  SnapshotMailbox mailbox_{4};
};

TEST_F(MailboxTest, Ask_OwnerPolls_Answered) {
  Snapshot out;
  int waits = 0;
  // The "lcore" takes its turn while the asker waits: one poll answers.
  auto r = mailbox_.Ask({.kind = SnapshotKind::kListeners}, &out, [&] {
    ++waits;
    mailbox_.Poll(*server_, clock_.Now());
    return waits < 10;
  });
  EXPECT_EQ(r, SnapshotMailbox::AskResult::kOk);
  EXPECT_EQ(waits, 1);
  ASSERT_EQ(out.listeners.size(), 1u);
  EXPECT_EQ(out.listeners[0].port, 80);
}

TEST_F(MailboxTest, Ask_NobodyPolls_TimesOutThenWorksAgain) {
  Snapshot out;
  int waits = 0;
  auto r = mailbox_.Ask({.kind = SnapshotKind::kListeners}, &out,
                        [&] { return ++waits < 5; });
  EXPECT_EQ(r, SnapshotMailbox::AskResult::kTimeout);
  EXPECT_EQ(waits, 5);
  EXPECT_TRUE(out.listeners.empty());
  // The request was withdrawn: a late poll finds nothing to do ...
  mailbox_.Poll(*server_, clock_.Now());
  // ... and the next request is answered.
  r = mailbox_.Ask({.kind = SnapshotKind::kCounters}, &out, [&] {
    mailbox_.Poll(*server_, clock_.Now());
    return true;
  });
  EXPECT_EQ(r, SnapshotMailbox::AskResult::kOk);
  EXPECT_EQ(out.kind, SnapshotKind::kCounters);
  EXPECT_EQ(out.counters.tcp.listeners, 1u);
}

TEST_F(MailboxTest, Ask_MoreRowsThanTheMailboxHolds_ClampedAndPaged) {
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(client_->Connect(kServerIp, 80).ok());
  ASSERT_TRUE(RunUntil([&] { return server_->tcp().connection_count() == 6; }));
  Snapshot out;
  auto r = mailbox_.Ask({.kind = SnapshotKind::kConnections, .max_rows = 1000},
                        &out, [&] {
                          mailbox_.Poll(*server_, clock_.Now());
                          return true;
                        });
  ASSERT_EQ(r, SnapshotMailbox::AskResult::kOk);
  EXPECT_EQ(out.total, 6u);
  EXPECT_EQ(out.connections.size(), 4u);  // the mailbox's max_rows
}

// Two real threads: the owner busy-polls as an lcore does, the asker waits
// by spinning (bounded), as a telemetry thread does.
TEST_F(MailboxTest, Ask_FromAnotherThread_AnsweredByPollingThread) {
  std::atomic<bool> stop{false};
  const Instant now = clock_.Now();
  std::thread owner([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      mailbox_.Poll(*server_, now);
    }
  });
  Snapshot out;
  uint64_t spins = 0;
  auto r = mailbox_.Ask({.kind = SnapshotKind::kListeners}, &out, [&] {
    std::this_thread::yield();
    return ++spins < 100'000'000;
  });
  stop.store(true);
  owner.join();
  EXPECT_EQ(r, SnapshotMailbox::AskResult::kOk);
  ASSERT_EQ(out.listeners.size(), 1u);
  EXPECT_EQ(out.listeners[0].backlog, 8u);
}

TEST_F(MailboxTest, Counters_CarryGaugesAndTheAppHook_TablesDoNot) {
  int hook_calls = 0;
  mailbox_.SetAppGauges([&](Snapshot* s) {
    ++hook_calls;
    s->app_requests = 41;
    s->app_live = 3;
  });
  auto ask = [&](SnapshotKind kind) {
    Snapshot out;
    auto r = mailbox_.Ask({.kind = kind}, &out, [&] {
      mailbox_.Poll(*server_, clock_.Now());
      return true;
    });
    EXPECT_EQ(r, SnapshotMailbox::AskResult::kOk);
    return out;
  };
  Snapshot c = ask(SnapshotKind::kCounters);
  EXPECT_EQ(hook_calls, 1);
  EXPECT_EQ(c.app_requests, 41u);
  EXPECT_EQ(c.app_live, 3u);
  EXPECT_EQ(c.tcp_connections, server_->tcp().connection_count());
  EXPECT_EQ(c.buffer_chunks_in_use, server_->tcp().buffer_pool().in_use());
  // A table request does not run the hook, and its reply has no app gauges
  // left over from the previous answer.
  Snapshot t = ask(SnapshotKind::kListeners);
  EXPECT_EQ(hook_calls, 1);
  EXPECT_FALSE(t.app_requests.has_value());
  EXPECT_FALSE(t.app_live.has_value());
}

}  // namespace
}  // namespace skiff::testing
