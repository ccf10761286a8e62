// Helpers shared by the HTTP tests: feed parsers in pieces and summarise
// what came out, so one-shot and split feeding can be compared.
#ifndef SKIFF_TESTS_UNIT_HTTP_HTTP_TEST_UTIL_H_
#define SKIFF_TESTS_UNIT_HTTP_HTTP_TEST_UTIL_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_format.h"
#include "apps/http/request_parser.h"
#include "apps/http/response_parser.h"

namespace skiff::http::testing {

inline std::string Summary(const HttpRequest& r) {
  std::string s = absl::StrFormat(
      "%s %s 1.%d ka=%d body=%d", r.method == Method::kGet ? "GET" : "HEAD",
      r.target, r.version_minor, r.keep_alive, r.body_bytes);
  for (const HeaderField& f : r.headers.fields())
    s += " [" + f.name + ":" + f.value + "]";
  return s;
}

inline std::string Summary(const RequestError& e) {
  return absl::StrFormat("ERR %d close=%d", e.status, e.close);
}

// Feeds `in` cut at `cuts` (increasing offsets); returns one summary per
// request or error. Stops at a closing error.
inline std::vector<std::string> RunRequests(RequestParser& p,
                                            std::string_view in,
                                            const std::vector<size_t>& cuts) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= cuts.size(); ++i) {
    size_t end = i < cuts.size() ? cuts[i] : in.size();
    std::string_view chunk = in.substr(start, end - start);
    start = end;
    while (true) {
      RequestParser::Result r = p.Feed(chunk);
      chunk.remove_prefix(r.consumed);
      if (r.status == RequestParser::Status::kRequest) {
        out.push_back(Summary(p.TakeRequest()));
      } else if (r.status == RequestParser::Status::kError) {
        out.push_back(Summary(p.error()));
        if (p.error().close) return out;
      } else {
        if (!chunk.empty()) out.push_back("BUG: kNeedMore left input");
        break;
      }
    }
  }
  return out;
}

inline std::vector<std::string> RunRequests(std::string_view in,
                                            RequestParserConfig c = {}) {
  RequestParser p(c);
  return RunRequests(p, in, {});
}

inline std::vector<std::string> RunRequestsBytewise(
    std::string_view in, RequestParserConfig c = {}) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < in.size(); ++i) cuts.push_back(i);
  RequestParser p(c);
  return RunRequests(p, in, cuts);
}

// Same for responses: "HEAD 200 ...", "BODY <bytes>", "DONE ka=..", "ERR ..".
// Body pieces are joined so split feeding gives the same summary.
inline std::vector<std::string> RunResponses(ResponseParser& p,
                                             std::string_view in,
                                             const std::vector<size_t>& cuts,
                                             bool eof,
                                             bool head_request = false) {
  std::vector<std::string> out;
  std::string body;
  p.Reset(head_request);
  auto flush_body = [&] {
    if (!body.empty()) out.push_back("BODY " + body);
    body.clear();
  };
  auto on = [&](const ResponseParser::Result& r) {
    switch (r.status) {
      case ResponseParser::Status::kHead: {
        std::string s =
            absl::StrFormat("HEAD %d %s", p.head().status, p.head().reason);
        for (const HeaderField& f : p.head().headers.fields())
          s += " [" + f.name + ":" + f.value + "]";
        out.push_back(s);
        return true;
      }
      case ResponseParser::Status::kData:
        body.append(r.data);
        return true;
      case ResponseParser::Status::kDone: {
        flush_body();
        std::string s = absl::StrFormat("DONE ka=%d", p.keep_alive());
        for (const HeaderField& f : p.trailers().fields())
          s += " [" + f.name + ":" + f.value + "]";
        out.push_back(s);
        p.Reset(head_request);
        return true;
      }
      case ResponseParser::Status::kError:
        flush_body();
        out.push_back(std::string("ERR ") + p.error());
        return false;
      case ResponseParser::Status::kNeedMore:
        return false;
    }
    return false;
  };
  size_t start = 0;
  for (size_t i = 0; i <= cuts.size(); ++i) {
    size_t end = i < cuts.size() ? cuts[i] : in.size();
    std::string_view chunk = in.substr(start, end - start);
    start = end;
    while (true) {
      ResponseParser::Result r = p.Feed(chunk);
      chunk.remove_prefix(r.consumed);
      if (r.status == ResponseParser::Status::kError) {
        on(r);
        return out;
      }
      if (!on(r)) break;
    }
  }
  if (eof) {
    ResponseParser::Result r = p.OnEof();
    // A fresh parser (after a completed response) at EOF is not an error.
    if (!(r.status == ResponseParser::Status::kError && out.size() > 0 &&
          out.back().rfind("DONE", 0) == 0 && body.empty()))
      on(r);
  } else {
    flush_body();
  }
  return out;
}

inline std::span<const std::byte> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

}  // namespace skiff::http::testing

#endif  // SKIFF_TESTS_UNIT_HTTP_HTTP_TEST_UTIL_H_
