// Fuzz target for two TCP parts with a precise oracle each:
//  - the option parser (TcpOptions::Parse, TcpView/TcpRepr::FromView):
//    parse → emit → parse gives the same options (SACK blocks only cut
//    where Emit() runs out of its 40 bytes), the emitted bytes are a
//    well-formed option area, and trailing NOPs change nothing (which also
//    checks the NOP NOP TS fast path against the general loop);
//  - the out-of-order queue (Reassembly), fed (offset, length) inserts and
//    in-order advances, checked against a bitmap of the bytes received.
// The first input byte picks the part.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "stack/tcp/reassembly.h"
#include "stack/wire/tcp.h"

namespace skiff {
namespace {

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "tcp_parts_fuzz: %s\n", what);
  std::abort();
}

ConstByteSpan AsSpan(std::span<const uint8_t> in) {
  return {reinterpret_cast<const std::byte*>(in.data()), in.size()};
}

// o2 is o1 after an emit/parse round trip.
void CheckRoundTrip(const TcpOptions& o1, const TcpOptions& o2) {
  TcpOptions a = o1, b = o2;
  a.sack_count = b.sack_count = 0;
  Check(a == b, "options other than SACK changed in the round trip");
  Check(o2.sack_count <= o1.sack_count, "SACK blocks appeared");
  Check(std::equal(o2.sack.begin(), o2.sack.begin() + o2.sack_count,
                   o1.sack.begin()),
        "SACK blocks changed or reordered");
  if (o2.sack_count < o1.sack_count) {
    // Only for want of room: one more block would not have fit.
    Check(a.EmittedLen() + 4 + (o2.sack_count + 1u) * 8 > kTcpMaxOptionsLen,
          "SACK block dropped although it fit");
  }
}

void FuzzOptions(std::span<const uint8_t> in) {
  const ConstByteSpan raw = AsSpan(in.first(std::min<size_t>(in.size(), 40)));
  const std::optional<TcpOptions> o1 = TcpOptions::Parse(raw);
  if (!o1) return;

  std::byte buf[kTcpMaxOptionsLen + 8] = {};
  const size_t n = o1->Emit(buf);
  Check(n == o1->EmittedLen(), "Emit wrote other than EmittedLen");
  Check(n <= kTcpMaxOptionsLen && n % 4 == 0, "emitted length");
  const std::optional<TcpOptions> o2 = TcpOptions::Parse({buf, n});
  Check(o2.has_value(), "emitted options do not parse");
  CheckRoundTrip(*o1, *o2);
  std::byte again[kTcpMaxOptionsLen] = {};
  Check(o2->Emit(again) == n && std::equal(buf, buf + n, again),
        "second emit differs");

  // Options that parsed end where they say: NOPs after them are skipped.
  if (raw.size() + 4 <= kTcpMaxOptionsLen) {
    std::byte padded[kTcpMaxOptionsLen];
    std::copy(raw.begin(), raw.end(), padded);
    std::fill_n(padded + raw.size(), 4, std::byte{TcpOptionKind::kNop});
    const auto o3 = TcpOptions::Parse({padded, raw.size() + 4});
    Check(o3.has_value() && *o3 == *o1, "trailing NOPs changed the parse");
  }

  // The same options in a whole header, through TcpView and TcpRepr.
  std::byte seg[kTcpMaxHeaderLen + 4] = {};
  const size_t hlen = kTcpMinHeaderLen + (raw.size() + 3) / 4 * 4;
  for (size_t i = 0; i < kTcpMinHeaderLen && i < in.size(); ++i)
    seg[i] = static_cast<std::byte>(in[in.size() - 1 - i]);
  seg[12] = static_cast<std::byte>(hlen / 4 << 4);
  std::copy(raw.begin(), raw.end(), seg + kTcpMinHeaderLen);
  DropReason why;
  const auto view = TcpView::Parse({seg, hlen + 4}, &why);
  Check(view.has_value() && view->header_len() == hlen &&
            view->payload().size() == 4,
        "TcpView of a well-formed header");
  const auto repr = TcpRepr::FromView(*view, &why);
  // EOL padding past `raw` cannot turn valid options invalid.
  Check(repr.has_value(), "FromView rejected options Parse took");
  CheckRoundTrip(*o1, repr->options);
  std::byte out[kTcpMaxHeaderLen];
  repr->Emit(out);
  const auto view2 = TcpView::Parse({out, repr->header_len()}, &why);
  Check(view2.has_value(), "emitted header does not parse");
  const auto repr2 = TcpRepr::FromView(*view2, &why);
  Check(repr2.has_value(), "emitted header's options do not parse");
  CheckRoundTrip(repr->options, repr2->options);
  TcpRepr expect = *repr;
  expect.options = repr2->options;  // SACK blocks may have been cut
  Check(*repr2 == expect, "header round trip");
}

