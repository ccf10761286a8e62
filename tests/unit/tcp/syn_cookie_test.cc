// SYN cookies (RFC 4987 §3.6, stack/tcp/syn_cookie.h): the cookie SYN-ACK,
// the check of the ACK that answers it, and the connection it becomes.
#include "stack/tcp/syn_cookie.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;

constexpr SipKey kKey = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
constexpr uint32_t kTsOffset = 12345;

class SynCookieTest : public TcpTest {
 protected:
  TcpRepr Syn(bool full_options, uint16_t mss = 1460) const {
    TcpRepr syn = Repr({.flags = TcpFlag::kSyn,
                        .seq = SeqNum(kRemoteIss),
                        .options = PeerSynOptions(full_options)});
    syn.options.mss = mss;
    return syn;
  }
  // The peer's answer to `synack`, timestamps echoed when it had them.
  TcpRepr AckFor(const TcpRepr& synack, uint32_t tsval = 900) const {
    TcpRepr ack = Repr({.seq = synack.ack, .ack = synack.seq + 1});
    if (synack.options.timestamp) {
      ack.options.timestamp =
          TcpTimestamp{tsval, synack.options.timestamp->tsval};
    }
    return ack;
  }
  TcpRepr SynAck(const TcpRepr& syn) {
    return cookies.SynAck(tuple(), syn, cfg, kTsOffset, clock.Now());
  }
  uint32_t OurTs() {
    return static_cast<uint32_t>(clock.Now().nanos() / 1'000'000) + kTsOffset;
  }

  SynCookies cookies{kKey};
};

TEST(SynCookieMss, Index_RoundsDownToTable) {
  EXPECT_EQ(SynCookies::MssIndex(100), 0);  // below the table: 536
  EXPECT_EQ(SynCookies::MssIndex(536), 0);
  EXPECT_EQ(SynCookies::MssIndex(1299), 0);
  EXPECT_EQ(SynCookies::MssIndex(1300), 1);
  EXPECT_EQ(SynCookies::MssIndex(1439), 1);
  EXPECT_EQ(SynCookies::MssIndex(1440), 2);
  EXPECT_EQ(SynCookies::MssIndex(1460), 3);
  EXPECT_EQ(SynCookies::MssIndex(8960), 3);
}

TEST(SynCookieTsVal, LowBitsCarryOptions_NeverAheadOfClock) {
  for (uint32_t base : {0u, 5u, 63u, 64u, 1000u, 0xffffffffu}) {
    for (uint8_t bits : {0, 7, 0x1e, 0x3f}) {
      const uint32_t ts = SynCookies::CookieTsVal(base, bits);
      EXPECT_EQ(ts & 0x3f, bits);
      EXPECT_LE(SeqNum(ts), SeqNum(base)) << base << " " << int{bits};
      EXPECT_LT(SeqNum(base) - SeqNum(ts), 64);
    }
  }
}

TEST_F(SynCookieTest, NoTimestamps_SynAckOffersOnlyMss_AckDecodes) {
  TcpRepr syn = Syn(false, 1400);
  syn.options.window_scale = 7;  // without timestamps: nowhere to keep it
  syn.options.sack_permitted = true;
  const TcpRepr synack = SynAck(syn);
  EXPECT_EQ(synack.flags, TcpFlag::kSyn | TcpFlag::kAck);
  EXPECT_EQ(synack.ack, SeqNum(kRemoteIss + 1));
  EXPECT_EQ(synack.options.mss, cfg.mss);
  EXPECT_FALSE(synack.options.window_scale);
  EXPECT_FALSE(synack.options.sack_permitted);
  EXPECT_FALSE(synack.options.timestamp);
  EXPECT_EQ(synack.src_port, kLocalPort);
  EXPECT_EQ(synack.dst_port, kRemotePort);
  EXPECT_EQ(synack.seq.value() >> 29 & 3, 1u);  // 1400 → 1300

  Advance(Duration::Millis(300));
  std::optional<SynCookies::Decoded> d =
      cookies.Check(tuple(), AckFor(synack), clock.Now());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->iss, synack.seq);
  EXPECT_EQ(d->syn.seq, SeqNum(kRemoteIss));
  EXPECT_EQ(d->syn.options.mss, 1300);
  EXPECT_FALSE(d->syn.options.window_scale);
  EXPECT_FALSE(d->syn.options.sack_permitted);
  EXPECT_FALSE(d->syn.options.timestamp);
}

