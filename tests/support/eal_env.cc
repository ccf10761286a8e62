#include "tests/support/eal_env.h"

#include <rte_eal.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace skiff::testing {
namespace {

std::unique_ptr<PacketPool>& PoolSlot() {
  static std::unique_ptr<PacketPool> pool;
  return pool;
}

}  // namespace

void EalEnvironment::SetUp() {
  // --no-shconf: no runtime files, so parallel test binaries never collide.
  std::string prefix = "skiff_test_" + std::to_string(getpid());
  std::vector<std::string> args = {
      "skiff_test", "--no-huge",     "--no-pci",          "--no-shconf",
      "-m",         "256",           "--log-level=error", "--file-prefix",
      prefix,       "--no-telemetry"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  int rc = rte_eal_init(static_cast<int>(argv.size()), argv.data());
  ASSERT_GE(rc, 0) << "rte_eal_init failed";
  auto pool = PacketPool::Create({.name = "test_pool", .size = 8191});
  ASSERT_TRUE(pool.ok()) << pool.status();
  PoolSlot() = std::move(*pool);
}

void EalEnvironment::TearDown() {
  PoolSlot().reset();
  // EAL leaves its runtime directory behind even with --no-shconf.
  std::string runtime_dir = rte_eal_get_runtime_dir();
  rte_eal_cleanup();
  std::error_code ignored;
  std::filesystem::remove_all(runtime_dir, ignored);
}

PacketPool& TestPool() { return *PoolSlot(); }

Packet MakePacket(std::span<const std::byte> bytes) {
  Packet p = TestPool().Alloc();
  if (!p) return p;
  std::byte* dst = p.Append(static_cast<uint16_t>(bytes.size()));
  if (dst == nullptr) return Packet();
  std::memcpy(dst, bytes.data(), bytes.size());
  return p;
}

}  // namespace skiff::testing
