// skiff-load's engine on a skiff client StackCore against skiff servers (the
// skiff-httpd logic, and small misbehaving ones) over SimWire, on a manual
// clock: every workload, open-loop pacing, and each error kind.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "apps/httpd/server.h"
#include "apps/load/engine.h"
#include "apps/load/pacer.h"
#include "apps/load/report.h"
#include "drivers/sim/sim_wire.h"
#include "stack/stack_core.h"
#include "tests/support/eal_env.h"

namespace skiff::load {
namespace {

constexpr Ipv4Address kClientIp(10, 0, 0, 1);
constexpr Ipv4Address kServerIp(10, 0, 0, 2);

// A raw TCP server on the server stack: on each readable event it calls
// `on_data(stack, socket, bytes)`.
class RawServer : public TcpEventHandler {
 public:
  using OnData = std::function<void(StackCore&, SocketId, std::string_view)>;
  RawServer(StackCore& stack, OnData on_data)
      : stack_(stack), on_data_(std::move(on_data)) {}
  void OnAcceptable(ListenerId l) override {
    while (stack_.Accept(l).valid()) ++accepted;
  }
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    if (ev & TcpEvent::kError) {
      stack_.Close(s);
      return;
    }
    std::byte buf[4096];
    while (stack_.Find(s) != nullptr) {
      RecvResult r = stack_.Recv(s, buf);
      if (!r.ok()) {
        if (r.error() != RecvError::kWouldBlock) stack_.Close(s);
        return;
      }
      on_data_(stack_, s,
               std::string_view(reinterpret_cast<const char*>(buf), r.value()));
    }
  }
  size_t accepted = 0;

 private:
  StackCore& stack_;
  OnData on_data_;
};

void SendText(StackCore& st, SocketId s, std::string_view text) {
  st.Send(s, ConstByteSpan(reinterpret_cast<const std::byte*>(text.data()),
                           text.size()));
}

class LoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_start_ = testing::TestPool().available();
    auto wire = SimWire::Create({.clock = &clock_}, testing::TestPool(),
                                testing::TestPool());
    ASSERT_TRUE(wire.ok());
    wire_ = std::move(*wire);
    StackConfig c{.address = {kClientIp, 24}};
    c.tcp.connection.time_wait = Duration::Seconds(1);
    StackConfig s{.address = {kServerIp, 24}};
    s.tcp.connection.time_wait = Duration::Seconds(1);
    client_ = std::make_unique<StackCore>(wire_->a(), c);
    server_stack_ = std::make_unique<StackCore>(wire_->b(), s);
    client_->Start(clock_.Now());
    server_stack_->Start(clock_.Now());
  }
  void TearDown() override {
    engine_.reset();
    http_.reset();
    raw_.reset();
    client_.reset();
    server_stack_.reset();
    wire_.reset();
    EXPECT_EQ(testing::TestPool().available(), pool_start_) << "mbufs leaked";
  }
  void ServeHttp() {
    http_ =
        std::make_unique<HttpServer>(*server_stack_, http::HttpServerConfig{},
                                     nullptr, [] { return int64_t{0}; });
    ASSERT_TRUE(http_->Listen(80, 4096));
  }
  void ServeRaw(RawServer::OnData on_data, uint16_t port = 80) {
    raw_ = std::make_unique<RawServer>(*server_stack_, std::move(on_data));
    server_stack_->SetEventHandler(raw_.get());
    ASSERT_TRUE(server_stack_->Listen(port, 4096).ok());
  }
  LoadConfig Base() {
    LoadConfig lc;
    lc.server = kServerIp;
    lc.port = 80;
    lc.duration = Duration::Seconds(30);
    lc.timeout = Duration::Seconds(1);
    lc.drain = Duration::Seconds(2);
    return lc;
  }
  // Runs the engine to the end; `serve` false leaves the server unpolled
  // (a blackhole).
  void Run(LoadConfig lc, bool serve = true, bool settle = true,
           Duration limit = Duration::Seconds(60)) {
    engine_ = std::make_unique<LoadEngine>(*client_, std::move(lc));
    engine_->Start(clock_.Now());
    const Instant end = clock_.Now() + limit;
    while (!engine_->done() && clock_.Now() < end) Turn(serve);
    ASSERT_TRUE(engine_->done());
    for (int i = 0; i < 40000 && serve && settle; ++i)
      Turn(serve);  // FINs, TIME-WAIT
  }
  void Turn(bool serve = true, Duration step = Duration::Micros(50)) {
    if (engine_) {
      engine_->Poll(clock_.Now());
    } else {
      client_->Poll(clock_.Now());
    }
    if (serve) {
      if (http_) {
        http_->Poll(clock_.Now());
      } else {
        server_stack_->Poll(clock_.Now());
      }
    }
    clock_.Advance(step);
  }
  std::string ErrorString() const {
    std::string out;
    for (size_t i = 0; i < kErrorKinds; ++i)
      out += std::string(ErrorKindName(static_cast<ErrorKind>(i))) + "=" +
             std::to_string(engine_->totals().errors[i]) + " ";
    return out;
  }
  uint64_t Errors(ErrorKind k) const {
    return engine_->totals().errors[static_cast<size_t>(k)];
  }

  ManualClock clock_;
  std::unique_ptr<SimWire> wire_;
  std::unique_ptr<StackCore> client_, server_stack_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<RawServer> raw_;
  std::unique_ptr<LoadEngine> engine_;
  uint32_t pool_start_ = 0;
};

