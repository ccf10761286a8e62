#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "drivers/dpdk/eal.h"

namespace skiff {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr EalHostFacts kNoHugepages{
    .hugetlbfs_mounted = true, .free_hugepages = 0, .pid = 77};
constexpr EalHostFacts kHugepages{
    .hugetlbfs_mounted = true, .free_hugepages = 512, .pid = 77};

EalPlan Plan(std::vector<const char*> argv, const EalHostFacts& host) {
  return PlanEalArgs(static_cast<int>(argv.size()), argv.data(), host);
}

TEST(PlanEalArgs, NoHugepages_AddsNoHugeMemoryAndPrefix) {
  EalPlan p =
      Plan({"httpd", "--vdev=net_tap0", "--", "--port=80"}, kNoHugepages);
  EXPECT_THAT(p.args,
              ElementsAre("httpd", "--vdev=net_tap0", "--no-huge", "-m", "512",
                          "--no-pci", "--file-prefix", "skiff-77"));
  EXPECT_EQ(p.app_start, 2);
  EXPECT_EQ(p.notes.size(), 3u);
  EXPECT_TRUE(p.own_prefix);
}

TEST(PlanEalArgs, HugepagesFree_UsesThem) {
  EalPlan p = Plan({"httpd", "-l", "1", "--"}, kHugepages);
  EXPECT_THAT(p.args,
              ElementsAre("httpd", "-l", "1", "--file-prefix", "skiff-77"));
}

TEST(PlanEalArgs, HugepagesWithoutMount_RunsWithout) {
  EalPlan p = Plan(
      {"httpd"}, {.hugetlbfs_mounted = false, .free_hugepages = 100, .pid = 5});
  EXPECT_THAT(p.args, ElementsAre("httpd", "--no-huge", "-m", "512",
                                  "--file-prefix", "skiff-5"));
}

TEST(PlanEalArgs, UserChoicesAreKept) {
  EalPlan p = Plan({"get", "--no-huge", "-m", "128", "--file-prefix=mine", "--",
                    "http://x/"},
                   kNoHugepages);
  EXPECT_THAT(p.args, ElementsAre("get", "--no-huge", "-m", "128",
                                  "--file-prefix=mine"));
  EXPECT_EQ(p.app_start, 5);
  EXPECT_FALSE(p.own_prefix);
  p = Plan({"get", "-m256", "--file-prefix", "p"}, kNoHugepages);
  EXPECT_THAT(p.args,
              ElementsAre("get", "-m256", "--file-prefix", "p", "--no-huge"));
}

TEST(PlanEalArgs, PciDevicesNamed_PciBusStaysOn) {
  EalPlan p = Plan({"httpd", "-a", "0000:01:00.0", "--vdev=net_tap0", "--"},
                   kHugepages);
  EXPECT_THAT(p.args,
              ElementsAre("httpd", "-a", "0000:01:00.0", "--vdev=net_tap0",
                          "--file-prefix", "skiff-77"));
  p = Plan({"httpd", "-a0000:01:00.0", "--"}, kHugepages);
  EXPECT_THAT(p.args, ElementsAre("httpd", "-a0000:01:00.0", "--file-prefix",
                                  "skiff-77"));
}

TEST(PlanEalArgs, InMemory_DoesNotAddNoHuge) {
  EalPlan p = Plan({"httpd", "--in-memory", "--"}, kNoHugepages);
  EXPECT_THAT(p.args,
              ElementsAre("httpd", "--in-memory", "--file-prefix", "skiff-77"));
}

TEST(PlanEalArgs, NoDoubleDash_AllIsEal) {
  EalPlan p = Plan({"httpd", "--no-huge", "--file-prefix=x"}, kNoHugepages);
  EXPECT_EQ(p.app_start, 2);  // argc - 1: the app sees only its name
  EXPECT_THAT(p.args, ElementsAre("httpd", "--no-huge", "--file-prefix=x"));
  p = Plan({"httpd"}, kHugepages);
  EXPECT_EQ(p.app_start, 0);
}

TEST(PlanInProcessArgs, NoHuge_AlwaysNoHuge) {
  bool huge = true;
  std::string note;
  const EalHostFacts host{.hugetlbfs_mounted = true,
                          .free_hugepages = 1024,
                          .free_hugepage_mb = 2048};
  EXPECT_THAT(
      PlanInProcessArgs("bench", 1024, InProcessMemory::kNoHuge, host, &huge,
                        &note),
      ElementsAre("bench", "--no-huge", "--no-shconf", "-m", "1024", "--no-pci",
                  "--no-telemetry", "--log-level=error", "-l", "0"));
  EXPECT_FALSE(huge);
}

TEST(PlanInProcessArgs, HugepagesIfFree_EnoughFree_InMemory) {
  bool huge = false;
  std::string note;
  const EalHostFacts host{.hugetlbfs_mounted = true,
                          .free_hugepages = 512,
                          .free_hugepage_mb = 1024};
  EXPECT_THAT(
      PlanInProcessArgs("bench", 1024, InProcessMemory::kHugepagesIfFree, host,
                        &huge, &note),
      ElementsAre("bench", "--in-memory", "-m", "1024", "--no-pci",
                  "--no-telemetry", "--log-level=error", "-l", "0"));
  EXPECT_TRUE(huge);
  EXPECT_EQ(note, "hugepages: 1024 of 1024 free MiB");
}

TEST(PlanInProcessArgs, HugepagesIfFree_TooFewOrNoMount_NoHuge) {
  bool huge = true;
  std::string note;
  const EalHostFacts few{.hugetlbfs_mounted = true,
                         .free_hugepages = 100,
                         .free_hugepage_mb = 200};
  auto args = PlanInProcessArgs(
      "bench", 1024, InProcessMemory::kHugepagesIfFree, few, &huge, &note);
  EXPECT_EQ(args[1], "--no-huge");
  EXPECT_FALSE(huge);
  EXPECT_EQ(note, "--no-huge: 200 MiB of hugepages free, 1024 needed");
  const EalHostFacts unmounted{.hugetlbfs_mounted = false,
                               .free_hugepages = 1024,
                               .free_hugepage_mb = 2048};
  args = PlanInProcessArgs("bench", 1024, InProcessMemory::kHugepagesIfFree,
                           unmounted, &huge, &note);
  EXPECT_EQ(args[1], "--no-huge");
  EXPECT_FALSE(huge);
  EXPECT_EQ(note, "--no-huge: no hugetlbfs mounted");
}

TEST(ProbeHost, ReportsThisProcess) {
  EalHostFacts host = ProbeHost();
  EXPECT_GT(host.pid, 0);
  // x86-64 pages are 2 MiB or 1 GiB.
  EXPECT_GE(host.free_hugepage_mb, host.free_hugepages * 2);
  EXPECT_THAT(Plan({"x"}, host).notes, ::testing::Not(IsEmpty()));
}

}  // namespace
}  // namespace skiff
