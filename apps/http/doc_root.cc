#include "apps/http/doc_root.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "apps/http/status.h"

namespace skiff::http {
namespace {

constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

int StatusForErrno(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
      return kStatusNotFound;
    case EXDEV:  // RESOLVE_BENEATH: the path would leave the root
    case ELOOP:  // O_NOFOLLOW met a symlink, or a symlink loop
    case EACCES:
    case EPERM:
      return kStatusForbidden;
    default:
      return kStatusInternalError;
  }
}

// Returns an fd or -errno.
int OpenBeneath(int root, const std::string& path) {
  struct open_how how = {};
  how.flags = kOpenFlags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, root, path.c_str(), &how, sizeof(how));
  return fd >= 0 ? static_cast<int>(fd) : -errno;
}

// Walks one component at a time with O_NOFOLLOW: no symlink anywhere.
int OpenNoSymlinks(int root, const std::string& path) {
  int dir = ::fcntl(root, F_DUPFD_CLOEXEC, 0);
  if (dir < 0) return -errno;
  UniqueFd current(dir);
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string name = path.substr(start, slash - start);
    if (name == "..") return -EXDEV;  // never climb above the root
    int flags = kOpenFlags | O_NOFOLLOW;
    if (slash != std::string::npos) flags |= O_DIRECTORY;
    int fd = ::openat(current.get(), name.c_str(), flags);
    if (fd < 0) {
      int err = errno;
      // O_NOFOLLOW | O_DIRECTORY on a symlink says ENOTDIR: call it a link.
      struct stat st;
      if (err == ENOTDIR &&
          ::fstatat(current.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) ==
              0 &&
          S_ISLNK(st.st_mode)) {
        err = ELOOP;
      }
      return -err;
    }
    current = UniqueFd(fd);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return current.Release();
}

int OpenUnder(int root, const std::string& path, ResolveMode mode) {
  if (mode != ResolveMode::kNoSymlinks) {
    int fd = OpenBeneath(root, path);
    if (fd != -ENOSYS || mode == ResolveMode::kBeneath) return fd;
  }
  return OpenNoSymlinks(root, path);
}

}  // namespace

ResolvedFile ResolveUnderRoot(int root_dirfd, std::string_view relative_path,
                              ResolveMode mode) {
  ResolvedFile out;
  out.path = relative_path.empty() ? "." : std::string(relative_path);
  if (out.path[0] == '/') {  // callers pass ParseRequestTarget output
    out.status = kStatusForbidden;
    return out;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = OpenUnder(root_dirfd, out.path, mode);
    if (fd < 0) {
      out.status = StatusForErrno(-fd);
      return out;
    }
    out.fd = UniqueFd(fd);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      out.status = kStatusInternalError;
      return out;
    }
    if (S_ISREG(st.st_mode)) {
      out.status = kStatusOk;
      out.size = static_cast<uint64_t>(st.st_size);
      return out;
    }
    out.fd.Reset();
    if (!S_ISDIR(st.st_mode) || attempt == 1) break;
    // A directory serves its index.html, resolved from the root again so
    // the same beneath-the-root rule applies to it.
    out.path = out.path == "." ? "index.html" : out.path + "/index.html";
  }
  out.status = kStatusNotFound;
  return out;
}

absl::StatusOr<DocRoot> DocRoot::Open(const std::string& dir,
                                      ResolveMode mode) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrFormat("cannot open document root %s: errno %d", dir, errno));
  }
  return DocRoot(UniqueFd(fd), mode);
}

}  // namespace skiff::http