TEST_F(LoadTest, Cps_ClosedLoop_EveryRequestAnsweredAndCountedOnce) {
  ServeHttp();
  LoadConfig lc = Base();
  lc.concurrency = 8;
  lc.count = 300;
  Run(lc);
  const LoadCounters& t = engine_->totals();
  EXPECT_EQ(t.requests_sent, 300u);
  EXPECT_EQ(t.requests_done, 300u);
  EXPECT_EQ(t.conns_opened, 300u);
  EXPECT_EQ(t.error_total(), 0u) << ErrorString();
  EXPECT_EQ(engine_->latency().count(), 300u);
  EXPECT_EQ(http_->status_counts().by_status[200], 300u);
  EXPECT_EQ(http_->counters().accepted, 300u);
  EXPECT_EQ(http_->live_connections(), 0u);
}

// Raw TCP: we close first, so FIN leaves our side in TIME-WAIT and RST
// leaves nothing.
TEST_F(LoadTest, Cps_FinClose_TimeWaitOnOurSide_RstClose_None) {
  ServeRaw([](StackCore& st, SocketId s, std::string_view) {
    SendText(st, s, std::string(64, 'y'));
  });
  LoadConfig lc = Base();
  lc.protocol = Protocol::kRaw;
  lc.concurrency = 4;
  lc.count = 50;
  lc.close = CloseMode::kFin;
  Run(lc, true, /*settle=*/false);
  EXPECT_EQ(engine_->totals().requests_done, 50u);
  for (int i = 0; i < 200; ++i) Turn();  // 10 ms: the FIN exchanges end
  EXPECT_GE(client_->tcp().connection_count(), 45u);  // in TIME-WAIT
  for (int i = 0; i < 40000; ++i) Turn();             // 2 s > TIME-WAIT
  EXPECT_EQ(client_->tcp().connection_count(), 0u);

  lc.close = CloseMode::kRst;
  Run(lc, true, /*settle=*/false);
  EXPECT_EQ(engine_->totals().requests_done, 50u);
  for (int i = 0; i < 200; ++i) Turn();
  EXPECT_EQ(client_->tcp().connection_count(), 0u);
  EXPECT_EQ(server_stack_->tcp().connection_count(), 0u);
}

