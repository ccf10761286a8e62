// HostSecret: one secret per host until reboot, kept private.
#include "stack/sockets/host_secret.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace skiff {
namespace {

class HostSecretTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skiff-secret-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    path_ = root_ + "/run/tcp_secret";  // the directory is made too
  }
  void TearDown() override {
    unlink(path_.c_str());
    rmdir((root_ + "/run").c_str());
    rmdir(root_.c_str());
  }
  std::string root_, path_;
};

TEST_F(HostSecretTest, CreatedOnceThenTheSameForEveryCaller) {
  bool shared = false;
  const SipKey a = HostSecret(path_, &shared);
  EXPECT_TRUE(shared);
  EXPECT_NE(a, SipKey{});
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 16);
  ASSERT_EQ(stat((root_ + "/run").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // A second process (here: a second call) gets the same key, so ISNs and
  // timestamps go on rising across restarts (RFC 6191 reuse).
  EXPECT_EQ(HostSecret(path_, &shared), a);
  EXPECT_TRUE(shared);
  // Same tuple, later clock: a later ISN under both processes' generators.
  const FourTuple t{Ipv4Address(10, 0, 0, 2), 40000, Ipv4Address(10, 0, 0, 1),
                    80};
  const Instant t0 = Instant::FromNanos(1'000'000'000);
  EXPECT_TRUE(
      IsnGenerator(HostSecret(path_)).Next(t, t0 + Duration::Millis(1)) >
      IsnGenerator(a).Next(t, t0));
}

TEST_F(HostSecretTest, ReadableByOthers_NotTrusted) {
  const SipKey a = HostSecret(path_);
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  bool shared = true;
  const SipKey b = HostSecret(path_, &shared);
  EXPECT_FALSE(shared);  // a process-local secret instead
  EXPECT_NE(b, a);
  EXPECT_NE(b, SipKey{});
}

TEST_F(HostSecretTest, WrongSize_NotTrusted) {
  ASSERT_EQ(mkdir((root_ + "/run").c_str(), 0700), 0);
  const int fd = open(path_.c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "short", 5), 5);
  close(fd);
  bool shared = true;
  EXPECT_NE(HostSecret(path_, &shared), SipKey{});
  EXPECT_FALSE(shared);
}

TEST_F(HostSecretTest, NoWritableDirectory_ProcessLocalSecret) {
  bool shared = true;
  const SipKey a = HostSecret("/proc/skiff-no/tcp_secret", &shared);
  EXPECT_FALSE(shared);
  EXPECT_NE(a, SipKey{});
}

}  // namespace
}  // namespace skiff
