#include "stack/sockets/host_secret.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace skiff {
namespace {

bool ReadSecret(const std::string& path, SipKey* key) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            st.st_uid == geteuid() && (st.st_mode & 077) == 0 &&
            st.st_size == static_cast<off_t>(key->size());
  ok = ok &&
       read(fd, key->data(), key->size()) == static_cast<ssize_t>(key->size());
  close(fd);
  return ok;
}

bool Random(SipKey* key) {
  return getrandom(key->data(), key->size(), 0) ==
         static_cast<ssize_t>(key->size());
}

// Written to a private name and linked into place, so that a reader never
// sees half a file and two processes starting at once agree on one secret.
bool CreateSecret(const std::string& path, const SipKey& key) {
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    const std::string dir = path.substr(0, slash);
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  const int fd = open(
      tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const bool written =
      write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  close(fd);
  const bool linked = written && link(tmp.c_str(), path.c_str()) == 0;
  unlink(tmp.c_str());
  return linked;
}

}  // namespace

SipKey RandomSecret() {
  SipKey key{};
  if (!Random(&key)) key = SipKey{};
  return key;
}

SipKey HostSecret(const std::string& path, bool* shared) {
  SipKey key{};
  bool ok = ReadSecret(path, &key);
  SipKey fresh{};
  if (!ok && Random(&fresh)) {
    // Read back either way: another process may have linked its file first.
    CreateSecret(path, fresh);
    ok = ReadSecret(path, &key);
  }
  if (!ok) key = RandomSecret();
  if (shared != nullptr) *shared = ok;
  return key;
}

}  // namespace skiff
