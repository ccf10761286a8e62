// Response bodies that are copied out in pieces, as the socket takes them:
// a file is read with pread into the caller's buffer and never loaded whole.
#ifndef SKIFF_APPS_HTTP_BODY_SOURCE_H_
#define SKIFF_APPS_HTTP_BODY_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "apps/http/unique_fd.h"

namespace skiff::http {

struct BodyRead {
  size_t bytes = 0;
  bool ok = true;  // false: the source failed (I/O error, file shrank)
};

class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual uint64_t remaining() const = 0;
  // Copies up to out.size() of the remaining bytes into `out`.
  virtual BodyRead Read(std::span<std::byte> out) = 0;
};

// A body already in memory: a view of static text or an owned string.
class MemoryBody final : public BodySource {
 public:
  static MemoryBody View(std::string_view text) { return MemoryBody(text); }
  static MemoryBody Owned(std::string text);

  MemoryBody(MemoryBody&& o) noexcept;
  MemoryBody& operator=(MemoryBody&&) = delete;

  uint64_t remaining() const override { return view_.size() - offset_; }
  BodyRead Read(std::span<std::byte> out) override;

 private:
  explicit MemoryBody(std::string_view view) : view_(view) {}
  std::string owned_;
  std::string_view view_;
  size_t offset_ = 0;
};

// `size` bytes of an open file from offset 0, read with pread (no shared
// file position, so one fd could serve several responses).
class FileBody final : public BodySource {
 public:
  FileBody(UniqueFd fd, uint64_t size) : fd_(std::move(fd)), size_(size) {}

  uint64_t remaining() const override { return size_ - offset_; }
  BodyRead Read(std::span<std::byte> out) override;

 private:
  UniqueFd fd_;
  uint64_t size_;
  uint64_t offset_ = 0;
};

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_BODY_SOURCE_H_