TEST_F(LoadTest, Rps_KeepAlive_FixedConnections) {
  ServeHttp();
  LoadConfig lc = Base();
  lc.workload = Workload::kRps;
  lc.concurrency = 4;
  lc.count = 500;
  Run(lc);
  const LoadCounters& t = engine_->totals();
  EXPECT_EQ(t.requests_done, 500u);
  EXPECT_EQ(t.conns_opened, 4u);
  EXPECT_EQ(t.error_total(), 0u) << ErrorString();
  EXPECT_EQ(http_->status_counts().by_status[200], 500u);
}

TEST_F(LoadTest, Cps_OpenLoop_AchievesTargetRate) {
  ServeHttp();
  LoadConfig lc = Base();
  lc.rate = 2000;
  lc.duration = Duration::Seconds(2);
  Run(lc);
  const LoadCounters& t = engine_->totals();
  EXPECT_EQ(t.error_total(), 0u) << ErrorString();
  EXPECT_NEAR(static_cast<double>(t.requests_done), 4000.0, 4000 * 0.02);
  // Latency is one round trip or so, not queueing: far below a second.
  EXPECT_LT(engine_->latency().Percentile(0.99), 5'000'000u);
}

TEST_F(LoadTest, Rps_OpenLoop_StalledServer_LatencyFromIntendedTime) {
  ServeHttp();
  LoadConfig lc = Base();
  lc.workload = Workload::kRps;
  lc.concurrency = 2;
  lc.rate = 1000;
  lc.duration = Duration::Seconds(1);
  lc.timeout = Duration::Seconds(5);
  engine_ = std::make_unique<LoadEngine>(*client_, lc);
  engine_->Start(clock_.Now());
  // The server stalls for the first 300 ms: requests meant for that time
  // queue, and their latency must show it (coordinated omission).
  for (int i = 0; i < 6000; ++i) Turn(/*serve=*/i < 20 || i > 6000);
  while (!engine_->done()) Turn();
  EXPECT_EQ(engine_->totals().error_total(), 0u) << ErrorString();
  EXPECT_NEAR(static_cast<double>(engine_->totals().requests_done), 1000.0,
              20.0);
  // About 300 of the 1,000 were due in the stall, their latency spread
  // from 300 ms down to nothing; measured from when they finally left, all
  // would look like one round trip.
  EXPECT_GT(engine_->latency().Percentile(0.85), 100'000'000u);  // > 100 ms
  EXPECT_LT(engine_->latency().Percentile(0.5), 1'000'000u);     // < 1 ms
}

TEST_F(LoadTest, Cc_HoldsConnectionsWithKeepAliveRequests) {
  ServeHttp();
  LoadConfig lc = Base();
  lc.workload = Workload::kCc;
  lc.concurrency = 200;
  lc.keepalive_interval = Duration::Millis(500);
  lc.duration = Duration::Seconds(2);
  engine_ = std::make_unique<LoadEngine>(*client_, lc);
  engine_->Start(clock_.Now());
  for (int i = 0; i < 20000; ++i) Turn();  // 1 s
  EXPECT_EQ(engine_->held(), 200u);
  EXPECT_EQ(http_->live_connections(), 200u);
  while (!engine_->done()) Turn();
  EXPECT_EQ(engine_->totals().error_total(), 0u) << ErrorString();
  // Each connection asked every 500 ms while the run lasted (2 s).
  EXPECT_GE(engine_->totals().requests_done, 200u * 3);
}

TEST_F(LoadTest, Bulk_Http_MovesBytes) {
  ServeHttp();
  LoadConfig lc = Base();
  lc.workload = Workload::kBulk;
  lc.concurrency = 2;
  lc.duration = Duration::Millis(200);
  Run(lc);
  EXPECT_GT(engine_->totals().requests_done, 10u);
  EXPECT_GT(engine_->totals().bytes_in, 10u * 100);
  EXPECT_EQ(engine_->totals().error_total(), 0u) << ErrorString();
}

