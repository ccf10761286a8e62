// The rr part of skiff-bench's report: one table row and one rr_sweep entry
// per connection count, req/s and its ratio, and the classic rtt keys from
// the point with the fewest connections.
#include "bench/harness/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace skiff::bench {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

RrPoint Point(int connections, uint64_t requests, uint64_t rtt_ns) {
  RrPoint p;
  p.concurrency = connections;
  p.result.round_trips = requests;
  p.result.seconds = 2.0;
  for (uint64_t i = 0; i < requests; ++i) p.result.rtt_ns.Record(rtt_ns);
  return p;
}

struct Fixture {
  RunParams params;
  std::vector<StackReport> stacks;
  Fixture() {
    params.modes = {"rr"};
    params.concurrency = {1, 64};
    params.rr_message_size = 1;
    StackReport skiff;
    skiff.name = "skiff";
    skiff.rr = {Point(1, 400, 2000), Point(64, 1000, 100000)};
    StackReport linux_stack;
    linux_stack.name = "linux";
    linux_stack.rr = {Point(1, 100, 8000), Point(64, 250, 400000)};
    stacks = {skiff, linux_stack};
  }
};

TEST(RrResultTest, RatePerSecondAndPerServerCore) {
  RrResult r;
  r.round_trips = 3000;
  r.seconds = 1.5;
  EXPECT_DOUBLE_EQ(r.req_per_s(), 2000);
  EXPECT_DOUBLE_EQ(r.req_per_s_per_server_core(), 2000);
  r.server_cores = 2;
  EXPECT_DOUBLE_EQ(r.req_per_s_per_server_core(), 1000);
  r.seconds = 0;
  EXPECT_DOUBLE_EQ(r.req_per_s(), 0);
}

TEST(ReportTest, RrTableHasARowPerConnectionCountAndRatio) {
  Fixture f;
  const std::string t = FormatTable(f.params, f.stacks);
  EXPECT_THAT(t, HasSubstr("1-byte request, 1-byte answer"));
  EXPECT_THAT(t, HasSubstr("req/s/srv core"));
  // skiff at 64 connections: 500 req/s, p50 100 us, 4x Linux's 125 req/s.
  EXPECT_THAT(t, HasSubstr("rr       64 skiff          500"));
  EXPECT_THAT(t, HasSubstr("100.0"));
  EXPECT_THAT(t, HasSubstr("4.00x"));
  EXPECT_THAT(t, HasSubstr("rr        1 linux           50"));
  // No cps or bulk ran: no conn/s table.
  EXPECT_THAT(t, Not(HasSubstr("conn/s ")));
}

TEST(ReportTest, RrJsonSweepAndClassicKeys) {
  Fixture f;
  const std::string j = FormatJson(f.params, f.stacks);
  EXPECT_THAT(j, HasSubstr("\"rr_sweep\": [\n      {\n        "
                           "\"concurrency\": 1,\n        "
                           "\"req_per_s\": 200.000,\n        "
                           "\"req_per_s_per_server_core\": 200.000,\n        "
                           "\"server_cores\": 1,\n        "
                           "\"p50_us\": 2.000,"));
  EXPECT_THAT(j, HasSubstr("\"concurrency\": 64,\n        "
                           "\"req_per_s\": 500.000,"));
  // rtt_p50_us and round_trips stay those of the one-connection point.
  EXPECT_THAT(j, HasSubstr("\"rtt_p50_us\": 2.000,"));
  EXPECT_THAT(j, HasSubstr("\"round_trips\": 400,"));
  EXPECT_THAT(j, HasSubstr("\"rr_message_bytes\": 1,"));
}

TEST(ReportTest, NoRrGivesNullRttAndEmptySweep) {
  Fixture f;
  for (StackReport& s : f.stacks) s.rr.clear();
  const std::string j = FormatJson(f.params, f.stacks);
  EXPECT_THAT(j, HasSubstr("\"rtt_p50_us\": null,"));
  EXPECT_THAT(j, HasSubstr("\"rr_sweep\": [],"));
  EXPECT_THAT(FormatTable(f.params, f.stacks),
              Not(HasSubstr("req/s/srv core")));
}

}  // namespace
}  // namespace skiff::bench
