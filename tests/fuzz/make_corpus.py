#!/usr/bin/env python3
"""Writes the seed corpora of the stack and tcp_parts fuzz targets from the
frames captured under tests/data/wire (classic pcap; both byte orders).

  tests/fuzz/make_corpus.py            (re-run after changing a capture)

stack: one file per capture, each frame as an operation (stack_fuzz.cc):
TCP segments as "raw TCP" (op 2: the harness fixes the checksum, so the
kernel's headers and options reach TCP input), everything else as a raw
frame (op 0). Plus a few structured segments on the live connection.
tcp_parts: the option bytes of every captured TCP header (mode 0) and a
few reassembly sequences (mode 1).
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WIRE = os.path.join(HERE, '..', 'data', 'wire')


def frames(path):
    data = open(path, 'rb').read()
    magic = data[:4]
    endian = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + 'IIII', data[off:off + 16])
        off += 16
        yield data[off:off + incl]
        off += incl


def tcp_segment(frame):
    """The TCP segment of an Ethernet/IPv4/TCP frame, or None."""
    if len(frame) < 34 or frame[12:14] != b'\x08\x00':
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0xf) * 4
    total = struct.unpack('>H', ip[2:4])[0]
    if ip[9] != 6 or len(ip) < total or total < ihl + 20:
        return None
    return ip[ihl:total]


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), 'wb') as f:
        f.write(data)


def main():
    stack_dir = os.path.join(HERE, 'corpus', 'stack')
    parts_dir = os.path.join(HERE, 'corpus', 'tcp_parts')
    for pcap in sorted(os.listdir(WIRE)):
        if not pcap.endswith('.pcap'):
            continue
        ops = bytearray()
        options = []
        for frame in frames(os.path.join(WIRE, pcap)):
            seg = tcp_segment(frame)
            if seg is not None:
                ops += bytes([2]) + struct.pack('>H', len(seg)) + seg
                hlen = (seg[12] >> 4) * 4
                if hlen > 20:
                    options.append(seg[20:hlen])
            else:
                ops += bytes([0]) + struct.pack('>H', len(frame)) + frame
        stem = pcap[:-len('.pcap')]
        write(stack_dir, 'pcap_' + stem, bytes(ops))
        for i, o in enumerate(dict.fromkeys(options)):
            write(parts_dir, 'opts_%s_%d' % (stem, i), b'\x00' + o)

    # Structured segments on flow 0 (the live connection): op 3, flow,
    # flags, mode, seq delta, ack delta, window(2), option mask, payload.
    def seg(flags, seq=0, ack=0, window=1024, opt=0x08, ts=0, payload=20):
        return bytes([3, 0, flags, 0, seq & 0xff, ack & 0xff]) + \
            struct.pack('>H', window) + bytes([opt, ts & 0xff, payload])
    ack, psh, fin, rst, syn = 0x10, 0x08, 0x01, 0x04, 0x02
    write(stack_dir, 'seed_data_fin', seg(ack | psh) + bytes([9, 3]) +
          seg(ack | fin, seq=20, payload=0) + bytes([9, 8]))
    write(stack_dir, 'seed_ooo_sack', seg(ack | psh, seq=40) +
          seg(ack | psh, seq=0) + bytes([11, 0, 0, 40]))
    write(stack_dir, 'seed_rst_syn', seg(rst, payload=0) +
          bytes([3, 0xc1, syn, 0, 0, 0, 0xff, 0xff, 0x0f, 0x05, 0xb4, 7,
                 0, 0]) + bytes([9, 5]))
    write(stack_dir, 'seed_close_zero_window',
          bytes([11, 0, 0, 60]) + seg(ack, window=0, payload=0) +
          bytes([11, 4, 0]) + bytes([9, 9]))
    write(stack_dir, 'seed_connect_icmp',
          bytes([11, 6, 1]) + bytes([7, 1, 3, 0, 0, 0]) +
          bytes([7, 0, 4, 2, 64, 1]) + bytes([9, 6]))

    # Reassembly: base, max_ranges, then (op, a, b) triples.
    write(parts_dir, 'reasm_holes', b'\x01\xff\xff\xff\xf0\x07' +
          bytes([0x00, 4, 10, 0x00, 1, 5, 0x40, 9, 3, 0x80, 0, 0,
                 0x85, 0, 0]))
    write(parts_dir, 'reasm_full', b'\x01\x00\x00\x00\x00\x01' +
          bytes([0x00, 2, 1, 0x00, 8, 1, 0x81, 0, 0]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