TEST_F(LoadTest, Raw_Cps_SendNReadM) {
  ServeRaw([](StackCore& st, SocketId s, std::string_view) {
    SendText(st, s, std::string(100, 'y'));
  });
  LoadConfig lc = Base();
  lc.protocol = Protocol::kRaw;
  lc.raw_send = 10;
  lc.raw_recv = 100;
  lc.close = CloseMode::kRst;
  lc.concurrency = 4;
  lc.count = 40;
  Run(lc);
  EXPECT_EQ(engine_->totals().requests_done, 40u);
  EXPECT_EQ(engine_->totals().error_total(), 0u) << ErrorString();
  EXPECT_EQ(raw_->accepted, 40u);
}

TEST_F(LoadTest, ClosedPort_Refused) {
  ServeHttp();
  LoadConfig lc = Base();
  lc.port = 81;
  lc.count = 20;
  lc.concurrency = 4;
  Run(lc);
  EXPECT_EQ(Errors(ErrorKind::kRefused), 20u);
  EXPECT_EQ(engine_->totals().error_total(), 20u);
}

TEST_F(LoadTest, Blackhole_Timeout) {
  LoadConfig lc = Base();
  lc.count = 5;
  lc.concurrency = 5;
  lc.timeout = Duration::Millis(500);
  Run(lc, /*serve=*/false);
  EXPECT_EQ(Errors(ErrorKind::kTimeout), 5u);
  EXPECT_EQ(engine_->totals().error_total(), 5u);
  for (int i = 0; i < 200000; ++i) Turn(false);  // ARP gives up, mbufs back
}

TEST_F(LoadTest, ServerResets_Reset) {
  ServeRaw([](StackCore& st, SocketId s, std::string_view) { st.Abort(s); });
  LoadConfig lc = Base();
  lc.count = 10;
  Run(lc);
  EXPECT_EQ(Errors(ErrorKind::kReset), 10u);
  EXPECT_EQ(engine_->totals().error_total(), 10u);
}

TEST_F(LoadTest, GarbageAnswer_ParseError) {
  ServeRaw([](StackCore& st, SocketId s, std::string_view) {
    SendText(st, s, "garbage\r\n\r\n");
  });
  LoadConfig lc = Base();
  lc.count = 10;
  Run(lc);
  EXPECT_EQ(Errors(ErrorKind::kParse), 10u);
  EXPECT_EQ(engine_->totals().error_total(), 10u);
}

TEST_F(LoadTest, NotFound_BadStatus) {
  ServeHttp();
  LoadConfig lc = Base();
  lc.path = "/nope";
  lc.count = 10;
  Run(lc);
  EXPECT_EQ(Errors(ErrorKind::kBadStatus), 10u);
  EXPECT_EQ(engine_->totals().requests_done, 0u);
}

TEST_F(LoadTest, CloseBeforeAnswer_Closed) {
  ServeRaw([](StackCore& st, SocketId s, std::string_view) { st.Close(s); });
  LoadConfig lc = Base();
  lc.count = 10;
  Run(lc);
  EXPECT_EQ(Errors(ErrorKind::kClosed), 10u);
}

TEST_F(LoadTest, Sample_ReportsIntervalRates) {
  ServeHttp();
  LoadConfig lc = Base();
  lc.rate = 1000;
  lc.duration = Duration::Seconds(2);
  engine_ = std::make_unique<LoadEngine>(*client_, lc);
  engine_->Start(clock_.Now());
  for (int i = 0; i < 20000; ++i) Turn();
  LoadSample s = engine_->TakeSample(clock_.Now());
  EXPECT_NEAR(s.seconds, 1.0, 1e-6);
  EXPECT_NEAR(static_cast<double>(s.delta.requests_done), 1000.0, 10.0);
  EXPECT_GT(s.p99_ns, 0u);
  while (!engine_->done()) Turn();
}

