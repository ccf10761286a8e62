// A GoogleTest environment that brings up DPDK's EAL once per test binary,
// without hugepages, PCI or shared runtime files, so that `meson test` can run
// many such binaries at once, and a pool for tests to draw packets from.
#ifndef SKIFF_TESTS_SUPPORT_EAL_ENV_H_
#define SKIFF_TESTS_SUPPORT_EAL_ENV_H_

#include <gtest/gtest.h>

#include <memory>

#include "stack/buf/packet_pool.h"

namespace skiff::testing {

class EalEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
};

// The pool shared by a test binary (8191 mbufs of 2 KiB).
PacketPool& TestPool();

// A packet from TestPool() holding a copy of `bytes`.
Packet MakePacket(std::span<const std::byte> bytes);

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_SUPPORT_EAL_ENV_H_
