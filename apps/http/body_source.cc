#include "apps/http/body_source.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace skiff::http {

MemoryBody MemoryBody::Owned(std::string text) {
  MemoryBody body{std::string_view()};
  body.owned_ = std::move(text);
  body.view_ = body.owned_;
  return body;
}

MemoryBody::MemoryBody(MemoryBody&& o) noexcept : offset_(o.offset_) {
  bool owns = !o.owned_.empty() && o.view_.data() == o.owned_.data();
  owned_ = std::move(o.owned_);
  view_ = owns ? std::string_view(owned_) : o.view_;
}

BodyRead MemoryBody::Read(std::span<std::byte> out) {
  size_t n = std::min<size_t>(out.size(), remaining());
  std::memcpy(out.data(), view_.data() + offset_, n);
  offset_ += n;
  return {n, true};
}

BodyRead FileBody::Read(std::span<std::byte> out) {
  size_t want =
      static_cast<size_t>(std::min<uint64_t>(out.size(), remaining()));
  size_t got = 0;
  while (got < want) {
    ssize_t n = ::pread(fd_.get(), out.data() + got, want - got,
                        static_cast<off_t>(offset_ + got));
    if (n < 0 && errno == EINTR) continue;
    // 0 before the promised size: the file shrank under us. The
    // Content-Length already sent cannot be honoured; the caller must close.
    if (n <= 0) {
      offset_ += got;
      return {got, false};
    }
    got += static_cast<size_t>(n);
  }
  offset_ += got;
  return {got, true};
}

}  // namespace skiff::http