// Four source addresses (StackConfig::extra_addresses) hold more than 64 K
// connections to one server port at once: ephemeral ports are drawn per
// (source, destination) pair. The server sees each source's share.
TEST(LoadMultiSourceTest, FourSources_MoreThan64KConnectionsToOnePort) {
  const uint32_t pool_start = testing::TestPool().available();
  ManualClock clock;
  auto wire = SimWire::Create({.clock = &clock}, testing::TestPool(),
                              testing::TestPool());
  ASSERT_TRUE(wire.ok());
  const std::vector<Ipv4Address> sources = {
      Ipv4Address(10, 0, 0, 11), Ipv4Address(10, 0, 0, 12),
      Ipv4Address(10, 0, 0, 13), Ipv4Address(10, 0, 0, 14)};
  StackConfig c{.address = {kClientIp, 24}};
  c.extra_addresses = sources;
  // 64,512 ports: one address alone could never hold kConns.
  c.tcp.ephemeral_first = 1024;
  StackConfig s{.address = {kServerIp, 24}};
  constexpr uint32_t kConns = 70'000;  // > 65,536
  {
    auto client = std::make_unique<StackCore>((*wire)->a(), c);
    auto server = std::make_unique<StackCore>((*wire)->b(), s);
    RawServer raw(*server, [](StackCore&, SocketId, std::string_view) {});
    server->SetEventHandler(&raw);
    ASSERT_TRUE(server->Listen(80, 65535).ok());
    client->Start(clock.Now());
    server->Start(clock.Now());
    LoadConfig lc;
    lc.server = kServerIp;
    lc.workload = Workload::kCc;
    lc.concurrency = kConns;
    lc.sources = sources;
    lc.ramp = Duration::Seconds(1);
    lc.duration = Duration::Seconds(4);
    lc.keepalive_interval = Duration::Seconds(100);  // just hold them
    lc.timeout = Duration::Seconds(5);
    lc.close = CloseMode::kRst;
    LoadEngine engine(*client, lc);
    engine.Start(clock.Now());
    size_t max_held = 0;
    while (!engine.done()) {
      engine.Poll(clock.Now());
      server->Poll(clock.Now());
      clock.Advance(Duration::Micros(50));
      max_held = std::max(max_held, engine.held());
    }
    EXPECT_EQ(max_held, kConns);
    EXPECT_EQ(raw.accepted, kConns);
    EXPECT_EQ(engine.totals().error_total(), 0u);
    EXPECT_EQ(engine.totals().conns_established, kConns);
    EXPECT_EQ(client->tcp().counters().active_opens, kConns);
    EXPECT_EQ(server->counters().tcp.passive_opens, kConns);
    for (int i = 0; i < 4000000 && (client->tcp().connection_count() > 0 ||
                                    server->tcp().connection_count() > 0);
         ++i) {
      client->Poll(clock.Now());
      server->Poll(clock.Now());
      clock.Advance(Duration::Micros(50));
    }
  }
  wire->reset();
  EXPECT_EQ(testing::TestPool().available(), pool_start);
}

TEST_F(LoadTest, Report_JsonCsvAndLiveLineCarryTheRun) {
  ServeHttp();
  LoadConfig lc = Base();
  lc.rate = 1000;
  lc.duration = Duration::Seconds(2);
  engine_ = std::make_unique<LoadEngine>(*client_, lc);
  engine_->Start(clock_.Now());
  RunSummary sum;
  sum.config = lc;
  Instant next = clock_.Now() + Duration::Seconds(1);
  while (!engine_->done()) {
    Turn();
    if (clock_.Now() >= next) {
      sum.samples.push_back(engine_->TakeSample(clock_.Now()));
      next += Duration::Seconds(1);
    }
  }
  sum.seconds = engine_->run_time().seconds();
  sum.totals = engine_->totals();
  sum.latency = &engine_->latency();
  EXPECT_NEAR(sum.seconds, 2.0, 1e-3);
  const std::string json = ToJson(sum);
  EXPECT_NE(json.find("\"requests_completed\": " +
                      std::to_string(sum.totals.requests_done)),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"errors_total\": 0"), std::string::npos);
  EXPECT_NE(json.find("\"timeout\": 0"), std::string::npos);
  const std::string csv = ToCsv(sum);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'),
            static_cast<long>(sum.samples.size() + 1));
  EXPECT_EQ(csv.rfind("t,conn_per_s,req_per_s,", 0), 0u);
  ASSERT_GE(sum.samples.size(), 2u);
  const std::string live = FormatLive(sum.samples[0]);
  EXPECT_NE(live.find("conn/s     1000"), std::string::npos) << live;
  EXPECT_NE(FormatFinal(sum).find("requests completed"), std::string::npos);
}