TEST_F(SynCookieTest, MssTable_EachEntryRoundTrips) {
  for (uint16_t mss : {536, 1300, 1440, 1460}) {
    const TcpRepr synack = SynAck(Syn(false, mss));
    std::optional<SynCookies::Decoded> d =
        cookies.Check(tuple(), AckFor(synack), clock.Now());
    ASSERT_TRUE(d) << mss;
    EXPECT_EQ(d->syn.options.mss, mss);
  }
  TcpRepr no_mss = Syn(false);
  no_mss.options.mss.reset();
  std::optional<SynCookies::Decoded> d =
      cookies.Check(tuple(), AckFor(SynAck(no_mss)), clock.Now());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->syn.options.mss, 536);  // RFC 9293 §3.7.1 default
}

TEST_F(SynCookieTest, Timestamps_OptionsRideInTsVal_AckDecodesThem) {
  Advance(Duration::Millis(12345));
  const TcpRepr synack = SynAck(Syn(true));  // WS 7, SACK, TS 777
  ASSERT_TRUE(synack.options.timestamp);
  const uint32_t tsval = synack.options.timestamp->tsval;
  EXPECT_EQ(synack.options.timestamp->tsecr, 777u);
  EXPECT_EQ(tsval & 0x3f, 7u | 0x10u);  // peer's shift, SACK, no ECN
  EXPECT_LE(SeqNum(tsval), SeqNum(OurTs()));
  EXPECT_LT(SeqNum(OurTs()) - SeqNum(tsval), 64);
  EXPECT_EQ(synack.options.window_scale, cfg.window_scale_shift);
  EXPECT_TRUE(synack.options.sack_permitted);

  std::optional<SynCookies::Decoded> d =
      cookies.Check(tuple(), AckFor(synack, 901), clock.Now());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->syn.options.window_scale, 7);
  EXPECT_TRUE(d->syn.options.sack_permitted);
  ASSERT_TRUE(d->syn.options.timestamp);
  EXPECT_EQ(d->syn.options.timestamp->tsval, 901u);
}

TEST_F(SynCookieTest, Timestamps_ScaleWithoutSackAndSackWithoutScale) {
  TcpRepr syn = Syn(true);
  syn.options.window_scale = 14;
  syn.options.sack_permitted = false;
  std::optional<SynCookies::Decoded> d =
      cookies.Check(tuple(), AckFor(SynAck(syn)), clock.Now());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->syn.options.window_scale, 14);
  EXPECT_FALSE(d->syn.options.sack_permitted);

  syn.options.window_scale.reset();
  syn.options.sack_permitted = true;
  const TcpRepr synack = SynAck(syn);
  EXPECT_FALSE(synack.options.window_scale);
  d = cookies.Check(tuple(), AckFor(synack), clock.Now());
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->syn.options.window_scale);
  EXPECT_TRUE(d->syn.options.sack_permitted);

  syn.options.window_scale = 15;  // RFC 7323 §2.3: used as 14
  d = cookies.Check(tuple(), AckFor(SynAck(syn)), clock.Now());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->syn.options.window_scale, 14);
}

TEST_F(SynCookieTest, OurConfigOff_NotOffered) {
  cfg.timestamps = false;
  TcpRepr synack = SynAck(Syn(true));
  EXPECT_FALSE(synack.options.timestamp);
  EXPECT_FALSE(synack.options.window_scale);
  cfg.timestamps = true;
  cfg.sack = false;
  cfg.window_scaling = false;
  synack = SynAck(Syn(true));
  EXPECT_TRUE(synack.options.timestamp);
  EXPECT_FALSE(synack.options.window_scale);
  EXPECT_FALSE(synack.options.sack_permitted);
  std::optional<SynCookies::Decoded> d =
      cookies.Check(tuple(), AckFor(synack), clock.Now());
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->syn.options.window_scale);
  EXPECT_FALSE(d->syn.options.sack_permitted);
}

