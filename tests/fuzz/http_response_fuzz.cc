// Fuzz target for ResponseParser (skiff-get). Oracle: fed whole, split at a
// point taken from the input, or byte by byte, it gives the same results.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "apps/http/response_parser.h"
#include "tests/unit/http/http_test_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace skiff::http;  // NOLINT: a fuzz target, not a header
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ResponseParserConfig c;
  c.max_status_line = 256;
  c.max_header_bytes = 512;
  c.max_header_count = 8;
  c.chunked.max_trailer_bytes = 128;
  bool head = size > 0 && (data[size - 1] & 1);
  ResponseParser whole(c);
  auto expected = testing::RunResponses(whole, in, {}, /*eof=*/true, head);
  size_t cut = in.empty() ? 0 : static_cast<unsigned char>(in[0]) % in.size();
  ResponseParser split(c);
  if (testing::RunResponses(split, in, {cut}, true, head) != expected)
    std::abort();
  if (size <= 512) {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < size; ++i) cuts.push_back(i);
    ResponseParser bytewise(c);
    if (testing::RunResponses(bytewise, in, cuts, true, head) != expected)
      std::abort();
  }
  return 0;
}