// Reassembly against a bitmap: bit i is byte base+i received out of order.
void FuzzReassembly(std::span<const uint8_t> in) {
  if (in.size() < 5) return;
  const uint32_t base = static_cast<uint32_t>(in[0]) << 24 |
                        static_cast<uint32_t>(in[1]) << 16 |
                        static_cast<uint32_t>(in[2]) << 8 | in[3];
  const uint8_t max_ranges = static_cast<uint8_t>(1 + in[4] % 32);
  in = in.subspan(5);
  Reassembly q;
  std::vector<uint8_t> got;  // offsets from base; 1: received
  uint32_t nxt = 0;          // rcv_nxt - base
  int last_added = -1;       // offset of the byte the latest Add covered
  auto bit = [&](uint32_t i) { return i < got.size() && got[i] != 0; };

  std::vector<SackBlock> runs;  // the model's ranges after the last step
  for (int step = 0; step < 128 && in.size() >= 3; ++step) {
    const uint8_t op = in[0];
    // Small offsets and lengths: the queue's logic is the same at any
    // scale, and the bitmap model stays cheap.
    const uint32_t a = in[1];
    const uint32_t b = in[2];
    in = in.subspan(3);
    if (op & 0x80) {  // in-order data of length b, then pop what follows
      for (uint32_t i = nxt; i < nxt + b && i < got.size(); ++i) got[i] = 0;
      nxt += b;
    } else {  // out of order: [nxt + 1 + a, + len)
      const uint32_t left = nxt + 1 + a;
      const uint32_t len = 1 + (b & 0x3f) * ((op & 0x40) ? 8 : 1);
      const uint32_t right = left + len;
      // Would this need a new range (touches no bit, including adjacency)?
      bool touches = bit(left - 1) || bit(right);
      for (uint32_t i = left; i < right && !touches; ++i) touches = bit(i);
      // `runs` holds the model's ranges as of the previous step.
      const bool ok =
          q.Add(SeqNum(base + left), SeqNum(base + right), max_ranges);
      Check(ok == (touches || runs.size() < max_ranges),
            "Add accepted/refused");
      if (ok) {
        if (got.size() < right + 1) got.resize(right + 1);
        for (uint32_t i = left; i < right; ++i) got[i] = 1;
        last_added = static_cast<int>(left);
      }
    }
    // What the connection does after every segment.
    uint32_t expect = nxt;
    while (bit(expect)) ++expect;
    for (uint32_t i = nxt; i < expect; ++i) got[i] = 0;
    const SeqNum popped = q.PopContiguous(SeqNum(base + nxt));
    // Ranges wholly below nxt go without moving it.
    Check(popped == SeqNum(base + expect), "PopContiguous");
    nxt = expect;
    if (last_added >= 0 && static_cast<uint32_t>(last_added) < nxt)
      last_added = -1;

    // Compare the ranges: count, highest edge, SACK blocks.
    runs.clear();
    for (uint32_t i = nxt; i < got.size(); ++i) {
      if (!got[i]) continue;
      uint32_t j = i;
      while (j < got.size() && got[j]) ++j;
      runs.push_back({SeqNum(base + i), SeqNum(base + j)});
      i = j;
    }
    Check(q.size() == runs.size(), "range count");
    Check(q.size() <= max_ranges, "more ranges than allowed");
    Check(q.empty() || q.highest() == runs.back().right, "highest edge");
    std::array<SackBlock, TcpOptions::kMaxSackBlocks> sack;
    const uint8_t ns = q.FillSack(sack, 4);
    Check(ns == std::min<size_t>(4, runs.size()), "SACK block count");
    for (uint8_t i = 0; i < ns; ++i) {
      Check(std::find(runs.begin(), runs.end(), sack[i]) != runs.end(),
            "SACK block is not a received range");
      for (uint8_t j = 0; j < i; ++j)
        Check(!(sack[j] == sack[i]), "SACK block repeated");
    }
    // RFC 2018 §4: the first block holds the most recently received bytes.
    if (ns > 0 && last_added >= 0) {
      const SeqNum s(base + static_cast<uint32_t>(last_added));
      Check(sack[0].left <= s && s < sack[0].right,
            "first SACK block is not the latest segment's");
    }
  }
}

}  // namespace
}  // namespace skiff

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::span<const uint8_t> in(data + 1, size - 1);
  if (data[0] & 1) {
    skiff::FuzzReassembly(in);
  } else {
    skiff::FuzzOptions(in);
  }
  return 0;
}
