// Safe mapping of a normalised path (target.h) to a regular file under a
// document root.
//
// Resolution uses openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) so the
// kernel refuses, atomically, any ".." or symlink that would leave the root:
// symlinks inside the root work; those resolving outside it (and absolute
// symlinks, which RESOLVE_BENEATH refuses even if they point inside) are
// 403. Without openat2 (Linux < 5.6) it walks the path with
// openat(O_NOFOLLOW) and refuses every symlink, also 403.
// Missing names are 404; a directory serves its index.html (404 without);
// anything that is not a regular file is 404.
#ifndef SKIFF_APPS_HTTP_DOC_ROOT_H_
#define SKIFF_APPS_HTTP_DOC_ROOT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "apps/http/unique_fd.h"

namespace skiff::http {

enum class ResolveMode {
  kAuto,        // openat2 if the kernel has it, else kNoSymlinks
  kBeneath,     // openat2 RESOLVE_BENEATH only
  kNoSymlinks,  // openat(O_NOFOLLOW) walk, every symlink refused
};

struct ResolvedFile {
  int status = 0;  // 200, 403, 404 or 500
  UniqueFd fd;     // open O_RDONLY when status is 200
  uint64_t size = 0;
  std::string path;  // relative path served, e.g. "docs/index.html" (for MIME)
};

// `relative_path` comes from ParseRequestTarget: no leading '/', no "..".
ResolvedFile ResolveUnderRoot(int root_dirfd, std::string_view relative_path,
                              ResolveMode mode = ResolveMode::kAuto);

// An open document root directory.
class DocRoot {
 public:
  static absl::StatusOr<DocRoot> Open(const std::string& dir,
                                      ResolveMode mode = ResolveMode::kAuto);
  ResolvedFile Resolve(std::string_view relative_path) const {
    return ResolveUnderRoot(fd_.get(), relative_path, mode_);
  }
  int fd() const { return fd_.get(); }

 private:
  DocRoot(UniqueFd fd, ResolveMode mode) : fd_(std::move(fd)), mode_(mode) {}
  UniqueFd fd_;
  ResolveMode mode_;
};

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_DOC_ROOT_H_