TEST_F(SynCookieTest, WrongTuple_Rejected) {
  const TcpRepr ack = AckFor(SynAck(Syn(false)));
  FourTuple t = tuple();
  t.remote_port++;
  EXPECT_FALSE(cookies.Check(t, ack, clock.Now()));
  t = tuple();
  t.remote_addr = Ipv4Address(10, 0, 0, 3);
  EXPECT_FALSE(cookies.Check(t, ack, clock.Now()));
  t = tuple();
  t.local_port = 81;
  EXPECT_FALSE(cookies.Check(t, ack, clock.Now()));
  EXPECT_TRUE(cookies.Check(tuple(), ack, clock.Now()));
}

TEST_F(SynCookieTest, WrongPeerSequence_Rejected) {
  TcpRepr ack = AckFor(SynAck(Syn(false)));
  ack.seq = ack.seq + 1;  // not the SYN the cookie answered
  EXPECT_FALSE(cookies.Check(tuple(), ack, clock.Now()));
}

TEST_F(SynCookieTest, OtherSecret_Rejected) {
  SipKey other = kKey;
  other[0] ^= 1;
  EXPECT_FALSE(
      SynCookies(other).Check(tuple(), AckFor(SynAck(Syn(true))), clock.Now()));
}

TEST_F(SynCookieTest, Age_ValidThisTickAndNext_NotLater) {
  // Start at the beginning of a counter tick.
  clock.Set(Instant::FromNanos(SynCookies::kPeriod.nanos() * 1000));
  const TcpRepr ack = AckFor(SynAck(Syn(true)));
  const Instant sent = clock.Now();
  EXPECT_TRUE(cookies.Check(tuple(), ack, sent));
  EXPECT_TRUE(cookies.Check(tuple(), ack, sent + SynCookies::kPeriod));
  EXPECT_TRUE(cookies.Check(
      tuple(), ack, sent + SynCookies::kPeriod * 2 - Duration::Nanos(1)));
  EXPECT_FALSE(cookies.Check(tuple(), ack, sent + SynCookies::kPeriod * 2));
  EXPECT_FALSE(cookies.Check(tuple(), ack, sent + SynCookies::kPeriod * 3));
  EXPECT_FALSE(cookies.Check(tuple(), ack, sent + SynCookies::kPeriod * 4));
}

TEST_F(SynCookieTest, AnyBitFlipped_Rejected) {
  const TcpRepr good = AckFor(SynAck(Syn(true)));
  ASSERT_TRUE(cookies.Check(tuple(), good, clock.Now()));
  for (int bit = 0; bit < 32; ++bit) {
    TcpRepr ack = good;
    ack.ack = SeqNum(good.ack.value() ^ (uint32_t{1} << bit));
    EXPECT_FALSE(cookies.Check(tuple(), ack, clock.Now())) << "ISN bit " << bit;
  }
  for (int bit = 0; bit < 6; ++bit) {  // the options in the echoed TSval
    TcpRepr ack = good;
    ack.options.timestamp->tsecr ^= uint32_t{1} << bit;
    EXPECT_FALSE(cookies.Check(tuple(), ack, clock.Now())) << "TS bit " << bit;
  }
  TcpRepr no_ts = good;  // timestamps agreed: the ACK must carry one
  no_ts.options.timestamp.reset();
  EXPECT_FALSE(cookies.Check(tuple(), no_ts, clock.Now()));
}

