#include "tests/fuzz/stack_harness.h"

#include <rte_eal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "stack/counters.h"
#include "stack/wire/arp.h"
#include "stack/wire/checksum.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmp.h"
#include "stack/wire/ipv4.h"

namespace skiff::fuzz {
namespace {

constexpr Instant kStart = Instant::FromNanos(1'000'000'000);
constexpr uint32_t kPeerIsn = 1'000'000;

// A violated invariant: say which and abort, so libFuzzer keeps the input.
void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "stack_fuzz: invariant violated: %s\n", what);
  std::abort();
}

Bytes EthFrame(MacAddress dst, MacAddress src, uint16_t type,
               ConstByteSpan payload) {
  Bytes f(EthernetRepr::kLen + payload.size());
  EthernetRepr{dst, src, type}.Emit(f.data());
  std::copy(payload.begin(), payload.end(), f.begin() + EthernetRepr::kLen);
  return f;
}

Bytes Ipv4Datagram(Ipv4Address src, Ipv4Address dst, uint8_t protocol,
                   ConstByteSpan payload) {
  Ipv4Repr ip{.src = src,
              .dst = dst,
              .protocol = protocol,
              .ttl = 64,
              .id = 7,
              .dont_fragment = true,
              .payload_len = static_cast<uint16_t>(payload.size())};
  Bytes d(Ipv4Repr::kLen + payload.size());
  ip.Emit(d.data(), true);
  std::copy(payload.begin(), payload.end(), d.begin() + Ipv4Repr::kLen);
  return d;
}

// The small, deterministic stack the fuzzer plays against: a fixed secret
// (reproducible ISNs), few connection slots and a small buffer pool, so
// that running out of them is reachable too.
StackConfig FuzzConfig() {
  StackConfig c;
  c.address = {kOurIp, 24};
  c.tcp.max_connections = 64;
  c.tcp.buffer_pool_bytes = 32 * 16 * 1024;
  c.tcp.secret = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  return c;
}

// Counters that go down as well as up (FormatCounters names).
bool IsGauge(std::string_view name) {
  return name == "tcp_connections" || name == "tcp_listeners" ||
         name == "arp_incomplete";
}

}  // namespace

