// Byte-exact round trips against frames the Linux kernel put on a veth
// (scripts/capture-wire-testdata.sh): parse each frame, check its fields,
// re-emit it from the reprs and compare with the capture.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stack/wire/arp.h"
#include "stack/wire/checksum.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmp.h"
#include "stack/wire/ipv4.h"
#include "tests/unit/wire/pcap_reader.h"
#include "tests/unit/wire/test_bytes.h"

#ifndef SKIFF_WIRE_TESTDATA_DIR
#error "meson defines SKIFF_WIRE_TESTDATA_DIR (tests/data/wire)"
#endif

namespace skiff {
namespace {

using ::skiff::testing::HexDump;
using ::skiff::testing::PcapFile;
using ::skiff::testing::PcapRecord;
using ::skiff::testing::ToVector;

// The lab: wh1a on the host, wh1b in netns wire-h1.
const MacAddress kHostMac({0x02, 0x00, 0x0a, 0xc9, 0x00, 0x01});
const MacAddress kPeerMac({0x02, 0x00, 0x0a, 0xc9, 0x00, 0x02});
const Ipv4Address kHostIp(10, 201, 0, 1);
const Ipv4Address kPeerIp(10, 201, 0, 2);

PcapFile Load(const std::string& name) {
  auto f = skiff::testing::ReadPcapFile(std::string(SKIFF_WIRE_TESTDATA_DIR) +
                                        "/" + name);
  EXPECT_TRUE(f.ok()) << f.status();
  if (!f.ok()) return {};
  EXPECT_EQ(f->link_type, skiff::testing::kPcapLinkTypeEthernet);
  for (const auto& r : f->records) EXPECT_EQ(r.orig_len, r.data.size());
  return *std::move(f);
}

EthernetView Eth(const PcapRecord& r) {
  DropReason why{};
  auto v = EthernetView::Parse(r.bytes(), &why);
  EXPECT_TRUE(v.has_value());
  return *v;
}

// The IPv4 datagrams of a capture, every one with a valid header checksum.
std::vector<Ipv4View> Ipv4Frames(const PcapFile& f) {
  std::vector<Ipv4View> out;
  for (const auto& r : f.records) {
    EthernetView e = Eth(r);
    if (e.ethertype() != EtherType::kIpv4) continue;
    DropReason why{};
    auto ip = Ipv4View::Parse(e.payload(), &why);
    EXPECT_TRUE(ip.has_value()) << DropReasonName(why);
    if (!ip) continue;
    EXPECT_TRUE(ip->ChecksumValid());
    // No link padding on a veth: total_length covers the whole payload.
    EXPECT_EQ(ip->total_length(), e.payload().size());
    out.push_back(*ip);
  }
  return out;
}

// Ethernet + IPv4 headers re-emitted from reprs, then `l4` appended.
std::vector<std::byte> EmitEthIp(const EthernetView& e, const Ipv4View& ip,
                                 ConstByteSpan l4) {
  std::vector<std::byte> out(EthernetRepr::kLen + Ipv4Repr::kLen + l4.size());
  EthernetRepr::FromView(e).Emit(out.data());
  Ipv4Repr::FromView(ip).Emit(out.data() + EthernetRepr::kLen, true);
  std::copy(l4.begin(), l4.end(),
            out.begin() + EthernetRepr::kLen + Ipv4Repr::kLen);
  return out;
}

void ExpectSameBytes(ConstByteSpan got, ConstByteSpan want) {
  EXPECT_EQ(ToVector(got), ToVector(want)) << "got:\n"
                                           << HexDump(got) << "\nwant:\n"
                                           << HexDump(want);
}

TEST(CapturedArp, RequestAndReply_FieldsAndRoundTrip) {
  PcapFile f = Load("arp_icmp.pcap");
  int requests = 0, replies = 0;
  for (const auto& r : f.records) {
    EthernetView e = Eth(r);
    if (e.ethertype() != EtherType::kArp) continue;
    DropReason why{};
    auto arp = ArpRepr::Parse(e.payload(), &why);
    ASSERT_TRUE(arp.has_value());
    if (arp->op == ArpOp::kRequest) {
      ++requests;
      EXPECT_TRUE(e.dst().IsBroadcast());
      EXPECT_EQ(e.src(), kHostMac);
      EXPECT_EQ(arp->sender_mac, kHostMac);
      EXPECT_EQ(arp->sender_ip, kHostIp);
      EXPECT_EQ(arp->target_ip, kPeerIp);
    } else {
      ++replies;
      EXPECT_EQ(e.dst(), kHostMac);
      EXPECT_EQ(e.src(), kPeerMac);
      EXPECT_EQ(arp->sender_mac, kPeerMac);
      EXPECT_EQ(arp->sender_ip, kPeerIp);
      EXPECT_EQ(arp->target_mac, kHostMac);
      EXPECT_EQ(arp->target_ip, kHostIp);
    }
    ASSERT_EQ(r.data.size(), EthernetRepr::kLen + ArpRepr::kLen);
    std::vector<std::byte> out(r.data.size());
    EthernetRepr::FromView(e).Emit(out.data());
    arp->Emit(out.data() + EthernetRepr::kLen);
    ExpectSameBytes(out, r.bytes());
  }
  EXPECT_GE(requests, 1);
  EXPECT_GE(replies, 1);
}

TEST(CapturedArp, PaddedToMinimumFrame_StillParses) {
  PcapFile f = Load("arp_icmp.pcap");
  ASSERT_FALSE(f.records.empty());
  std::vector<std::byte> frame = f.records[0].data;  // the ARP request
  frame.resize(60, std::byte{0});
  DropReason why{};
  auto e = EthernetView::Parse(frame, &why);
  ASSERT_TRUE(e.has_value());
  ASSERT_EQ(e->ethertype(), EtherType::kArp);
  auto arp = ArpRepr::Parse(e->payload(), &why);
  ASSERT_TRUE(arp.has_value());
  EXPECT_EQ(arp->target_ip, kPeerIp);
}

TEST(CapturedIcmp, EchoRequestAndReply_FieldsAndRoundTrip) {
  PcapFile f = Load("arp_icmp.pcap");
  std::vector<uint16_t> request_ids, reply_ids;
  std::vector<size_t> sizes;
  for (const auto& r : f.records) {
    EthernetView e = Eth(r);
    if (e.ethertype() != EtherType::kIpv4) continue;
    DropReason why{};
    auto ip = Ipv4View::Parse(e.payload(), &why);
    ASSERT_TRUE(ip.has_value());
    if (ip->protocol() != IpProtocol::kIcmp) continue;
    auto icmp = IcmpView::Parse(ip->payload(), &why);
    ASSERT_TRUE(icmp.has_value());
    if (icmp->type() != IcmpType::kEchoRequest &&
        icmp->type() != IcmpType::kEchoReply) {
      continue;
    }
    EXPECT_TRUE(ip->ChecksumValid());
    EXPECT_TRUE(icmp->ChecksumValid());
    EXPECT_EQ(ip->header_len(), 20u);
    EXPECT_FALSE(ip->is_fragment());
    EXPECT_EQ(icmp->code(), 0);
    if (icmp->type() == IcmpType::kEchoRequest) {
      EXPECT_EQ(ip->src(), kHostIp);
      EXPECT_EQ(ip->dst(), kPeerIp);
      EXPECT_EQ(e.dst(), kPeerMac);
      request_ids.push_back(icmp->echo_ident());
      sizes.push_back(icmp->payload().size());
    } else {
      EXPECT_EQ(ip->src(), kPeerIp);
      EXPECT_EQ(ip->dst(), kHostIp);
      EXPECT_EQ(e.dst(), kHostMac);
      reply_ids.push_back(icmp->echo_ident());
    }
    std::vector<std::byte> icmp_out(icmp->message().size());
    IcmpEchoRepr::FromView(*icmp).Emit(icmp_out.data());
    ExpectSameBytes(EmitEthIp(e, *ip, icmp_out), r.bytes());
  }
  EXPECT_EQ(request_ids, reply_ids);
  // ping's default 56 bytes, and 1472: a 1500-byte datagram.
  EXPECT_NE(std::find(sizes.begin(), sizes.end(), 56u), sizes.end());
  EXPECT_NE(std::find(sizes.begin(), sizes.end(), 1472u), sizes.end());
}

TEST(CapturedIcmp, PortUnreachable_FieldsAndRoundTrip) {
  PcapFile f = Load("arp_icmp.pcap");
  int seen = 0;
  for (const auto& r : f.records) {
    EthernetView e = Eth(r);
    if (e.ethertype() != EtherType::kIpv4) continue;
    DropReason why{};
    auto ip = Ipv4View::Parse(e.payload(), &why);
    ASSERT_TRUE(ip.has_value());
    if (ip->protocol() != IpProtocol::kIcmp) continue;
    auto icmp = IcmpView::Parse(ip->payload(), &why);
    ASSERT_TRUE(icmp.has_value());
    if (icmp->type() != IcmpType::kDestUnreachable) continue;
    ++seen;
    EXPECT_EQ(icmp->code(), IcmpUnreachCode::kPort);
    EXPECT_TRUE(icmp->ChecksumValid());
    // The quoted datagram is our UDP probe to port 9.
    auto orig = Ipv4View::Parse(icmp->payload(), &why);
    ASSERT_TRUE(orig.has_value());
    EXPECT_EQ(orig->src(), kHostIp);
    EXPECT_EQ(orig->dst(), kPeerIp);
    EXPECT_EQ(orig->protocol(), IpProtocol::kUdp);
    ASSERT_GE(orig->payload().size(), 8u);
    EXPECT_EQ(LoadBe16(orig->payload().data() + 2), 9);

    IcmpUnreachableRepr repr{icmp->code(), icmp->payload()};
    std::vector<std::byte> icmp_out(repr.len());
    repr.Emit(icmp_out.data());
    ExpectSameBytes(EmitEthIp(e, *ip, icmp_out), r.bytes());
  }
  EXPECT_EQ(seen, 1);
}

TEST(CapturedUdp, PaddedToMinimumFrame_PaddingExcluded) {
  PcapFile f = Load("arp_icmp.pcap");
  for (const auto& r : f.records) {
    EthernetView e = Eth(r);
    if (e.ethertype() != EtherType::kIpv4) continue;
    DropReason why{};
    auto ip = Ipv4View::Parse(e.payload(), &why);
    ASSERT_TRUE(ip.has_value());
    if (ip->protocol() != IpProtocol::kUdp) continue;
    ASSERT_LT(r.data.size(), 60u);
    std::vector<std::byte> frame = r.data;
    frame.resize(60, std::byte{0xee});  // what a NIC would add
    auto pe = EthernetView::Parse(frame, &why);
    ASSERT_TRUE(pe.has_value());
    auto pip = Ipv4View::Parse(pe->payload(), &why);
    ASSERT_TRUE(pip.has_value());
    EXPECT_EQ(pip->payload().size(), 8u + 6u);  // UDP header + "probe\n"
    EXPECT_EQ(ToVector(pip->payload()), ToVector(ip->payload()));
    return;
  }
  FAIL() << "no UDP probe in the capture";
}

TEST(CapturedIpv4, RecordRouteOptions_SkippedViaIhl) {
  PcapFile f = Load("ipv4_options.pcap");
  int seen = 0;
  for (const Ipv4View& ip : Ipv4Frames(f)) {
    ++seen;
    EXPECT_GT(ip.header_len(), 20u);
    // RFC 791 §3.1 record route, type 7, somewhere in the options.
    bool has_rr = false;
    for (std::byte b : ip.options()) has_rr |= b == std::byte{7};
    EXPECT_TRUE(has_rr);
    DropReason why{};
    auto icmp = IcmpView::Parse(ip.payload(), &why);
    ASSERT_TRUE(icmp.has_value());
    EXPECT_TRUE(icmp->ChecksumValid());
    EXPECT_EQ(icmp->payload().size(), 56u);
    // We never emit options: the repr keeps everything else.
    Ipv4Repr repr = Ipv4Repr::FromView(ip);
    EXPECT_EQ(repr.payload_len, 64);
    EXPECT_EQ(repr.protocol, IpProtocol::kIcmp);
  }
  EXPECT_EQ(seen, 2);  // request and reply
}

TEST(CapturedIpv4, Fragments_RecognisedAndReassembleToValidIcmp) {
  PcapFile f = Load("ipv4_fragments.pcap");
  std::vector<Ipv4View> frames = Ipv4Frames(f);
  ASSERT_EQ(frames.size(), 4u);  // request and reply, two fragments each
  for (size_t i = 0; i < frames.size(); i += 2) {
    const Ipv4View& first = frames[i];
    const Ipv4View& last = frames[i + 1];
    EXPECT_TRUE(first.is_fragment());
    EXPECT_TRUE(first.more_fragments());
    EXPECT_FALSE(first.dont_fragment());
    EXPECT_EQ(first.fragment_offset(), 0);
    EXPECT_EQ(first.total_length(), 1500);
    EXPECT_TRUE(last.is_fragment());
    EXPECT_FALSE(last.more_fragments());
    EXPECT_EQ(last.fragment_offset() * 8u, first.payload().size());
    EXPECT_EQ(first.id(), last.id());
    // The ICMP checksum covers the whole reassembled message.
    uint32_t sum = ChecksumAccumulate(first.payload());  // 1480: even
    sum = ChecksumAccumulate(last.payload(), sum);
    EXPECT_EQ(ChecksumFinish(sum), 0);
    EXPECT_EQ(first.payload().size() + last.payload().size(), 2008u);
  }
}

TEST(CapturedTcp, Segments_IpRoundTripAndTcpChecksum) {
  PcapFile f = Load("tcp_connect.pcap");
  int syns = 0, segments = 0;
  for (const auto& r : f.records) {
    EthernetView e = Eth(r);
    if (e.ethertype() != EtherType::kIpv4) continue;
    DropReason why{};
    auto ip = Ipv4View::Parse(e.payload(), &why);
    ASSERT_TRUE(ip.has_value());
    ASSERT_EQ(ip->protocol(), IpProtocol::kTcp);
    EXPECT_TRUE(ip->ChecksumValid());
    EXPECT_TRUE(ip->dont_fragment());
    ++segments;
    ConstByteSpan tcp = ip->payload();
    ASSERT_GE(tcp.size(), 20u);
    // RFC 9293 §3.1: the checksum covers the pseudo-header and segment.
    uint32_t sum = PseudoHeaderSum(ip->src(), ip->dst(), IpProtocol::kTcp,
                                   static_cast<uint16_t>(tcp.size()));
    EXPECT_EQ(ChecksumFinish(ChecksumAccumulate(tcp, sum)), 0);
    if ((Load8(tcp.data() + 13) & 0x02) != 0) {  // SYN: options
      ++syns;
      EXPECT_EQ(Load8(tcp.data() + 12) >> 4, 10);  // 40-byte header
      EXPECT_EQ(Load8(tcp.data() + 20), 2);        // MSS option first
    }
    ExpectSameBytes(EmitEthIp(e, *ip, tcp), r.bytes());
  }
  EXPECT_EQ(syns, 2);  // SYN and SYN-ACK
  EXPECT_GE(segments, 8);
}

TEST(PcapReader, RejectsBadMagicAndTruncation) {
  std::vector<std::byte> img(24, std::byte{0});
  EXPECT_FALSE(skiff::testing::ParsePcap(img).ok());
  EXPECT_FALSE(skiff::testing::ParsePcap({img.data(), 10}).ok());
  // Big-endian microsecond header, then a record header cut short.
  img[0] = std::byte{0xa1};
  img[1] = std::byte{0xb2};
  img[2] = std::byte{0xc3};
  img[3] = std::byte{0xd4};
  img[23] = std::byte{1};
  auto ok = skiff::testing::ParsePcap(img);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->link_type, 1u);
  EXPECT_TRUE(ok->records.empty());
  img.resize(30);
  EXPECT_FALSE(skiff::testing::ParsePcap(img).ok());
}

}  // namespace
}  // namespace skiff
