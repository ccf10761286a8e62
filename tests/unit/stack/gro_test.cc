// Two stacks with receive GRO on (StackConfig::gro): a multi-MiB transfer
// arrives byte-exact with and without checksum offload, over a clean and a
// lossy, reordering, corrupting wire, and the receiver really merged frames
// (TCP input ran on super-segments) without leaking an mbuf.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "tests/unit/stack/tcp_app.h"
#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

// (checksum offload, hostile wire)
class Gro : public TwoStacks,
            public ::testing::WithParamInterface<std::tuple<bool, bool>> {
 protected:
  void SetUp() override {
    checksum_offload_ = std::get<0>(GetParam());
    gro_ = true;
    if (std::get<1>(GetParam())) {
      BuildHostile(/*seed=*/21, /*loss=*/0.01);
    } else {
      Build({}, {});
    }
  }
};

TEST_P(Gro, BulkTransferIsByteExactAndMerges) {
  ASSERT_TRUE(Transfer(8u << 20, Duration::Seconds(120)));
  const StackCounters s = server_->counters();
  EXPECT_GT(s.link.rx_gro_super_segments, 0u);
  EXPECT_GE(s.link.rx_gro_frames, 2 * s.link.rx_gro_super_segments);
  // No chain came from anywhere but GRO.
  EXPECT_EQ(s.drops[DropReason::kRxMultiSegment], 0u);
  // Fewer segments reached TCP than frames arrived.
  EXPECT_LT(s.tcp.segs_in, s.link.rx_packets);
  if (std::get<1>(GetParam())) {
    // Corrupted frames are still caught (before or after GRO).
    EXPECT_GT(s.drops[DropReason::kIpBadChecksum] +
                  s.drops[DropReason::kTcpBadChecksum],
              0u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    OffloadAndWire, Gro,
    ::testing::Combine(::testing::Bool(), ::testing::Bool()),
    [](const ::testing::TestParamInfo<std::tuple<bool, bool>>& i) {
      return std::string(std::get<0>(i.param) ? "Offload" : "Software") +
             (std::get<1>(i.param) ? "Hostile" : "Clean");
    });

}  // namespace
}  // namespace skiff::testing