// Every ephemeral port held (in TIME-WAIT after FIN close, raw TCP where we
// close first): Connect fails locally; those count as `other`, at most one
// per millisecond, and the run goes on once ports come free.
TEST_F(LoadTest, PortsExhausted_OtherErrorsBackedOff) {
  client_.reset();
  StackConfig c{.address = {kClientIp, 24}};
  c.tcp.connection.time_wait = Duration::Millis(100);
  c.tcp.ephemeral_first = 60000;
  c.tcp.ephemeral_last = 60009;  // ten ports
  client_ = std::make_unique<StackCore>(wire_->a(), c);
  client_->Start(clock_.Now());
  ServeRaw([](StackCore& st, SocketId s, std::string_view) {
    SendText(st, s, std::string(64, 'y'));
  });
  LoadConfig lc = Base();
  lc.protocol = Protocol::kRaw;
  lc.concurrency = 4;
  lc.duration = Duration::Millis(500);
  Run(lc);
  const LoadCounters& t = engine_->totals();
  // 10 ports every ~100 ms of TIME-WAIT: tens of requests, not thousands.
  EXPECT_GE(t.requests_done, 30u);
  EXPECT_LE(t.requests_done, 80u);
  EXPECT_GT(Errors(ErrorKind::kOther), 0u);
  EXPECT_LE(Errors(ErrorKind::kOther), 500u);
  EXPECT_EQ(t.error_total(), Errors(ErrorKind::kOther));
}

TEST(PacerTest, SteadyRate_EvenlySpaced) {
  Pacer p(Instant::FromNanos(0), 1000, Duration::Zero());
  EXPECT_EQ(p.Take(), Instant::FromNanos(0));
  EXPECT_EQ(p.Take(), Instant::FromNanos(1'000'000));
  EXPECT_EQ(p.Take(), Instant::FromNanos(2'000'000));
}

TEST(PacerTest, Ramp_CountFollowsTheIntegral) {
  // Over a 1 s ramp to 1000/s, 500 requests are due; 1000 more in the next
  // second.
  Pacer p(Instant::FromNanos(0), 1000, Duration::Seconds(1));
  int n = 0;
  while (p.next() < Instant::FromNanos(1'000'000'000)) {
    p.Take();
    ++n;
  }
  EXPECT_NEAR(n, 500, 10);
  while (p.next() < Instant::FromNanos(2'000'000'000)) {
    p.Take();
    ++n;
  }
  EXPECT_NEAR(n, 1500, 10);
}

TEST(AddressListTest, RangesAndLists) {
  auto a = ParseAddressList("10.0.0.2-10.0.0.5");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 4u);
  EXPECT_EQ((*a)[0], Ipv4Address(10, 0, 0, 2));
  EXPECT_EQ((*a)[3], Ipv4Address(10, 0, 0, 5));
  auto b = ParseAddressList("10.0.0.9,10.0.0.2-10.0.0.3");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->size(), 3u);
  EXPECT_FALSE(ParseAddressList("10.0.0.5-10.0.0.2"));
  EXPECT_FALSE(ParseAddressList("10.0.0.x"));
  EXPECT_FALSE(ParseAddressList("10.0.0.0-10.0.255.255", 100));
}

}  // namespace
}  // namespace skiff::load
