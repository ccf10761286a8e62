// main() for test binaries that need EAL (packets, pools, rings).
#include <gtest/gtest.h>

#include "tests/support/eal_env.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new skiff::testing::EalEnvironment);
  return RUN_ALL_TESTS();
}
