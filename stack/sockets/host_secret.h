// The host's TCP secret (RFC 6528 ISNs, RFC 7323 §7.1 timestamp offsets,
// RFC 4987 SYN cookies, RFC 6056 port choice), the same for every skiff
// process until the host reboots, as Linux's is for its sockets.
//
// Why per boot and not per process: a peer keeps a closed 4-tuple in
// TIME-WAIT for a minute and lets a new SYN on it in only if the SYN's
// sequence number or timestamp is above the old incarnation's (RFC 9293
// §3.10.7.4, RFC 6191). Both are clock + F(tuple, secret); a new process
// with a new secret lands below half the time, so each reused tuple costs a
// RST and a one-second SYN retransmission — what a load tester re-run
// against the same server within a minute would show as its p99.
//
// Kept in a file on /run (tmpfs, emptied at boot), mode 0600, owned by the
// effective user: the secret stays unknown off the host, as RFC 6528 asks.
#ifndef SKIFF_STACK_SOCKETS_HOST_SECRET_H_
#define SKIFF_STACK_SOCKETS_HOST_SECRET_H_

#include <string>

#include "stack/tcp/isn.h"

namespace skiff {

inline constexpr char kHostSecretPath[] = "/run/skiff/tcp_secret";

// Reads the secret at `path`, or creates it (its directory too, mode 0700)
// from getrandom when there is none. A file that is not a regular 16-byte
// file of ours with no group or other access is not trusted. When the file
// cannot be used, a fresh random secret for this process only (`*shared`
// false): correct, at the cost above.
SipKey HostSecret(const std::string& path = kHostSecretPath,
                  bool* shared = nullptr);

// 16 bytes from getrandom (zero if the kernel refuses: still distinct ISNs,
// the clock moves them).
SipKey RandomSecret();

}  // namespace skiff

#endif  // SKIFF_STACK_SOCKETS_HOST_SECRET_H_
