#include "apps/http/target.h"

#include <gtest/gtest.h>

#include <string>

namespace skiff::http {
namespace {

TEST(PercentDecode, ValidAndInvalid) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc%2f"), "a b/c/");
  EXPECT_EQ(PercentDecode("100%25"), "100%");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_FALSE(PercentDecode("%"));
  EXPECT_FALSE(PercentDecode("%2"));
  EXPECT_FALSE(PercentDecode("%zz"));
  EXPECT_EQ(PercentDecode("%00"), std::string(1, '\0'));
}

struct Case {
  const char* target;
  int status;
  const char* path;
  bool directory;
};

class ParseRequestTargetTest : public ::testing::TestWithParam<Case> {};

TEST_P(ParseRequestTargetTest, Maps) {
  const Case& c = GetParam();
  TargetPath t = ParseRequestTarget(c.target);
  EXPECT_EQ(t.status, c.status) << c.target;
  if (c.status == 0) {
    EXPECT_EQ(t.path, c.path) << c.target;
    EXPECT_EQ(t.directory, c.directory) << c.target;
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, ParseRequestTargetTest,
    ::testing::Values(
        Case{"/", 0, "", true}, Case{"/index.html", 0, "index.html", false},
        Case{"/a/b.css?x=1#f", 0, "a/b.css", false},
        Case{"/docs/", 0, "docs", true}, Case{"//a//b", 0, "a/b", false},
        Case{"/a/./b/.", 0, "a/b", true}, Case{"/%61%62", 0, "ab", false},
        Case{"/a%20b", 0, "a b", false}, Case{"/%2e", 0, "", true},
        Case{"http://host:8080/x/y?q", 0, "x/y", false},
        Case{"http://host", 0, "", true}, Case{"http://host?q", 0, "", true},
        // Refused: 403.
        Case{"/..", 403, "", false}, Case{"/a/../b", 403, "", false},
        Case{"/a/..", 403, "", false},
        Case{"/%2e%2e/etc/passwd", 403, "", false},
        Case{"/%2E%2e/x", 403, "", false}, Case{"/.%2e/x", 403, "", false},
        Case{"/a%2f..%2fb", 403, "", false}, Case{"/a%2Fb", 403, "", false},
        Case{"/a%00.html", 403, "", false}, Case{"/a%0d%0a", 403, "", false},
        Case{"http://h/../x", 403, "", false},
        // Malformed: 400.
        Case{"/a%zz", 400, "", false}, Case{"/a%", 400, "", false},
        Case{"a/b", 400, "", false}, Case{"", 400, "", false}));

}  // namespace
}  // namespace skiff::http
