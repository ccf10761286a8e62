#include "apps/http/request_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "http_test_util.h"

namespace skiff::http {
namespace {

using ::skiff::http::testing::RunRequests;
using ::skiff::http::testing::RunRequestsBytewise;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::string_view kGet =
    "GET /index.html HTTP/1.1\r\nHost: example\r\nUser-Agent:  curl/8  "
    "\r\n\r\n";

TEST(RequestParser, Get_OneShot_ParsesRequest) {
  RequestParser p;
  auto r = p.Feed(kGet);
  ASSERT_EQ(r.status, RequestParser::Status::kRequest);
  EXPECT_EQ(r.consumed, kGet.size());
  HttpRequest req = p.TakeRequest();
  EXPECT_EQ(req.method, Method::kGet);
  EXPECT_EQ(req.target, "/index.html");
  EXPECT_EQ(req.version_minor, 1);
  EXPECT_TRUE(req.keep_alive);
  EXPECT_EQ(req.headers.Get("host"), "example");
  EXPECT_EQ(req.headers.Get("USER-AGENT"), "curl/8");  // OWS trimmed
  EXPECT_EQ(p.phase(), RequestParser::Phase::kIdle);
}

TEST(RequestParser, SplitAtEveryByte_SameResultAsOneShot) {
  const std::string input =
      std::string(kGet) +
      "HEAD /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
      "GET /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
      "GET /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n"
      "POST /d HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nZ"
      "\r\nGET /e HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  auto whole = RunRequests(input);
  ASSERT_EQ(whole.size(), 6u);
  EXPECT_THAT(whole[1], HasSubstr("HEAD /a 1.0 ka=1"));
  EXPECT_THAT(whole[2], HasSubstr("GET /b 1.1 ka=1 body=3"));
  EXPECT_THAT(whole[3], HasSubstr("GET /c 1.1 ka=1 body=3"));
  EXPECT_EQ(whole[4], "ERR 405 close=0");
  EXPECT_THAT(whole[5], HasSubstr("GET /e 1.1 ka=0"));
  for (size_t cut = 1; cut < input.size(); ++cut) {
    RequestParser p;
    ASSERT_EQ(testing::RunRequests(p, input, {cut}), whole) << "cut at " << cut;
  }
  EXPECT_EQ(RunRequestsBytewise(input), whole);
}

TEST(RequestParser, Pipelined_FeedStopsAtEachMessageEnd) {
  std::string two = std::string(kGet) + "GET /2 HTTP/1.1\r\nHost: x\r\n\r\n";
  RequestParser p;
  auto r = p.Feed(two);
  ASSERT_EQ(r.status, RequestParser::Status::kRequest);
  EXPECT_EQ(r.consumed, kGet.size());
  EXPECT_EQ(p.TakeRequest().target, "/index.html");
  r = p.Feed(std::string_view(two).substr(kGet.size()));
  ASSERT_EQ(r.status, RequestParser::Status::kRequest);
  EXPECT_EQ(p.TakeRequest().target, "/2");
}

TEST(RequestParser, LeadingEmptyLines_Skipped) {
  EXPECT_THAT(RunRequests("\r\n\r\n" + std::string(kGet)),
              ElementsAre(HasSubstr("GET /index.html")));
  EXPECT_THAT(RunRequests("\r\n\r\n\r\n\r\n\r\n" + std::string(kGet)),
              ElementsAre("ERR 400 close=1"));
}

TEST(RequestParser, KeepAlive_FollowsVersionAndConnection) {
  auto ka = [](std::string_view version, std::string_view conn) {
    std::string req =
        absl::StrFormat("GET / %s\r\nHost: h\r\n%s\r\n", version, conn);
    RequestParser p;
    EXPECT_EQ(p.Feed(req).status, RequestParser::Status::kRequest) << req;
    return p.TakeRequest().keep_alive;
  };
  EXPECT_TRUE(ka("HTTP/1.1", ""));
  EXPECT_FALSE(ka("HTTP/1.1", "Connection: close\r\n"));
  EXPECT_FALSE(ka("HTTP/1.1", "Connection: foo, CLOSE\r\n"));
  EXPECT_FALSE(ka("HTTP/1.0", ""));
  EXPECT_TRUE(ka("HTTP/1.0", "Connection: Keep-Alive\r\n"));
  EXPECT_FALSE(ka("HTTP/1.0", "Connection: keep-alive, close\r\n"));
}

TEST(RequestParser, Http10_WithoutHost_Accepted) {
  EXPECT_THAT(RunRequests("GET / HTTP/1.0\r\n\r\n"),
              ElementsAre(HasSubstr("GET / 1.0 ka=0")));
}

TEST(RequestParser, AbsoluteForm_Accepted) {
  EXPECT_THAT(RunRequests("GET http://h/x?y HTTP/1.1\r\nHost: h\r\n\r\n"),
              ElementsAre(HasSubstr("GET http://h/x?y 1.1")));
}

struct BadCase {
  const char* name;
  std::string input;
  std::string expected;
};

class RequestParserErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(RequestParserErrors, AnswersStatus) {
  EXPECT_THAT(RunRequests(GetParam().input), ElementsAre(GetParam().expected));
  EXPECT_THAT(RunRequestsBytewise(GetParam().input),
              ElementsAre(GetParam().expected));
}

const std::string kHost = "Host: h\r\n";

INSTANTIATE_TEST_SUITE_P(
    All, RequestParserErrors,
    ::testing::Values(
        BadCase{"ObsFold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"SpaceBeforeColon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"NoColon", "GET / HTTP/1.1\r\nHost h\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"CtlInValue", "GET / HTTP/1.1\r\nHost: h\x01\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"NulInValue",
                std::string("GET / HTTP/1.1\r\nHost: h\0x\r\n\r\n", 29),
                "ERR 400 close=1"},
        BadCase{"BareLf", "GET / HTTP/1.1\nHost: h\n\n", "ERR 400 close=1"},
        BadCase{"BareCr", "GET / HTTP/1.1\r\nHost: h\rx\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"TwoSpaces", "GET  / HTTP/1.1\r\n" + kHost + "\r\n",
                "ERR 400 close=1"},
        BadCase{"NoVersion", "GET /\r\n" + kHost + "\r\n", "ERR 400 close=1"},
        BadCase{"LowercaseVersion", "GET / http/1.1\r\n" + kHost + "\r\n",
                "ERR 400 close=1"},
        BadCase{"VersionJunk", "GET / HTTP/1.1x\r\n" + kHost + "\r\n",
                "ERR 400 close=1"},
        BadCase{"Http2", "GET / HTTP/2.0\r\n" + kHost + "\r\n",
                "ERR 505 close=1"},
        BadCase{"Http12", "GET / HTTP/1.2\r\n" + kHost + "\r\n",
                "ERR 505 close=1"},
        BadCase{"Http09", "GET / HTTP/0.9\r\n" + kHost + "\r\n",
                "ERR 505 close=1"},
        BadCase{"AsteriskGet", "GET * HTTP/1.1\r\n" + kHost + "\r\n",
                "ERR 400 close=1"},
        BadCase{"NonAsciiTarget", "GET /\xc3\xa9 HTTP/1.1\r\n" + kHost + "\r\n",
                "ERR 400 close=1"},
        BadCase{"BadMethodToken", "G(T / HTTP/1.1\r\n" + kHost + "\r\n",
                "ERR 400 close=1"},
        BadCase{"NoHost11", "GET / HTTP/1.1\r\n\r\n", "ERR 400 close=1"},
        BadCase{"TwoHosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"ClAndTe",
                "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
                "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"TeGzip",
                "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, "
                "chunked\r\n\r\n",
                "ERR 501 close=1"},
        BadCase{"TeChunkedNotLast",
                "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, "
                "gzip\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"TeOnHttp10",
                "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"ClNotNumber",
                "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"ClNegative",
                "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"ClConflict",
                "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: "
                "1\r\nContent-Length: 2\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"ClOverflow",
                "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: "
                "99999999999999999999\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"ClTooLarge",
                "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n",
                "ERR 413 close=1"},
        BadCase{"BadChunk",
                "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
                "chunked\r\n\r\nzz\r\n",
                "ERR 400 close=1"},
        BadCase{"LongUri",
                "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n",
                "ERR 414 close=1"},
        BadCase{"LongMethod", std::string(9000, 'G') + " / HTTP/1.1\r\n\r\n",
                "ERR 400 close=1"},
        BadCase{"HeaderBytes",
                "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(17000, 'v') +
                    "\r\n\r\n",
                "ERR 431 close=1"}),
    [](const ::testing::TestParamInfo<BadCase>& info) {
      return info.param.name;
    });

TEST(RequestParser, HeaderCount_Over_431) {
  std::string req = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 64; ++i) req += absl::StrFormat("X-%d: v\r\n", i);
  EXPECT_THAT(RunRequests(req + "\r\n"), ElementsAre("ERR 431 close=1"));
  RequestParserConfig c;
  c.max_header_count = 65;
  EXPECT_THAT(RunRequests(req + "\r\n", c), ElementsAre(HasSubstr("GET /")));
}

TEST(RequestParser, RepeatedEqualContentLength_Accepted) {
  EXPECT_THAT(
      RunRequests(
          "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 2\r\n"
          "Content-Length: 2\r\n\r\nabGET /n HTTP/1.1\r\nHost: h\r\n\r\n"),
      ElementsAre(HasSubstr("body=2"), HasSubstr("GET /n")));
}

TEST(RequestParser, MethodNotAllowed_BodyConsumedAndConnectionKept) {
  auto out = RunRequests(
      "DELETE /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd"
      "OPTIONS * HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(out, ElementsAre("ERR 405 close=0", "ERR 405 close=1"));
}

TEST(RequestParser, MethodsAreCaseSensitive_LowercaseGetIs405) {
  EXPECT_THAT(RunRequests("get / HTTP/1.1\r\nHost: h\r\n\r\n"),
              ElementsAre("ERR 405 close=0"));
}

TEST(RequestParser, AfterFatalError_StaysInError) {
  RequestParser p;
  EXPECT_EQ(p.Feed("GET / HTTP/9.9\r\n").status, RequestParser::Status::kError);
  EXPECT_EQ(p.Feed(kGet).status, RequestParser::Status::kError);
  EXPECT_EQ(p.error().status, 505);
}

TEST(RequestParser, SlowHeaderFlood_MemoryStaysWithinLimit) {
  RequestParserConfig c;
  c.max_header_bytes = 1024;
  RequestParser p(c);
  ASSERT_EQ(p.Feed("GET / HTTP/1.1\r\nX: ").status,
            RequestParser::Status::kNeedMore);
  RequestParser::Result r{RequestParser::Status::kNeedMore, 0};
  for (int i = 0; i < 100000 && r.status == RequestParser::Status::kNeedMore;
       ++i) {
    r = p.Feed("a");
    EXPECT_LE(p.buffered(), 1024u);
  }
  EXPECT_EQ(r.status, RequestParser::Status::kError);
  EXPECT_EQ(p.error().status, 431);
}

TEST(RequestParser, ChunkedBody_OverLimit_413) {
  RequestParserConfig c;
  c.max_body_bytes = 4;
  EXPECT_THAT(
      RunRequests(
          "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
          "5\r\nabcde\r\n0\r\n\r\n",
          c),
      ElementsAre("ERR 413 close=1"));
}

TEST(RequestParser, Phase_TracksMessageProgress) {
  RequestParser p;
  EXPECT_EQ(p.phase(), RequestParser::Phase::kIdle);
  p.Feed("GE");
  EXPECT_EQ(p.phase(), RequestParser::Phase::kHead);
  p.Feed("T / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab");
  EXPECT_EQ(p.phase(), RequestParser::Phase::kBody);
  EXPECT_EQ(p.Feed("cde").status, RequestParser::Status::kRequest);
}

}  // namespace
}  // namespace skiff::http