PacketPool& FuzzPool() {
  static PacketPool* pool = [] {
    std::string prefix = "skiff_fuzz_" + std::to_string(getpid());
    std::vector<std::string> args = {
        "skiff_fuzz", "--no-huge",     "--no-pci",          "--no-shconf",
        "-m",         "128",           "--log-level=error", "--file-prefix",
        prefix,       "--no-telemetry"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    Check(rte_eal_init(static_cast<int>(argv.size()), argv.data()) >= 0,
          "rte_eal_init");
    auto p = PacketPool::Create({.name = "fuzz_pool", .size = 1023});
    Check(p.ok(), "PacketPool::Create");
    return p->release();  // lives as long as the process
  }();
  return *pool;
}

StackHarness::StackHarness() : clock_(kStart) {
  Check(FuzzPool().in_use() == 0, "mbufs in use before the run");
  channel_ = std::make_unique<TestChannel>(FuzzPool(), kOurMac);
  stack_ = std::make_unique<StackCore>(*channel_, FuzzConfig());
  stack_->SetEventHandler(this);
}

StackHarness::~StackHarness() = default;

uint32_t StackHarness::peer_tsval() const {
  return 1000 +
         static_cast<uint32_t>((clock_.Now() - kStart).nanos() / 1'000'000);
}

void StackHarness::Start() {
  stack_->Start(clock_.Now());
  ListenResult l = stack_->Listen(kListenPort, 8);
  Check(l.ok(), "Listen");
  listener_ = l.value();
  InjectArp(/*reply=*/false, 0x02, 2);  // the stack learns the peer's MAC

  TcpRepr syn{.src_port = kPeerPort,
              .dst_port = kListenPort,
              .seq = SeqNum(kPeerIsn),
              .flags = TcpFlag::kSyn,
              .window = 65535};
  syn.options.mss = 1460;
  syn.options.window_scale = 7;
  syn.options.sack_permitted = true;
  syn.options.timestamp = TcpTimestamp{peer_tsval(), 0};
  InjectTcp(syn, nullptr, 0);
  Check(flows_.size() == 1, "no SYN-ACK");
  const Flow& f = flows_[0];
  TcpRepr ack{.src_port = kPeerPort,
              .dst_port = kListenPort,
              .seq = SeqNum(kPeerIsn + 1),
              .ack = SeqNum(f.our_nxt),
              .flags = TcpFlag::kAck,
              .window = 1024};
  ack.options.timestamp = TcpTimestamp{peer_tsval(), f.our_tsval};
  InjectTcp(ack, nullptr, 0);
  Check(owned_.size() == 1, "handshake did not complete");

  // Data both ways: the peer sends 100 bytes, we send 3000 and the peer
  // acknowledges them.
  ack.flags = TcpFlag::kAck | TcpFlag::kPsh;
  InjectTcp(ack, nullptr, 100);
  AppSend(0, 3000);
  Advance(Duration::Millis(1));
  ack.seq = SeqNum(flows_[0].our_ack);
  ack.ack = SeqNum(flows_[0].our_nxt);
  ack.flags = TcpFlag::kAck;
  ack.options.timestamp = TcpTimestamp{peer_tsval(), flows_[0].our_tsval};
  InjectTcp(ack, nullptr, 0);
  const Connection* c = stack_->Find(owned_[0]);
  Check(c != nullptr && c->state() == TcpState::kEstablished,
        "scripted connection not ESTABLISHED");
  Check(stack_->counters().tcp.bytes_in == 100, "scripted data not received");
}

void StackHarness::InjectRaw(ConstByteSpan frame) {
  channel_->Inject(frame);
  Turn();
}

void StackHarness::InjectIpv4(uint8_t protocol, ConstByteSpan payload,
                              Ipv4Address src) {
  InjectRaw(EthFrame(kOurMac, kPeerMac, EtherType::kIpv4,
                     Ipv4Datagram(src, kOurIp, protocol, payload)));
}

void StackHarness::InjectRawTcp(ConstByteSpan segment) {
  Bytes seg(segment.begin(), segment.end());
  if (seg.size() >= kTcpMinHeaderLen) TcpFillChecksum(seg, kPeerIp, kOurIp);
  InjectIpv4(IpProtocol::kTcp, seg);
}

void StackHarness::InjectTcp(const TcpRepr& hdr, const Bytes* raw_options,
                             size_t payload_len) {
  size_t hlen = hdr.header_len();
  if (raw_options != nullptr) {
    const size_t n = std::min(raw_options->size(), kTcpMaxOptionsLen);
    hlen = kTcpMinHeaderLen + (n + 3) / 4 * 4;
  }
  payload_len = std::min(payload_len, 1480 - hlen);
  Bytes seg(hlen + payload_len);
  if (raw_options != nullptr) {
    TcpRepr plain = hdr;
    plain.options = {};
    plain.Emit(seg.data());
    std::copy_n(raw_options->begin(),
                std::min(raw_options->size(), kTcpMaxOptionsLen),
                seg.begin() + kTcpMinHeaderLen);  // then EOL (zero) padding
    seg[12] = static_cast<std::byte>(hlen / 4 << 4);
  } else {
    hdr.Emit(seg.data());
  }
  for (size_t i = 0; i < payload_len; ++i)
    seg[hlen + i] = static_cast<std::byte>('a' + i % 26);
  TcpFillChecksum(seg, kPeerIp, kOurIp);
  InjectIpv4(IpProtocol::kTcp, seg);
}

void StackHarness::InjectIcmpError(size_t flow, uint8_t code, uint16_t mtu,
                                   int64_t seq_delta, bool from_router) {
  if (flows_.empty()) return;
  const Flow& f = flows_[flow % flows_.size()];
  // RFC 792: the original IP header plus the first 8 bytes of its data.
  Bytes tcp8(8);
  StoreBe16(tcp8.data(), f.our_port);
  StoreBe16(tcp8.data() + 2, f.peer_port);
  StoreBe32(tcp8.data() + 4, f.our_nxt + static_cast<uint32_t>(seq_delta));
  Bytes original = Ipv4Datagram(kOurIp, kPeerIp, IpProtocol::kTcp, tcp8);
  StoreBe16(original.data() + 2, 40 + 100);  // the datagram had data
  IcmpUnreachableRepr r{
      .code = code, .original = original, .next_hop_mtu = mtu};
  Bytes msg(r.len());
  r.Emit(msg.data());
  InjectIpv4(IpProtocol::kIcmp, msg,
             from_router ? Ipv4Address(10, 0, 0, 254) : kPeerIp);
}

void StackHarness::InjectArp(bool reply, uint8_t mac_byte, uint8_t ip_byte) {
  const MacAddress mac({0x02, 0, 0, 0, 0, mac_byte});
  Bytes a(ArpRepr::kLen);
  ArpRepr{reply ? ArpOp::kReply : ArpOp::kRequest, mac,
          Ipv4Address(10, 0, 0, ip_byte), reply ? kOurMac : MacAddress(),
          kOurIp}
      .Emit(a.data());
  InjectRaw(EthFrame(reply ? kOurMac : MacAddress::Broadcast(), mac,
                     EtherType::kArp, a));
}

void StackHarness::Advance(Duration d) {
  clock_.Advance(d);
  Turn();
}

SocketId StackHarness::Owned(size_t which) {
  if (owned_.empty()) return SocketId();
  return owned_[which % owned_.size()];
}

void StackHarness::AppSend(size_t which, size_t len) {
  static const Bytes kData(64 * 1024, std::byte{'z'});
  SocketId s = Owned(which);
  if (!s.valid()) return;
  stack_->Send(s, ConstByteSpan(kData).first(std::min(len, kData.size())));
  Turn();
}

void StackHarness::AppRecv(size_t which) {
  SocketId s = Owned(which);
  if (!s.valid()) return;
  std::byte buf[2048];
  while (stack_->Recv(s, buf).ok()) {
  }
  Turn();
}

void StackHarness::AppShutdown(size_t which) {
  SocketId s = Owned(which);
  if (!s.valid()) return;
  stack_->Shutdown(s);
  Turn();
}

void StackHarness::AppClose(size_t which) {
  SocketId s = Owned(which);
  if (!s.valid()) return;
  stack_->Close(s);
  owned_.erase(std::find(owned_.begin(), owned_.end(), s));
  Turn();
}

void StackHarness::AppAbort(size_t which) {
  SocketId s = Owned(which);
  if (!s.valid()) return;
  stack_->Abort(s);
  owned_.erase(std::find(owned_.begin(), owned_.end(), s));
  Turn();
}

void StackHarness::AppConnect(uint16_t port) {
  ConnectResult c = stack_->Connect(kPeerIp, port);
  if (c.ok()) owned_.push_back(c.value());
  Turn();
}

void StackHarness::OnAcceptable(ListenerId listener) {
  for (SocketId s = stack_->Accept(listener); s.valid();
       s = stack_->Accept(listener)) {
    owned_.push_back(s);
  }
}

void StackHarness::OnSocketEvent(SocketId, uint8_t) {}

void StackHarness::DrainReadable() {
  std::byte buf[2048];
  for (SocketId s : owned_) {
    while (stack_->Recv(s, buf).ok()) {
    }
  }
}

void StackHarness::Turn() {
  stack_->Poll(clock_.Now());
  if (auto_read_) DrainReadable();
  TakeSent();
  CheckStep();
}

void StackHarness::TakeSent() {
  for (const Bytes& frame : channel_->TakeSent()) LearnFromSent(frame);
}

// Every frame the stack emits is well formed (its checksums too: this
// TestChannel offers no offloads), and its TCP segments teach the harness
// the sequence numbers of each 4-tuple.
void StackHarness::LearnFromSent(ConstByteSpan frame) {
  Check(frame.size() <= EthernetRepr::kLen + channel_->mtu(),
        "frame larger than the MTU");
  DropReason why;
  auto eth = EthernetView::Parse(frame, &why);
  Check(eth.has_value() && eth->src() == kOurMac, "bad Ethernet header");
  if (eth->ethertype() != EtherType::kIpv4) return;
  auto ip = Ipv4View::Parse(eth->payload(), &why);
  Check(ip.has_value() && ip->ChecksumValid() && ip->src() == kOurIp,
        "bad IPv4 header");
  if (ip->protocol() != IpProtocol::kTcp || ip->dst() != kPeerIp) return;
  auto tcp = TcpView::Parse(ip->payload(), &why);
  Check(tcp.has_value() && tcp->ChecksumValid(kOurIp, kPeerIp),
        "bad TCP header or checksum");
  auto hdr = TcpRepr::FromView(*tcp, &why);
  Check(hdr.has_value(), "unparsable TCP options");
  auto it = std::find_if(flows_.begin(), flows_.end(), [&](const Flow& f) {
    return f.our_port == hdr->src_port && f.peer_port == hdr->dst_port;
  });
  const uint32_t end =
      hdr->seq.value() + static_cast<uint32_t>(tcp->payload().size()) +
      (hdr->has(TcpFlag::kSyn) ? 1 : 0) + (hdr->has(TcpFlag::kFin) ? 1 : 0);
  if (it == flows_.end()) {
    if (flows_.size() >= 16) return;
    flows_.push_back({.our_port = hdr->src_port,
                      .peer_port = hdr->dst_port,
                      .our_nxt = end});
    it = flows_.end() - 1;
  } else if (hdr->has(TcpFlag::kSyn) ||
             static_cast<int32_t>(end - it->our_nxt) > 0) {
    it->our_nxt = end;  // a new SYN starts a new incarnation
  }
  if (hdr->has(TcpFlag::kAck)) it->our_ack = hdr->ack.value();
  if (hdr->options.timestamp) it->our_tsval = hdr->options.timestamp->tsval;
}

void StackHarness::CheckStep() {
  const StackCounters c = stack_->counters();
  size_t i = 0;
  const bool first = last_counters_.empty();
  VisitCounters(c, [&](std::string_view name, uint64_t v) {
    if (first) {
      last_counters_.push_back(v);
    } else {
      if (!IsGauge(name) && v < last_counters_[i]) {
        std::fprintf(stderr, "stack_fuzz: counter %.*s went %llu -> %llu\n",
                     static_cast<int>(name.size()), name.data(),
                     static_cast<unsigned long long>(last_counters_[i]),
                     static_cast<unsigned long long>(v));
        Check(false, "counters monotonic");
      }
      last_counters_[i] = v;
    }
    ++i;
  });
  const TcpLayer& tcp = stack_->tcp();
  Check(c.tcp.connections == tcp.connection_count(),
        "connection gauge == connection slots");
  Check(tcp.table_size() == tcp.connection_count(),
        "one socket-table entry per connection");
  Check(tcp.connection_count() <= FuzzConfig().tcp.max_connections,
        "connection slots bounded");
  for (SocketId s : owned_) Check(stack_->Find(s) != nullptr, "stale id");
  if (std::getenv("STACK_FUZZ_TRACE") != nullptr) {
    for (SocketId s : owned_) {
      std::fprintf(stderr, "  socket %u state %d\n", s.handle.index,
                   static_cast<int>(stack_->Find(s)->state()));
    }
  }
}

void StackHarness::Finish() {
  for (SocketId s : owned_) stack_->Abort(s);
  owned_.clear();
  stack_->CloseListener(listener_);
  // Every timer is bounded (retries, TIME-WAIT, FIN-WAIT-2, ARP): three
  // simulated hours run them all out. NextDeadline() is only the timer
  // wheel's next tick, so take 5 s steps: timers fire late, never lost.
  const Instant give_up = clock_.Now() + Duration::Seconds(3 * 3600);
  while (clock_.Now() < give_up &&
         (stack_->tcp().connection_count() > 0 || FuzzPool().in_use() > 0)) {
    clock_.Advance(Duration::Seconds(5));
    stack_->Poll(clock_.Now());
    TakeSent();
  }
  CheckStep();
  if (stack_->tcp().connection_count() != 0) {
    std::fprintf(stderr, "stack_fuzz: %zu connections left\n%s",
                 stack_->tcp().connection_count(),
                 stack_->FormatCounters().c_str());
  }
  Check(stack_->tcp().connection_count() == 0,
        "connections left after every socket closed and timers ran out");
  Check(FuzzPool().in_use() == 0, "mbufs held by an idle stack");
  stack_.reset();
  channel_.reset();
  Check(FuzzPool().in_use() == 0, "mbufs leaked");
}

}  // namespace skiff::fuzz
