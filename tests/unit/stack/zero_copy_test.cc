// Zero-copy with ownership (issue 9): RecvZeroCopy over kept mbufs and
// SendOwned over application buffers, end to end between two public
// Stacks on the in-process SimWire, clean and lossy.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "drivers/sim/sim_wire.h"
#include "skiff/stack.h"
#include "stack/stack_access.h"
#include "tests/support/eal_env.h"
#include "tests/unit/stack/next_event_loop.h"

namespace skiff {
namespace {

constexpr Ipv4Address kClientIp(10, 0, 0, 1);
constexpr Ipv4Address kServerIp(10, 0, 0, 2);

// Byte i of every test stream: not periodic at any segment size.
std::byte Pattern(size_t i) {
  return static_cast<std::byte>((i * 131 + (i >> 11) * 7 + (i >> 17)) & 0xff);
}

// Counts the releases of each owned buffer.
struct ReleaseLog {
  std::vector<int> count;
  static void Fn(void* ctx, const std::byte*, size_t) {
    ++*static_cast<int*>(ctx);
  }
};

// Stepped to the next event (next_event_loop.h): a stack that calls itself
// due yet moves nothing fails the test.
class ZeroCopyTest : public testing::NextEventLoop<Stack> {
 protected:
  void SetUp() override { Build({}, {}); }

  void Build(SimLinkConfig a_to_b, SimLinkConfig b_to_a, bool gro = false) {
    client_.reset();
    server_.reset();
    wire_.reset();
    pool_start_ = testing::TestPool().available();
    a_to_b.delay = b_to_a.delay = Duration::Micros(200);
    auto wire =
        SimWire::Create({.a_to_b = a_to_b, .b_to_a = b_to_a, .clock = &clock_},
                        testing::TestPool(), testing::TestPool());
    ASSERT_TRUE(wire.ok()) << wire.status();
    wire_ = std::move(*wire);
    Config c;
    c.address = {kClientIp, 24};
    Config s;
    s.address = {kServerIp, 24};
    s.gro = gro;
    client_ = std::make_unique<Stack>(wire_->a(), c);
    server_ = std::make_unique<Stack>(wire_->b(), s);
    client_->Start(clock_.Now());
    server_->Start(clock_.Now());
  }
  void BuildLossy(uint64_t seed, bool gro = false) {
    SimLinkConfig bad{.seed = seed, .loss = 0.02, .reorder = 0.05};
    SimLinkConfig back = bad;
    back.seed = seed + 1;
    Build(bad, back, gro);
  }
  void TearDown() override {
    NextEventLoop::TearDown();
    EXPECT_EQ(testing::TestPool().available(), pool_start_) << "mbufs leaked";
  }
  std::pair<SocketId, SocketId> Open() {
    auto l = server_->Listen(80);
    EXPECT_TRUE(l.ok());
    auto c = client_->Connect(kServerIp, 80);
    EXPECT_TRUE(c.ok());
    Result<SocketId, AcceptError> a =
        Result<SocketId, AcceptError>::Error(AcceptError::kWouldBlock);
    for (int i = 0; i < 200000 && !a.ok(); ++i) {
      Turn();
      a = server_->Accept(l.value());
    }
    EXPECT_TRUE(a.ok());
    return {c.value(), a.value()};
  }
  // Closes both ends and lets the FIN exchange and TIME-WAIT finish, so
  // that every mbuf is back.
  void CloseBoth(SocketId c, SocketId s) {
    EXPECT_TRUE(client_->Close(c).ok());
    EXPECT_TRUE(server_->Close(s).ok());
    RunFor(Duration::Seconds(3));
  }
  uint32_t MbufsInUse() const {
    return pool_start_ - testing::TestPool().available();
  }
  std::pair<size_t, size_t> LossyTransfer(bool gro, bool zero_copy = true);

