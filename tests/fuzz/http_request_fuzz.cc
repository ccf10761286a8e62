// Fuzz target for the request side: RequestParser and HttpServerSession.
// Oracles: fed whole or split at a point taken from the input, the parser
// gives the same results; its memory stays within the limits; whatever the
// session answers is a well-formed response sequence.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "apps/http/request_parser.h"
#include "apps/http/response_parser.h"
#include "apps/http/server_session.h"
#include "tests/unit/http/http_test_util.h"

namespace {

using namespace skiff::http;  // NOLINT: a fuzz target, not a header

void Check(bool ok) {
  if (!ok) std::abort();
}

void FuzzParser(std::string_view in) {
  RequestParserConfig c;
  c.max_request_line = 256;
  c.max_header_bytes = 512;
  c.max_header_count = 8;
  c.max_body_bytes = 1024;
  RequestParser whole(c);
  auto expected = testing::RunRequests(whole, in, {});
  size_t cut = in.empty() ? 0 : static_cast<unsigned char>(in[0]) % in.size();
  RequestParser split(c);
  Check(testing::RunRequests(split, in, {cut}) == expected);
  if (in.size() <= 512) {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < in.size(); ++i) cuts.push_back(i);
    RequestParser bytewise(c);
    Check(testing::RunRequests(bytewise, in, cuts) == expected);
  }
  Check(whole.buffered() <= c.max_request_line + c.max_header_bytes + 2);
}

void FuzzSession(std::string_view in) {
  // HEAD responses carry no body, which the parser cannot tell from the
  // bytes alone, so inputs that mention HEAD skip the response check.
  const bool mentions_head = in.find("HEAD") != std::string_view::npos;
  HttpServerConfig config;
  config.max_input_buffer = 512;
  skiff::Instant now = skiff::Instant::FromNanos(0);
  HttpServerSession s(config, nullptr, now);
  std::string out;
  std::vector<std::byte> buf(97);
  while (!in.empty() && !s.WantsClose()) {
    size_t took = s.OnBytes(testing::Bytes(in), now);
    in.remove_prefix(took);
    size_t n = s.ProduceOutput(buf, now, 0);
    out.append(reinterpret_cast<const char*>(buf.data()), n);
    if (took == 0 && n == 0) break;
  }
  s.OnPeerClosed(now);
  while (size_t n = s.ProduceOutput(buf, now, 0))
    out.append(reinterpret_cast<const char*>(buf.data()), n);
  Check(s.WantsClose());
  // Every response the session wrote must parse.
  if (mentions_head) return;
  ResponseParser p;
  std::string_view wire = out;
  while (!wire.empty()) {
    auto r = p.Feed(wire);
    Check(r.consumed <= wire.size());
    wire.remove_prefix(r.consumed);
    Check(r.status != ResponseParser::Status::kError);
    if (r.status == ResponseParser::Status::kDone) p.Reset();
    if (r.status == ResponseParser::Status::kNeedMore) Check(wire.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  FuzzParser(in);
  FuzzSession(in);
  return 0;
}
