// The IPv4 addresses one StackCore owns: a primary one (the source of all it
// sends, except TCP connections opened from another) and extra ones, such
// as a load generator's source range (dperf's client lines), so that one
// stack can open more than 64 K connections to one server port: ephemeral
// ports are per (source, destination) pair (RFC 6056 §2.1).
//
// A handful is expected: lookups are a linear scan, one comparison when
// there is no extra address.
#ifndef SKIFF_STACK_NET_LOCAL_ADDRESSES_H_
#define SKIFF_STACK_NET_LOCAL_ADDRESSES_H_

#include <algorithm>
#include <vector>

#include "stack/wire/addr.h"

namespace skiff {

class LocalAddresses {
 public:
  LocalAddresses() = default;
  explicit LocalAddresses(Ipv4Address primary,
                          const std::vector<Ipv4Address>& extra = {})
      : primary_(primary) {
    for (Ipv4Address a : extra) Add(a);
  }

  void Add(Ipv4Address a) {
    if (!a.IsAny() && !Contains(a)) extra_.push_back(a);
  }
  bool Contains(Ipv4Address a) const {
    return a == primary_ ||
           (!extra_.empty() &&
            std::find(extra_.begin(), extra_.end(), a) != extra_.end());
  }
  Ipv4Address primary() const { return primary_; }
  const std::vector<Ipv4Address>& extra() const { return extra_; }

 private:
  Ipv4Address primary_;
  std::vector<Ipv4Address> extra_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_NET_LOCAL_ADDRESSES_H_
