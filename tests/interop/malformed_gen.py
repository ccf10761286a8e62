#!/usr/bin/python3
"""Malformed TCP/IPv4 frames at skiff (tests/interop/malformed_test.sh).

Run with Debian's /usr/bin/python3 (python3-scapy) inside the lab namespace:

    malformed_gen.py IFACE SKIFF_MAC SKIFF_IP PEER_IP PORT SECONDS MAX_FRAMES SEED

Builds a seeded set of bad frames (bad checksums, bad data offsets, random
flags and options, truncated headers, IP options, fragments, bogus lengths,
wrong versions, plain garbage), then sends them at layer 2 (so the kernel
fixes nothing up) until SECONDS pass or MAX_FRAMES are out. Prints the
number of frames sent per kind.
"""
import random
import sys
import time

from scapy.all import IP, TCP, Ether, Raw, conf, raw  # noqa: E402

conf.verb = 0


def main():
    iface, mac, dst, src, port, seconds, max_frames, seed = sys.argv[1:9]
    port, seconds, max_frames = int(port), float(seconds), int(max_frames)
    rng = random.Random(int(seed))
    eth = Ether(dst=mac, type=0x0800)
    subnet = dst.rsplit(".", 1)[0]

    def sport():
        return rng.randrange(1024, 65536)

    def dport():
        return port if rng.random() < 0.8 else rng.randrange(0, 65536)

    def seg(**kw):
        return TCP(sport=sport(), dport=dport(), seq=rng.getrandbits(32),
                   ack=rng.getrandbits(32), flags=rng.getrandbits(8),
                   window=rng.getrandbits(16), **kw)

    def garbage(n):
        return bytes(rng.getrandbits(8) for _ in range(n))

    def src_ip():
        # Mostly the peer; some spoofed on-link sources (ARP for them
        # never resolves: skiff must bound what it parks).
        return src if rng.random() < 0.8 else f"{subnet}.{rng.randrange(3, 255)}"

    def bad_tcp_checksum():
        return eth / IP(src=src_ip(), dst=dst) / seg(chksum=rng.getrandbits(16)) / garbage(rng.randrange(0, 64))

    def bad_offset():
        p = IP(src=src_ip(), dst=dst) / seg(dataofs=rng.randrange(0, 16)) / garbage(rng.randrange(0, 40))
        return eth / p

    def random_flags_options():
        opts = garbage(rng.randrange(1, 41))
        t = seg()
        b = bytearray(raw(t))
        # Raw option bytes: lengths 0, 1, overflowing, unknown kinds.
        ofs = (20 + len(opts) + 3) // 4
        hdr = bytes(b[:12]) + bytes([ofs << 4, b[13]]) + bytes(b[14:20])
        body = opts + b"\x00" * (ofs * 4 - 20 - len(opts))
        return eth / IP(src=src_ip(), dst=dst, proto=6) / Raw(hdr + body + garbage(rng.randrange(0, 100)))

    def valid_random_flags():
        # Checksums right: these reach the TCP state machine.
        return eth / IP(src=src_ip(), dst=dst) / seg() / garbage(rng.choice([0, 0, 1, 100, 1400]))

    def truncated():
        full = raw(IP(src=src_ip(), dst=dst) / seg())
        return eth / Raw(full[: rng.randrange(0, len(full))])

    def ip_options():
        return eth / IP(src=src_ip(), dst=dst, options=[garbage(rng.randrange(1, 40))]) / seg() / garbage(rng.randrange(0, 64))

    def fragment():
        return eth / IP(src=src_ip(), dst=dst, flags=rng.choice([1, 0]), frag=rng.randrange(0, 8192), id=rng.getrandbits(16)) / seg() / garbage(rng.randrange(0, 200))

    def bogus_lengths():
        p = IP(src=src_ip(), dst=dst, len=rng.choice([0, 1, 19, 20, 39, 65535, rng.getrandbits(16)])) / seg() / garbage(rng.randrange(0, 64))
        return eth / p

    def bad_ip_header():
        b = bytearray(raw(IP(src=src_ip(), dst=dst) / seg()))
        b[0] = rng.getrandbits(8)  # version and IHL
        if rng.random() < 0.5:
            b[10:12] = garbage(2)  # checksum
        return eth / Raw(bytes(b))

    def ip_garbage():
        return eth / Raw(garbage(rng.randrange(0, 1500)))

    kinds = [bad_tcp_checksum, bad_offset, random_flags_options, valid_random_flags,
             truncated, ip_options, fragment, bogus_lengths, bad_ip_header, ip_garbage]
    frames = []
    counts = {k.__name__: 0 for k in kinds}
    for i in range(4000):
        k = kinds[i % len(kinds)]
        frames.append((k.__name__, raw(k())))
    sock = conf.L2socket(iface=iface)
    sent = 0
    end = time.monotonic() + seconds
    while sent < max_frames and time.monotonic() < end:
        for name, f in frames[:500]:
            sock.send(f)
            counts[name] += 1
            sent += 1
        rng.shuffle(frames)
        time.sleep(0.01)  # bounded rate: leave the shared CPU to skiff
    sock.close()
    print(f"sent {sent} frames in {seconds - max(0.0, end - time.monotonic()):.1f} s: "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
