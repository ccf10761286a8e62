#include "apps/http/body_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "temp_tree.h"

namespace skiff::http {
namespace {

std::string Drain(BodySource& b, size_t piece) {
  std::string out;
  std::vector<std::byte> buf(piece);
  while (b.remaining() > 0) {
    BodyRead r = b.Read(buf);
    EXPECT_TRUE(r.ok);
    EXPECT_LE(r.bytes, piece);
    if (r.bytes == 0) break;
    out.append(reinterpret_cast<const char*>(buf.data()), r.bytes);
  }
  return out;
}

TEST(MemoryBody, View_ReadInPieces) {
  MemoryBody b = MemoryBody::View("hello world");
  EXPECT_EQ(b.remaining(), 11u);
  EXPECT_EQ(Drain(b, 3), "hello world");
  EXPECT_EQ(b.remaining(), 0u);
}

TEST(MemoryBody, OwnedSmallString_SurvivesMove) {
  MemoryBody a = MemoryBody::Owned("short");  // SSO: data moves with the object
  MemoryBody b(std::move(a));
  EXPECT_EQ(Drain(b, 2), "short");
}

TEST(FileBody, LargeFile_ReadInChunks) {
  testing::TempTree tree;
  std::string content;
  for (int i = 0; i < 300000; ++i)
    content.push_back(static_cast<char>('a' + i % 26));
  tree.Write("root/big.bin", content);
  int fd = ::open((tree.root() + "/big.bin").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  FileBody b(UniqueFd(fd), content.size());
  EXPECT_EQ(Drain(b, 4096), content);
}

TEST(FileBody, FileShrinks_ReadFails) {
  testing::TempTree tree;
  tree.Write("root/f", std::string(1000, 'x'));
  std::string path = tree.root() + "/f";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  FileBody b(UniqueFd(fd), 1000);
  ASSERT_EQ(::truncate(path.c_str(), 600), 0);
  std::vector<std::byte> buf(1000);
  BodyRead r = b.Read(buf);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bytes, 600u);
}

}  // namespace
}  // namespace skiff::http
