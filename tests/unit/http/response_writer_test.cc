#include "apps/http/response_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "apps/http/http_date.h"

namespace skiff::http {
namespace {

using ::testing::HasSubstr;

TEST(FormatImfFixdate, KnownDates) {
  EXPECT_EQ(FormatImfFixdate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatImfFixdate(784111777),
            "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110 §5.6.7
  EXPECT_EQ(FormatImfFixdate(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(FormatImfFixdate(1709251199), "Thu, 29 Feb 2024 23:59:59 GMT");
  EXPECT_EQ(FormatImfFixdate(4102444800), "Fri, 01 Jan 2100 00:00:00 GMT");
  EXPECT_EQ(FormatImfFixdate(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
}

TEST(AppendResponseHead, Ok_ExactBytes) {
  std::string out;
  AppendResponseHead(
      {.status = 200, .content_type = "text/plain", .content_length = 12},
      784111777, &out);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Server: skiff\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 12\r\n"
            "\r\n");
}

TEST(AppendResponseHead, MethodNotAllowedClosing_AllowAndConnectionClose) {
  std::string out;
  AppendResponseHead(
      {.status = 405, .content_length = 0, .close = true, .allow = true}, 0,
      &out);
  EXPECT_THAT(out, HasSubstr("HTTP/1.1 405 Method Not Allowed\r\n"));
  EXPECT_THAT(out, HasSubstr("\r\nAllow: GET, HEAD\r\n"));
  EXPECT_THAT(out, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("Content-Type")));
}

TEST(AppendResponseHead, KeepAliveForHttp10) {
  std::string out;
  AppendResponseHead({.status = 200, .keep_alive = true}, 0, &out);
  EXPECT_THAT(out, HasSubstr("\r\nConnection: keep-alive\r\n"));
}

TEST(DemoPage, NamesTheSixSteps) {
  std::string page(DemoPage());
  EXPECT_THAT(page, HasSubstr("<title>skiff</title>"));
  for (const char* step :
       {"server creates a socket and listens",
        "client creates a socket and connects",
        "delivers the request to the server",
        "server creates a dedicated socket", "delivers this page to the client",
        "sockets are closed"}) {
    EXPECT_THAT(page, HasSubstr(step));
  }
}

TEST(ErrorPage, SmallAndNamed) {
  std::string page = ErrorPage(404);
  EXPECT_THAT(page, HasSubstr("<h1>404 Not Found</h1>"));
  EXPECT_LT(page.size(), 200u);
}

}  // namespace
}  // namespace skiff::http
