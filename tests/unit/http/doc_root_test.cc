#include "apps/http/doc_root.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "temp_tree.h"

namespace skiff::http {
namespace {

using testing::TempTree;

class DocRootTest : public ::testing::TestWithParam<ResolveMode> {
 protected:
  void SetUp() override {
    tree_.Write("root/index.html", "<h1>home</h1>");
    tree_.Write("root/a.txt", "hello");
    tree_.Write("root/sub/index.html", "sub index");
    tree_.Write("root/sub/b.css", "b{}");
    tree_.Mkdir("root/empty");
    tree_.Write("outside/secret.txt", "secret");
    tree_.Symlink("a.txt", "root/link_in");                   // stays inside
    tree_.Symlink("../outside/secret.txt", "root/link_out");  // escapes
    tree_.Symlink("../outside", "root/dir_out");              // escapes
    tree_.Symlink(tree_.outside() + "/secret.txt",
                  "root/abs_out");  // absolute, escapes
    ASSERT_EQ(::mkfifo((tree_.root() + "/fifo").c_str(), 0600), 0);
    auto root = DocRoot::Open(tree_.root(), GetParam());
    ASSERT_TRUE(root.ok()) << root.status();
    root_.emplace(std::move(*root));
  }

  std::string Read(const ResolvedFile& f) {
    std::string s(f.size, '\0');
    EXPECT_EQ(::pread(f.fd.get(), s.data(), s.size(), 0),
              static_cast<ssize_t>(s.size()));
    return s;
  }

  TempTree tree_;
  std::optional<DocRoot> root_;
};

TEST_P(DocRootTest, RegularFile_Opened) {
  ResolvedFile f = root_->Resolve("a.txt");
  ASSERT_EQ(f.status, 200);
  EXPECT_EQ(f.size, 5u);
  EXPECT_EQ(f.path, "a.txt");
  EXPECT_EQ(Read(f), "hello");
}

TEST_P(DocRootTest, Directory_ServesIndexHtml) {
  ResolvedFile root = root_->Resolve("");
  ASSERT_EQ(root.status, 200);
  EXPECT_EQ(root.path, "index.html");
  EXPECT_EQ(Read(root), "<h1>home</h1>");
  ResolvedFile sub = root_->Resolve("sub");
  ASSERT_EQ(sub.status, 200);
  EXPECT_EQ(sub.path, "sub/index.html");
  EXPECT_EQ(Read(sub), "sub index");
}

TEST_P(DocRootTest, Missing_404) {
  EXPECT_EQ(root_->Resolve("nope.html").status, 404);
  EXPECT_EQ(root_->Resolve("a.txt/x").status, 404);  // ENOTDIR
  EXPECT_EQ(root_->Resolve("empty").status, 404);    // no index.html
  EXPECT_EQ(root_->Resolve("fifo").status, 404);     // not a regular file
}

TEST_P(DocRootTest, SymlinkEscapingRoot_403) {
  EXPECT_EQ(root_->Resolve("link_out").status, 403);
  EXPECT_EQ(root_->Resolve("dir_out/secret.txt").status, 403);
  EXPECT_EQ(root_->Resolve("abs_out").status, 403);
}

TEST_P(DocRootTest, DotDot_403EvenIfCallerForgotToNormalise) {
  EXPECT_EQ(root_->Resolve("../outside/secret.txt").status, 403);
  EXPECT_EQ(root_->Resolve("sub/../../outside/secret.txt").status, 403);
  EXPECT_EQ(root_->Resolve("/etc/passwd").status, 403);
}

TEST_P(DocRootTest, SymlinkInsideRoot_DependsOnMode) {
  ResolvedFile f = root_->Resolve("link_in");
  if (GetParam() == ResolveMode::kNoSymlinks) {
    EXPECT_EQ(f.status, 403);
  } else {
    ASSERT_EQ(f.status, 200);
    EXPECT_EQ(Read(f), "hello");
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, DocRootTest,
                         ::testing::Values(ResolveMode::kAuto,
                                           ResolveMode::kBeneath,
                                           ResolveMode::kNoSymlinks));

TEST(DocRoot, Open_MissingDir_Error) {
  EXPECT_FALSE(DocRoot::Open("/nonexistent/skiff/root").ok());
}

}  // namespace
}  // namespace skiff::http
