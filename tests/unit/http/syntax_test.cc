#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apps/http/headers.h"
#include "apps/http/http_syntax.h"
#include "apps/http/mime.h"
#include "apps/http/status.h"

namespace skiff::http {
namespace {

TEST(HttpSyntax, Token_RejectsSeparatorsAndEmpty) {
  EXPECT_TRUE(IsToken("Content-Length"));
  EXPECT_TRUE(IsToken("!#$%&'*+-.^_`|~09az"));
  EXPECT_FALSE(IsToken(""));
  EXPECT_FALSE(IsToken("a b"));
  EXPECT_FALSE(IsToken("a:b"));
  EXPECT_FALSE(IsToken("a\"b"));
}

TEST(HttpSyntax, TrimOws_StripsSpaceAndTabOnly) {
  EXPECT_EQ(TrimOws(" \t a b\t "), "a b");
  EXPECT_EQ(TrimOws(""), "");
  EXPECT_EQ(TrimOws("\r x"), "\r x");
}

TEST(HttpSyntax, ParseNumbers_RejectsJunkAndOverflow) {
  EXPECT_EQ(ParseDecimal("0"), 0u);
  EXPECT_EQ(ParseDecimal("9223372036854775807"), 9223372036854775807u);
  EXPECT_FALSE(ParseDecimal("9223372036854775808"));
  EXPECT_FALSE(ParseDecimal(""));
  EXPECT_FALSE(ParseDecimal("+1"));
  EXPECT_FALSE(ParseDecimal("1 "));
  EXPECT_EQ(ParseHex("fF"), 255u);
  EXPECT_FALSE(ParseHex("0x1"));
  EXPECT_FALSE(ParseHex("8000000000000000"));
}

TEST(HttpSyntax, ListElements_TrimmedAndEmptySkipped) {
  std::vector<std::string> got;
  ForEachListElement(" a ,, b\t,c ", [&](std::string_view e) {
    got.emplace_back(e);
    return true;
  });
  EXPECT_THAT(got, ::testing::ElementsAre("a", "b", "c"));
}

TEST(HeaderList, Lookup_CaseInsensitive) {
  HeaderList h;
  h.Add("Connection", "Upgrade, Keep-Alive");
  h.Add("X", "1");
  h.Add("x", "2");
  EXPECT_EQ(h.Get("CONNECTION"), "Upgrade, Keep-Alive");
  EXPECT_EQ(h.Get("x"), "1");
  EXPECT_EQ(h.Count("X"), 2u);
  EXPECT_TRUE(h.HasToken("connection", "keep-alive"));
  EXPECT_FALSE(h.HasToken("connection", "close"));
  EXPECT_FALSE(h.Get("missing"));
}

TEST(ParseFieldLine, Cases) {
  std::string_view n, v;
  EXPECT_EQ(ParseFieldLine("Name:  v a l \t", &n, &v), FieldLineError::kOk);
  EXPECT_EQ(n, "Name");
  EXPECT_EQ(v, "v a l");
  EXPECT_EQ(ParseFieldLine("Empty:", &n, &v), FieldLineError::kOk);
  EXPECT_EQ(v, "");
  EXPECT_EQ(ParseFieldLine(" folded", &n, &v), FieldLineError::kObsFold);
  EXPECT_EQ(ParseFieldLine("\tfolded", &n, &v), FieldLineError::kObsFold);
  EXPECT_EQ(ParseFieldLine("Name : v", &n, &v), FieldLineError::kBadName);
  EXPECT_EQ(ParseFieldLine(": v", &n, &v), FieldLineError::kBadName);
  EXPECT_EQ(ParseFieldLine("novalue", &n, &v), FieldLineError::kBadName);
  EXPECT_EQ(ParseFieldLine("N: a\x7f", &n, &v), FieldLineError::kBadValue);
  EXPECT_EQ(ParseFieldLine("N: caf\xc3\xa9", &n, &v),
            FieldLineError::kOk);  // obs-text
}

TEST(Mime, CommonExtensions) {
  EXPECT_EQ(MimeTypeForPath("a/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(MimeTypeForPath("x.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(MimeTypeForPath("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(MimeTypeForPath("d.json"), "application/json");
  EXPECT_EQ(MimeTypeForPath("i.png"), "image/png");
  EXPECT_EQ(MimeTypeForPath("i.jpg"), "image/jpeg");
  EXPECT_EQ(MimeTypeForPath("i.gif"), "image/gif");
  EXPECT_EQ(MimeTypeForPath("i.svg"), "image/svg+xml");
  EXPECT_EQ(MimeTypeForPath("r.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(MimeTypeForPath("favicon.ico"), "image/vnd.microsoft.icon");
  EXPECT_EQ(MimeTypeForPath("m.wasm"), "application/wasm");
  EXPECT_EQ(MimeTypeForPath("d.pdf"), "application/pdf");
  EXPECT_EQ(MimeTypeForPath("noext"), "application/octet-stream");
  EXPECT_EQ(MimeTypeForPath("dir.html/noext"), "application/octet-stream");
  EXPECT_EQ(MimeTypeForPath("trailingdot."), "application/octet-stream");
}

TEST(Status, ReasonPhrases) {
  EXPECT_EQ(ReasonPhrase(404), "Not Found");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(799), "Unknown");
}

}  // namespace
}  // namespace skiff::http
