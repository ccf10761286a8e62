#include "apps/http/chunked.h"

#include <gtest/gtest.h>

#include <string>

namespace skiff::http {
namespace {

// Decodes `in` fed in pieces of `piece` bytes; returns body, or "ERR".
std::string Decode(ChunkedDecoder& d, std::string_view in, size_t piece,
                   size_t* left = nullptr) {
  std::string body;
  while (!in.empty()) {
    std::string_view chunk = in.substr(0, piece);
    in.remove_prefix(chunk.size());
    while (true) {
      auto r = d.Decode(chunk);
      chunk.remove_prefix(r.consumed);
      if (r.status == ChunkedDecoder::Status::kError) return "ERR";
      if (r.status == ChunkedDecoder::Status::kData) {
        body.append(r.data);
        continue;
      }
      if (r.status == ChunkedDecoder::Status::kDone) {
        if (left) *left = chunk.size() + in.size();
        return body + "|DONE";
      }
      break;
    }
  }
  return body;
}

constexpr std::string_view kBody =
    "5\r\nhello\r\n1;ext=\"q\" ; e2\r\n,\r\nB\r\n 0123456789\r\n0\r\nX-T: "
    "1\r\nY:  two \r\n\r\nNEXT";

TEST(ChunkedDecoder, ExtensionsAndTrailers_DecodedWhole) {
  ChunkedDecoder d;
  size_t left = 0;
  EXPECT_EQ(Decode(d, kBody, kBody.size(), &left), "hello, 0123456789|DONE");
  EXPECT_EQ(left, 4u);  // "NEXT" is not consumed
  EXPECT_EQ(d.trailers().Get("x-t"), "1");
  EXPECT_EQ(d.trailers().Get("Y"), "two");
}

TEST(ChunkedDecoder, EveryPieceSize_SameResult) {
  for (size_t piece = 1; piece <= kBody.size(); ++piece) {
    ChunkedDecoder d;
    EXPECT_EQ(Decode(d, kBody, piece), "hello, 0123456789|DONE") << piece;
  }
}

TEST(ChunkedDecoder, Malformed_Error) {
  for (std::string_view bad :
       {"x\r\n", "\r\n", "5\r\nhelloX\r\n", "5\r\nhello\r\r",
        "5 x\r\nhello\r\n0\r\n\r\n", "10000000000000000\r\n",
        "0\r\nbad trailer\r\n\r\n", "0\r\n folded: x\r\n\r\n",
        "5\nhello\r\n"}) {
    ChunkedDecoder d;
    EXPECT_EQ(Decode(d, bad, bad.size()), "ERR") << bad;
  }
}

TEST(ChunkedDecoder, Limits_Error) {
  ChunkedDecoder a(ChunkedLimits{.max_size_line = 8});
  EXPECT_EQ(Decode(a, "1;aaaaaaaaaa\r\nx\r\n0\r\n\r\n", 100), "ERR");
  ChunkedDecoder b(ChunkedLimits{.max_trailer_bytes = 10});
  EXPECT_EQ(Decode(b, "0\r\nA: 1234567890\r\n\r\n", 100), "ERR");
  ChunkedDecoder c(ChunkedLimits{.max_trailers = 1});
  EXPECT_EQ(Decode(c, "0\r\nA: 1\r\nB: 2\r\n\r\n", 100), "ERR");
}

TEST(ChunkedDecoder, Reset_DecodesAgain) {
  ChunkedDecoder d;
  EXPECT_EQ(Decode(d, "1\r\na\r\n0\r\n\r\n", 100), "a|DONE");
  d.Reset();
  EXPECT_EQ(Decode(d, "2\r\nbc\r\n0\r\n\r\n", 100), "bc|DONE");
}

}  // namespace
}  // namespace skiff::http
