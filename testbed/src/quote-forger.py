#!/usr/bin/env python3
"""An on-path forger for trace tests: run inside a router namespace, it watches the echo requests
crossing INTERFACE (AF_PACKET) and answers some of them itself with ICMP messages that a tracer
must reject, sent straight to the prober with spoofed sources (raw IP sockets):

  quote-payload  time exceeded from FAKE_SOURCE quoting the probe's real IP and ICMP headers but a
                 corrupted payload (the cookie no longer matches)
  quote-header   time exceeded from FAKE_SOURCE quoting only the IP header and 8 bytes, with the
                 sequence field moved by 1000 (a probe the trace never sent)
  echo-payload   echo reply "from the target" with the probe's id and seq but a corrupted payload

Usage: quote-forger.py INTERFACE FAKE_SOURCE4 FAKE_SOURCE6 MAX_PROBES SECONDS
Bounded: forges for at most MAX_PROBES probes (3 messages each) and exits after SECONDS. Prints
"ready" once listening and, at the end, one JSON line of what it sent.
"""
import json
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def with_checksum(icmp: bytes, pseudo: bytes = b"") -> bytes:
    icmp = icmp[:2] + b"\0\0" + icmp[4:]
    return icmp[:2] + struct.pack("!H", checksum(pseudo + icmp)) + icmp[4:]


def corrupt(payload: bytes) -> bytes:
    # Flip the cookie bytes (offset 16-21 of the probe payload) and the send time.
    data = bytearray(payload)
    for i in range(8, min(22, len(data))):
        data[i] ^= 0x5A
    return bytes(data)


def ipv4_packet(src: str, dst: str, body: bytes) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0, 0, 64, 1, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + body


def ipv6_packet(src: str, dst: str, icmp: bytes) -> bytes:
    s, d = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
    pseudo = s + d + struct.pack("!I3xB", len(icmp), 58)
    icmp = with_checksum(icmp, pseudo)
    return struct.pack("!IHBB", 0x60000000, len(icmp), 58, 64) + s + d + icmp


def main() -> None:
    interface, fake4, fake6 = sys.argv[1], sys.argv[2], sys.argv[3]
    max_probes, seconds = int(sys.argv[4]), float(sys.argv[5])
    sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sniffer.bind((interface, 0))
    raw4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sent = {"probes": 0, "quote-payload": 0, "quote-header": 0, "echo-payload": 0}
    print("ready", flush=True)
    deadline = time.monotonic() + seconds
    while sent["probes"] < max_probes and time.monotonic() < deadline:
        ready, _, _ = select.select([sniffer], [], [], 0.1)
        if not ready:
            continue
        frame, address = sniffer.recvfrom(65535)
        if address[2] == socket.PACKET_OUTGOING or len(frame) < 14:
            continue
        ethertype = struct.unpack("!H", frame[12:14])[0]
        packet = frame[14:]
        if ethertype == 0x0800 and len(packet) >= 28 and packet[9] == 1:
            ihl = (packet[0] & 0x0F) * 4
            icmp = packet[ihl:]
            if icmp[0] != 8:
                continue
            src, dst = socket.inet_ntoa(packet[12:16]), socket.inet_ntoa(packet[16:20])
            header, payload = packet[:ihl], icmp[8:]
            quoted = header + icmp[:8] + corrupt(payload)
            raw4.sendto(ipv4_packet(fake4, src, with_checksum(b"\x0b\x00\0\0\0\0\0\0" + quoted)), (src, 0))
            seq = (struct.unpack("!H", icmp[6:8])[0] + 1000) & 0xFFFF
            moved = icmp[:6] + struct.pack("!H", seq)
            raw4.sendto(ipv4_packet(fake4, src, with_checksum(b"\x0b\x00\0\0\0\0\0\0" + header + moved)), (src, 0))
            reply = b"\x00\x00" + icmp[2:8] + corrupt(payload)
            raw4.sendto(ipv4_packet(dst, src, with_checksum(reply)), (src, 0))
        elif ethertype == 0x86DD and len(packet) >= 48 and packet[6] == 58 and packet[40] == 128:
            src = socket.inet_ntop(socket.AF_INET6, packet[8:24])
            dst = socket.inet_ntop(socket.AF_INET6, packet[24:40])
            header, icmp = packet[:40], packet[40:]
            payload = icmp[8:]
            quoted = header + icmp[:8] + corrupt(payload)
            raw6.sendto(ipv6_packet(fake6, src, b"\x03\x00\0\0\0\0\0\0" + quoted), (src, 0))
            seq = (struct.unpack("!H", icmp[6:8])[0] + 1000) & 0xFFFF
            moved = icmp[:6] + struct.pack("!H", seq)
            raw6.sendto(ipv6_packet(fake6, src, b"\x03\x00\0\0\0\0\0\0" + header + moved), (src, 0))
            reply = b"\x81\x00" + icmp[2:8] + corrupt(payload)
            raw6.sendto(ipv6_packet(dst, src, reply), (src, 0))
        else:
            continue
        sent["probes"] += 1
        for kind in ("quote-payload", "quote-header", "echo-payload"):
            sent[kind] += 1
    print(json.dumps(sent), flush=True)


if __name__ == "__main__":
    main()
