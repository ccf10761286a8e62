// The six steps of a TCP connection through sockets, end to end between two
// skiff stacks over an in-process wire.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

ConstByteSpan Bytes(const std::string& s) {
  return AsBytes(s.data(), s.size());
}

std::string RecvAll(StackCore& stack, SocketId s, bool* eof = nullptr) {
  std::string out;
  std::byte buf[4096];
  while (true) {
    RecvResult r = stack.Recv(s, buf);
    if (!r.ok()) {
      if (eof != nullptr) *eof = r.error() == RecvError::kEof;
      return out;
    }
    out.append(reinterpret_cast<const char*>(buf), r.value());
  }
}

using SixSteps = TwoStacks;

TEST_F(SixSteps, ListenConnectExchangeClose) {
  // 1. the server listens: a port, no peer.
  ListenResult l = server_->Listen(80, 16);
  ASSERT_TRUE(l.ok());
  // 2. the client connects from an ephemeral port.
  ConnectResult c = client_->Connect(kServerIp, 80);
  ASSERT_TRUE(c.ok());
  const SocketId cs = c.value();
  ASSERT_TRUE(RunUntil([&] { return !server_events_.acceptable.empty(); }));
  // 4. the listener made a dedicated socket for the client's 4-tuple.
  const SocketId ss = server_->Accept(l.value());
  ASSERT_TRUE(ss.valid());
  EXPECT_FALSE(server_->Accept(l.value()).valid());
  const Connection* sc = server_->Find(ss);
  ASSERT_NE(sc, nullptr);
  EXPECT_EQ(sc->state(), TcpState::kEstablished);
  EXPECT_EQ(sc->tuple().remote_addr, kClientIp);
  EXPECT_EQ(sc->tuple().remote_port, client_->Find(cs)->tuple().local_port);
  ASSERT_TRUE(RunUntil([&] {
    return (client_events_.EventsFor(cs) & TcpEvent::kConnected) != 0;
  }));

  // 3. the client's request goes out on the transmit poll.
  const std::string request = "GET / HTTP/1.1\r\nHost: skiff\r\n\r\n";
  ASSERT_TRUE(client_->Send(cs, Bytes(request)).ok());
  std::string got;
  ASSERT_TRUE(RunUntil([&] {
    got += RecvAll(*server_, ss);
    return got.size() == request.size();
  }));
  EXPECT_EQ(got, request);

  // 5. the page goes back.
  const std::string page(20000, 'x');
  size_t sent = 0;
  std::string page_got;
  bool eof = false;
  ASSERT_TRUE(RunUntil([&] {
    if (sent < page.size()) {
      SendResult r = server_->Send(ss, Bytes(page).subspan(sent));
      if (r.ok()) sent += r.value();
      if (sent == page.size()) server_->Close(ss);  // 6. server closes
    }
    page_got += RecvAll(*client_, cs, &eof);
    return eof;
  }));
  EXPECT_EQ(page_got, page);
  // 6. the client acknowledged everything and closes too.
  client_->Close(cs);
  // The client closed second: LAST-ACK, then gone. The server closed first
  // and holds the tuple in TIME-WAIT for 2·MSL (60 s by default).
  ASSERT_TRUE(RunUntil([&] { return client_->tcp().connection_count() == 0; }));
  EXPECT_EQ(server_->tcp().connection_count(), 1u);
  RunFor(Duration::Seconds(59));
  EXPECT_EQ(server_->tcp().connection_count(), 1u);
  ASSERT_TRUE(RunUntil([&] { return server_->tcp().connection_count() == 0; },
                       Duration::Seconds(2)));
  EXPECT_EQ(server_->counters().tcp.passive_opens, 1u);
  EXPECT_EQ(client_->counters().tcp.active_opens, 1u);
}

TEST_F(SixSteps, ConnectToClosedPort_Refused) {
  ConnectResult c = client_->Connect(kServerIp, 81);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(RunUntil([&] {
    return (client_events_.EventsFor(c.value()) & TcpEvent::kError) != 0;
  }));
  const Connection* conn = client_->Find(c.value());
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->error(), ConnectionError::kRefused);
  EXPECT_EQ(server_->counters().tcp.resets_out, 1u);
  client_->Close(c.value());
  EXPECT_EQ(client_->Find(c.value()), nullptr);
  Turn();
  EXPECT_EQ(client_->tcp().connection_count(), 0u);
}

TEST_F(SixSteps, ListenTwiceOnOnePort_AddressInUse) {
  ASSERT_TRUE(server_->Listen(80).ok());
  ListenResult again = server_->Listen(80);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), ListenError::kAddressInUse);
  EXPECT_EQ(server_->Listen(0).error(), ListenError::kInvalidPort);
}

TEST_F(SixSteps, ConnectToNowhere_NoRouteOrInvalid) {
  EXPECT_EQ(client_->Connect(Ipv4Address(192, 168, 1, 1), 80).error(),
            ConnectError::kNoRoute);
  EXPECT_EQ(client_->Connect(kClientIp, 80).error(),
            ConnectError::kInvalidAddress);
  EXPECT_EQ(client_->Connect(Ipv4Address::Broadcast(), 80).error(),
            ConnectError::kInvalidAddress);
}

}  // namespace
}  // namespace skiff::testing
