#include "apps/http/line_reader.h"

#include <gtest/gtest.h>

namespace skiff::http {
namespace {

using S = LineReader::Status;

TEST(LineReader, Line_OneShot_StopsAfterCrlf) {
  LineReader r;
  auto res = r.Feed("abc\r\nrest", 100);
  EXPECT_EQ(res.status, S::kLine);
  EXPECT_EQ(res.consumed, 5u);
  EXPECT_EQ(r.line(), "abc");
}

TEST(LineReader, CrAndLfInSeparateFeeds_Line) {
  LineReader r;
  EXPECT_EQ(r.Feed("ab\r", 100).status, S::kNeedMore);
  auto res = r.Feed("\nX", 100);
  EXPECT_EQ(res.status, S::kLine);
  EXPECT_EQ(res.consumed, 1u);
  EXPECT_EQ(r.line(), "ab");
}

TEST(LineReader, BareLf_BadEnding) {
  LineReader r;
  EXPECT_EQ(r.Feed("ab\n", 100).status, S::kBadEnding);
}

TEST(LineReader, BareCrThenByte_BadEnding) {
  LineReader a;
  EXPECT_EQ(a.Feed("a\rb\r\n", 100).status, S::kBadEnding);
  LineReader b;
  EXPECT_EQ(b.Feed("a\r", 100).status, S::kNeedMore);
  EXPECT_EQ(b.Feed("b\r\n", 100).status, S::kBadEnding);
}

TEST(LineReader, ExactlyAtLimit_Line_OneOver_TooLong) {
  LineReader a;
  EXPECT_EQ(a.Feed("abcd\r\n", 4).status, S::kLine);
  LineReader b;
  EXPECT_EQ(b.Feed("abcd\r", 4).status, S::kNeedMore);
  EXPECT_EQ(b.Feed("\n", 4).status, S::kLine);
  LineReader c;
  auto res = c.Feed("abcde", 4);
  EXPECT_EQ(res.status, S::kTooLong);
  EXPECT_EQ(c.partial(), "abcd");
}

TEST(LineReader, EmptyLine_Line) {
  LineReader r;
  EXPECT_EQ(r.Feed("\r\n", 0).status, S::kLine);
  EXPECT_EQ(r.line(), "");
}

}  // namespace
}  // namespace skiff::http