// The connection a cookie becomes: ESTABLISHED with the remembered options,
// the data on the completing ACK delivered, our data sent after ISS + 1.
TEST_F(SynCookieTest, Closed_AcceptCookieWithData_EstablishedAndTransfers) {
  Make();
  Advance(Duration::Millis(5000));
  const TcpRepr synack = SynAck(Syn(true));
  Advance(Duration::Millis(20));
  TcpRepr ack = AckFor(synack, 800);
  std::optional<SynCookies::Decoded> d =
      cookies.Check(tuple(), ack, clock.Now());
  ASSERT_TRUE(d);
  conn->SetTimestampOffset(kTsOffset);
  conn->AcceptCookie(tuple(), d->iss, d->syn, ack, now());
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_EQ(conn->iss(), synack.seq);
  EXPECT_EQ(conn->snd_una(), synack.seq + 1);
  EXPECT_EQ(conn->rcv_nxt(), SeqNum(kRemoteIss + 1));
  EXPECT_TRUE(conn->timestamps_enabled());
  EXPECT_TRUE(conn->sack_enabled());
  EXPECT_EQ(conn->snd_wscale(), 7);
  EXPECT_EQ(conn->rcv_wscale(), cfg.window_scale_shift);
  EXPECT_EQ(conn->snd_wnd(), 65535u << 7);
  EXPECT_EQ(conn->effective_mss(), 1460u - 12);
  EXPECT_NE(conn->TakeEvents() & TcpEvent::kConnected, 0);

  const std::string request = "GET / HTTP/1.1\r\n\r\n";
  conn->OnSegment({ack, AsBytes(request.data(), request.size())}, now());
  EXPECT_EQ(ReadAll(), request);
  ASSERT_EQ(Write("page"), 4u);
  std::vector<Sent> sent = Poll();
  ASSERT_FALSE(sent.empty());
  EXPECT_THAT(sent.front(),
              AllOf(SeqIs(synack.seq + 1),
                    AckIs(SeqNum(kRemoteIss + 1 + request.size())),
                    PayloadIs("page"), TsEcrIs(800u)));
  // Our TSvals go on from the cookie's, never back.
  EXPECT_GE(SeqNum(sent.front().h.options.timestamp->tsval),
            SeqNum(synack.options.timestamp->tsval));
}

TEST_F(SynCookieTest, Closed_AcceptCookieNoTimestamps_NoScaleNoSack) {
  Make();
  TcpRepr syn = Syn(false, 1300);
  syn.options.window_scale = 7;
  syn.options.sack_permitted = true;
  const TcpRepr synack = SynAck(syn);
  const TcpRepr ack = AckFor(synack);
  std::optional<SynCookies::Decoded> d =
      cookies.Check(tuple(), ack, clock.Now());
  ASSERT_TRUE(d);
  conn->AcceptCookie(tuple(), d->iss, d->syn, ack, now());
  conn->OnSegment({ack, {}}, now());
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_FALSE(conn->timestamps_enabled());
  EXPECT_FALSE(conn->sack_enabled());
  EXPECT_EQ(conn->snd_wscale(), 0);
  EXPECT_EQ(conn->rcv_wscale(), 0);
  EXPECT_EQ(conn->effective_mss(), 1300u);
  ExpectNothing();  // a pure ACK of our SYN-ACK asks for no answer
  ASSERT_EQ(Write("x"), 1u);
  EXPECT_THAT(Poll(), ElementsAre(AllOf(SeqIs(synack.seq + 1), PayloadIs("x"),
                                        NoTimestamp())));
}

// Bounded SYN-RECEIVED: the SYN-ACK is retransmitted max_synack_retries (5,
// Linux's tcp_synack_retries) times with backoff, then the half-open
// connection gives up after 1 + 2 + 4 + 8 + 16 + 32 = 63 s.
TEST_F(TcpTest, SynReceived_NoAck_SynAckRetriesBoundedThenClosed) {
  ToSynReceived();
  const Instant start = now();
  for (int i = 0; i < 5; ++i) {
    EXPECT_THAT(FireNext(),
                ElementsAre(AllOf(SeqIs(SeqNum(kLocalIss)),
                                  FlagsAre(TcpFlag::kSyn | TcpFlag::kAck))))
        << "retransmission " << i + 1;
  }
  EXPECT_TRUE(FireNext().empty());
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kTimedOut);
  EXPECT_EQ(now() - start, Duration::Seconds(63));
}

TEST_F(TcpTest, SynReceived_SynAckRetriesConfigurable_ApartFromSynRetries) {
  cfg.max_synack_retries = 1;
  cfg.max_syn_retries = 6;
  ToSynReceived();
  EXPECT_EQ(FireNext().size(), 1u);
  EXPECT_TRUE(FireNext().empty());
  EXPECT_EQ(conn->state(), TcpState::kClosed);
}

}  // namespace
}  // namespace skiff::testing
