#include "apps/http/response_writer.h"

#include "absl/strings/str_format.h"
#include "apps/http/http_date.h"
#include "apps/http/status.h"

namespace skiff::http {

void AppendResponseHead(const ResponseHead& head, int64_t unix_seconds,
                        std::string* out) {
  // We speak HTTP/1.1 to 1.0 peers too (RFC 9110 §6.2).
  absl::StrAppendFormat(out, "HTTP/1.1 %03d %s\r\n", head.status,
                        ReasonPhrase(head.status));
  absl::StrAppendFormat(out, "Date: %s\r\nServer: skiff\r\n",
                        FormatImfFixdate(unix_seconds));
  if (!head.content_type.empty())
    absl::StrAppendFormat(out, "Content-Type: %s\r\n", head.content_type);
  absl::StrAppendFormat(out, "Content-Length: %d\r\n", head.content_length);
  if (head.allow) out->append("Allow: GET, HEAD\r\n");
  if (head.close) {
    out->append("Connection: close\r\n");
  } else if (head.keep_alive) {
    out->append("Connection: keep-alive\r\n");
  }
  out->append("\r\n");
}

std::string_view DemoPage() {
  // The six steps of DESIGN.md, from ../shared/seed: what this very
  // response just went through.
  return "<!DOCTYPE html>\n"
         "<html><head><meta charset=\"utf-8\"><title>skiff</title></head>\n"
         "<body>\n"
         "<h1>skiff</h1>\n"
         "<p>This page travelled over a user-space TCP/IP stack. One TCP "
         "connection through sockets, in six steps:</p>\n"
         "<ol>\n"
         "<li>The server creates a socket and listens.</li>\n"
         "<li>The client creates a socket and connects.</li>\n"
         "<li>The transport layer delivers the request to the server.</li>\n"
         "<li>The server creates a dedicated socket for this client.</li>\n"
         "<li>The transport layer delivers this page to the client.</li>\n"
         "<li>The sockets are closed.</li>\n"
         "</ol>\n"
         "</body></html>\n";
}

std::string ErrorPage(int status) {
  std::string_view reason = ReasonPhrase(status);
  return absl::StrFormat(
      "<!DOCTYPE html>\n<html><head><title>%d %s</title></head>"
      "<body><h1>%d %s</h1></body></html>\n",
      status, reason, status, reason);
}

}  // namespace skiff::http