  uint32_t pool_start_ = 0;
};

void ExpectPattern(const std::vector<std::byte>& got, size_t total) {
  ASSERT_EQ(got.size(), total);
  for (size_t i = 0; i < total; ++i) {
    if (got[i] != Pattern(i)) {
      FAIL() << "byte " << i << " differs";
    }
  }
}

// 4 MiB from client to server over a lossy, reordering wire, read with
// RecvZeroCopy (on a socket in zero-copy mode unless !zero_copy); returns
// the bytes that came as kept mbufs and as copies. The stream must be
// byte-exact and every mbuf back after the close.
std::pair<size_t, size_t> ZeroCopyTest::LossyTransfer(bool gro,
                                                      bool zero_copy) {
  BuildLossy(7, gro);
  auto [c, s] = Open();
  if (zero_copy) {
    EXPECT_TRUE(server_->SetZeroCopyRecv(s, true).ok());
  }
  constexpr size_t kTotal = 4 << 20;
  std::vector<std::byte> got;
  got.reserve(kTotal);
  size_t kept = 0, copied = 0;
  std::vector<std::byte> chunk(64 * 1024);
  size_t sent = 0;
  for (int turns = 0; got.size() < kTotal && turns < 4'000'000; ++turns) {
    while (sent < kTotal) {
      const size_t n = std::min(chunk.size(), kTotal - sent);
      for (size_t i = 0; i < n; ++i) chunk[i] = Pattern(sent + i);
      auto r = client_->Send(c, ConstByteSpan(chunk.data(), n));
      if (!r.ok()) break;
      sent += r.value();
    }
    for (;;) {
      Result<RecvBuffer, RecvError> r = server_->RecvZeroCopy(s);
      if (!r.ok()) {
        EXPECT_EQ(r.error(), RecvError::kWouldBlock);
        break;
      }
      RecvBuffer b = r.TakeValue();
      EXPECT_FALSE(b.empty());
      (b.zero_copy() ? kept : copied) += b.size();
      got.insert(got.end(), b.bytes().begin(), b.bytes().end());
    }
    Turn();
  }
  ExpectPattern(got, kTotal);
  CloseBoth(c, s);
  EXPECT_EQ(MbufsInUse(), 0u);
  return {kept, copied};
}

TEST_F(ZeroCopyTest, ZeroCopyRecvIsByteExactOverLossAndReordering) {
  const auto [kept, copied] = LossyTransfer(/*gro=*/false);
  // Both paths ran: mbufs were kept, and loss repair fell back to copies.
  EXPECT_GT(kept, (4u << 20) / 4);
  EXPECT_GT(copied, 0u);
}

// GRO on the receiver: merged segments are chains, which the hold never
// keeps; the stream stays byte-exact and every mbuf comes back.
TEST_F(ZeroCopyTest, ZeroCopyRecvWithGroCopiesMergedSegments) {
  const auto [kept, copied] = LossyTransfer(/*gro=*/true);
  // Merged segments (chains) were copied; single frames may still be kept.
  EXPECT_GT(StackAccess::Core(*server_).counters().link.rx_gro_super_segments,
            0u);
  EXPECT_GT(copied, (4u << 20) / 4);
}

// GRO on the receiver, copy mode: super-segments (multi-mbuf chains) go
// into the receive ring span by span, straight from their mbufs, in order
// and beyond holes the loss made; the stream stays byte-exact.
TEST_F(ZeroCopyTest, GroChainsAreCopiedSpanBySpanOverLossAndReordering) {
  const auto [kept, copied] = LossyTransfer(/*gro=*/true, /*zero_copy=*/false);
  EXPECT_EQ(kept, 0u);
  EXPECT_EQ(copied, 4u << 20);
  const StackCounters n = StackAccess::Core(*server_).counters();
  EXPECT_GT(n.link.rx_gro_super_segments, 0u);
  EXPECT_GE(n.link.rx_gro_frames, 2 * n.link.rx_gro_super_segments);
  EXPECT_GT(n.tcp.out_of_order, 0u);  // reassembly ran, holes were filled
}

TEST_F(ZeroCopyTest, CopyApiReadsKeptMbufsInOrder) {
  BuildLossy(21);
  auto [c, s] = Open();
  ASSERT_TRUE(server_->SetZeroCopyRecv(s, true).ok());
  constexpr size_t kTotal = 2 << 20;
  std::vector<std::byte> got;
  std::vector<std::byte> chunk(64 * 1024), buf(3000);
  size_t sent = 0;
  int mode = 0;
  for (int turns = 0; got.size() < kTotal && turns < 4'000'000; ++turns) {
    while (sent < kTotal) {
      const size_t n = std::min(chunk.size(), kTotal - sent);
      for (size_t i = 0; i < n; ++i) chunk[i] = Pattern(sent + i);
      auto r = client_->Send(c, ConstByteSpan(chunk.data(), n));
      if (!r.ok()) break;
      sent += r.value();
    }
    // Rotate through every read call, with odd sizes that split mbufs.
    for (bool more = true; more;) {
      switch (mode++ % 3) {
        case 0: {
          auto r = server_->Recv(s, ByteSpan(buf.data(), 1000 + mode % 2000));
          more = r.ok();
          if (more) got.insert(got.end(), buf.begin(), buf.begin() + r.value());
          break;
        }
        case 1: {
          auto p = server_->RecvPeek(s);
          more = p.ok();
          if (!more) break;
          const size_t take = std::min<size_t>(p.value().size(), 777);
          for (size_t i = 0; i < take; ++i) {
            const RingSpans<const std::byte>& sp = p.value();
            got.push_back(i < sp.first.size() ? sp.first[i]
                                              : sp.second[i - sp.first.size()]);
          }
          auto k = server_->RecvConsume(s, take);
          ASSERT_TRUE(k.ok());
          ASSERT_EQ(k.value(), take);
          break;
        }
        default: {
          auto r = server_->RecvZeroCopy(s);
          more = r.ok();
          if (more) {
            RecvBuffer b = r.TakeValue();
            got.insert(got.end(), b.bytes().begin(), b.bytes().end());
          }
        }
      }
    }
    Turn();
  }
  ExpectPattern(got, kTotal);
  CloseBoth(c, s);
}

TEST_F(ZeroCopyTest, NonReadingAppPinsAtMostTheBoundAndEofFollows) {
  auto [c, s] = Open();
  ASSERT_TRUE(server_->SetZeroCopyRecv(s, true).ok());
  const uint32_t idle = MbufsInUse();
  constexpr size_t kTotal = 1 << 20;  // more than the 256 KiB window
  std::vector<std::byte> data(kTotal);
  for (size_t i = 0; i < kTotal; ++i) data[i] = Pattern(i);
  size_t sent = 0;
  // Two seconds of the client sending what the window takes.
  const Instant quiet = clock_.Now() + Duration::Seconds(2);
  for (int i = 0; i < kMaxTurns && clock_.Now() < quiet; ++i) {
    if (sent < kTotal) {
      auto r = client_->Send(c, ConstByteSpan(data).subspan(sent));
      if (r.ok()) sent += r.value();
    }
    Turn(quiet);
  }
  ASSERT_EQ(clock_.Now(), quiet);
  // The window is full (kept bytes count in it) and the wire is quiet:
  // what is in use is the kept mbufs, 64 at most.
  auto info = server_->Info(s);
  ASSERT_TRUE(info.ok());
  EXPECT_GT(info.value().recv_queued, 250u * 1024);  // SWS leaves < 1 MSS
  EXPECT_GE(MbufsInUse(), idle + 32);                // it did keep mbufs...
  EXPECT_LE(MbufsInUse(), idle + 64 + 4);  // ...no more than the bound
  std::vector<std::byte> got;
  bool shut = false;
  for (int turns = 0; turns < 400000; ++turns) {
    auto r = server_->RecvZeroCopy(s);
    if (r.ok()) {
      RecvBuffer b = r.TakeValue();
      got.insert(got.end(), b.bytes().begin(), b.bytes().end());
      continue;
    }
    if (r.error() == RecvError::kEof) break;
    ASSERT_EQ(r.error(), RecvError::kWouldBlock);
    if (sent < kTotal) {
      auto w = client_->Send(c, ConstByteSpan(data).subspan(sent));
      if (w.ok()) sent += w.value();
    } else if (!shut) {
      ASSERT_TRUE(client_->Shutdown(c).ok());  // FIN after all of it
      shut = true;
    }
    Turn();
  }
  ExpectPattern(got, kTotal);
  EXPECT_EQ(server_->RecvZeroCopy(s).error(), RecvError::kEof);
  CloseBoth(c, s);
  EXPECT_EQ(MbufsInUse(), 0u);
}

TEST_F(ZeroCopyTest, KeptMbufsAreFreedOnResetAndRecvBufferOutlivesSocket) {
  auto [c, s] = Open();
  ASSERT_TRUE(server_->SetZeroCopyRecv(s, true).ok());
  std::vector<std::byte> data(200 * 1024);
  for (size_t i = 0; i < data.size(); ++i) data[i] = Pattern(i);
  ASSERT_TRUE(client_->Send(c, data).ok());
  RunFor(Duration::Millis(50));
  auto first = server_->RecvZeroCopy(s);
  ASSERT_TRUE(first.ok());
  RecvBuffer b = first.TakeValue();
  EXPECT_TRUE(b.zero_copy());
  const std::vector<std::byte> copy(b.bytes().begin(), b.bytes().end());
  ASSERT_TRUE(client_->Abort(c).ok());
  RunFor(Duration::Millis(50));
  EXPECT_EQ(server_->RecvZeroCopy(s).error(), RecvError::kReset);
  ASSERT_TRUE(server_->Close(s).ok());
  RunFor(Duration::Millis(50));
  // Only the buffer the application holds is still in use.
  EXPECT_EQ(MbufsInUse(), 1u);
  EXPECT_TRUE(std::equal(copy.begin(), copy.end(), b.bytes().begin()));
  for (size_t i = 0; i < copy.size(); ++i) ASSERT_EQ(copy[i], Pattern(i));
  b.Reset();
  EXPECT_EQ(MbufsInUse(), 0u);
}

// SendOwned buffers of varied sizes (some below SendQueue's copy
// threshold), with plain Sends between them, over loss and reordering.
TEST_F(ZeroCopyTest, OwnedSendIsByteExactWithLossAndReleasedOnce) {
  BuildLossy(33);
  auto [c, s] = Open();
  constexpr size_t kTotal = 4 << 20;
  std::vector<std::unique_ptr<std::byte[]>> storage;
  std::vector<std::unique_ptr<int>> releases;
  std::vector<std::byte> got, buf(64 * 1024);
  size_t sent = 0, owned = 0, plain = 0;
  for (int turns = 0; got.size() < kTotal && turns < 4'000'000; ++turns) {
    for (bool room = true; room && sent < kTotal;) {
      const size_t k = storage.size() + plain;
      const bool use_plain = k % 4 == 3;
      const size_t size =
          std::min(kTotal - sent, size_t{100} + (k * 7919) % 60000);
      if (use_plain) {
        std::vector<std::byte> v(size);
        for (size_t i = 0; i < size; ++i) v[i] = Pattern(sent + i);
        auto r = client_->Send(c, v);
        room = r.ok() && r.value() == size;
        if (r.ok()) {
          sent += r.value();
          ++plain;
        }
        continue;
      }
      auto p = std::make_unique<std::byte[]>(size);
      for (size_t i = 0; i < size; ++i) p[i] = Pattern(sent + i);
      auto counter = std::make_unique<int>(0);
      OwnedBytes ob(p.get(), size, &ReleaseLog::Fn, counter.get());
      auto r = client_->SendOwned(c, std::move(ob));
      if (!r.ok()) {
        ASSERT_EQ(r.error(), SendError::kWouldBlock);
        EXPECT_EQ(ob.size(), size);  // refused: still ours, not released
        EXPECT_EQ(*counter, 0);
        ob = OwnedBytes();  // gives it back (the callback, unrecorded)
        room = false;
        break;
      }
      EXPECT_EQ(r.value(), size);
      EXPECT_TRUE(ob.empty());
      sent += size;
      owned += size;
      storage.push_back(std::move(p));
      releases.push_back(std::move(counter));
    }
    for (;;) {
      auto r = server_->Recv(s, buf);
      if (!r.ok()) break;
      got.insert(got.end(), buf.begin(), buf.begin() + r.value());
    }
    Turn();
  }
  ExpectPattern(got, kTotal);
  EXPECT_GT(owned, kTotal / 2);
  EXPECT_GT(plain, 0u);
  RunFor(Duration::Millis(100));  // the last ACKs
  for (size_t i = 0; i < releases.size(); ++i) {
    EXPECT_EQ(*releases[i], 1) << "buffer " << i;
  }
  auto info = client_->Info(c);
  ASSERT_TRUE(info.ok());
  EXPECT_GT(info.value().retransmits, 0u);  // loss repair read owned bytes
  CloseBoth(c, s);
  for (size_t i = 0; i < releases.size(); ++i) {
    EXPECT_EQ(*releases[i], 1) << "buffer " << i;
  }
}

TEST_F(ZeroCopyTest, OwnedBuffersReleasedOnceOnAbort) {
  // Aborted before any of it was sent: released by Abort itself.
  auto [c, s] = Open();
  ASSERT_TRUE(server_->Close(s).ok());
  int released = 0;
  std::vector<std::byte> data(50000, std::byte{1});
  ASSERT_TRUE(client_
                  ->SendOwned(c, OwnedBytes(data.data(), data.size(),
                                            &ReleaseLog::Fn, &released))
                  .ok());
  EXPECT_EQ(released, 0);  // queued, not yet acknowledged
  ASSERT_TRUE(client_->Abort(c).ok());
  EXPECT_EQ(released, 1);
  RunFor(Duration::Millis(100));
  EXPECT_EQ(released, 1);
}

TEST_F(ZeroCopyTest, OwnedBuffersReleasedOnceOnReset) {
  auto [c, s] = Open();
  int released = 0;
  std::vector<std::byte> data(50000, std::byte{1});
  // The server stops reading and resets: the data was never acknowledged
  // in full (the server aborts first).
  ASSERT_TRUE(server_->Abort(s).ok());
  ASSERT_TRUE(client_
                  ->SendOwned(c, OwnedBytes(data.data(), data.size(),
                                            &ReleaseLog::Fn, &released))
                  .ok());
  RunFor(Duration::Millis(100));
  EXPECT_EQ(released, 1);
  auto info = client_->Info(c);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info.value().error, CloseReason::kReset);
  ASSERT_TRUE(client_->Close(c).ok());
  EXPECT_EQ(released, 1);
}

TEST_F(ZeroCopyTest, OwnedBuffersReleasedOnceOnStackDestruction) {
  auto [c, s] = Open();
  int released = 0;
  std::vector<std::byte> data(50000, std::byte{1});
  ASSERT_TRUE(client_
                  ->SendOwned(c, OwnedBytes(data.data(), data.size(),
                                            &ReleaseLog::Fn, &released))
                  .ok());
  EXPECT_EQ(released, 0);
  client_.reset();
  EXPECT_EQ(released, 1);
}

TEST_F(ZeroCopyTest, OwnedAndPlainSendsKeepTheirOrder) {
  auto [c, s] = Open();
  std::string expect;
  std::vector<std::string> pieces;
  int released = 0;
  for (int i = 0; i < 20; ++i) {
    pieces.push_back(std::string(2000 + i * 100, static_cast<char>('a' + i)));
  }
  for (int i = 0; i < 20; ++i) {
    const std::string& p = pieces[static_cast<size_t>(i)];
    if (i % 2 == 0) {
      ASSERT_TRUE(
          client_
              ->SendOwned(c, OwnedBytes(AsBytes(p.data(), p.size()).data(),
                                        p.size(), &ReleaseLog::Fn, &released))
              .ok());
    } else {
      ASSERT_EQ(client_->Send(c, AsBytes(p.data(), p.size())).value(),
                p.size());
    }
    expect += p;
  }
  RunFor(Duration::Millis(100));
  std::string got;
  std::vector<std::byte> buf(8192);
  for (;;) {
    auto r = server_->Recv(s, buf);
    if (!r.ok()) break;
    got.append(reinterpret_cast<const char*>(buf.data()), r.value());
  }
  EXPECT_EQ(got, expect);
  EXPECT_EQ(released, 10);
  CloseBoth(c, s);
}

TEST_F(ZeroCopyTest, SendOwnedRefusesWhatDoesNotFitAndLeavesItOwned) {
  auto [c, s] = Open();
  std::vector<std::byte> fill(256 * 1024, std::byte{2});
  ASSERT_EQ(client_->Send(c, fill).value(), fill.size());  // buffer full
  int released = 0;
  std::vector<std::byte> data(4096, std::byte{3});
  OwnedBytes ob(data.data(), data.size(), &ReleaseLog::Fn, &released);
  auto r = client_->SendOwned(c, std::move(ob));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), SendError::kWouldBlock);
  EXPECT_EQ(ob.size(), data.size());
  EXPECT_EQ(released, 0);
  ob.Release();
  EXPECT_EQ(released, 1);
  CloseBoth(c, s);
}

TEST_F(ZeroCopyTest, StaleHandleIsBadSocket) {
  auto [c, s] = Open();
  ASSERT_TRUE(client_->Close(c).ok());
  EXPECT_EQ(client_->SetZeroCopyRecv(c, true).error(), SocketError::kBadSocket);
  EXPECT_EQ(client_->RecvZeroCopy(c).error(), RecvError::kBadSocket);
  int released = 0;
  std::byte one[1] = {};
  OwnedBytes ob(one, 1, &ReleaseLog::Fn, &released);
  EXPECT_EQ(client_->SendOwned(c, std::move(ob)).error(),
            SendError::kBadSocket);
  EXPECT_EQ(released, 0);  // refused: still the application's
  EXPECT_EQ(ob.size(), 1u);
  EXPECT_EQ(server_->RecvZeroCopy(SocketId{}).error(), RecvError::kBadSocket);
  ASSERT_TRUE(server_->Close(s).ok());
  RunFor(Duration::Seconds(3));
}

}  // namespace
}  // namespace skiff
