// Trace probes (#14): TTL-scoped echo requests whose ICMP id and sequence field are themselves
// keyed, so a router's time-exceeded or unreachable message validates from the little of our
// probe it quotes. IPv4 routers must quote only the IP header and 8 bytes (RFC 792: our ICMP
// header), so — as stateless scanners derive their probe fields from the destination — the id
// and seq are keyed functions of the quoted destination address:
//
//   id  = base(key, address) + flow              one per target and flow: constant over the trace
//   seq = seq_base(key, address, flow) + slot    slot = (ttl - first_ttl) * probes_per_hop + probe
//
// A quote validates when its destination is one of our targets and (id, seq) decode to a flow
// and slot in range: a blind forgery passes with probability flows·slots / 2^32. When the payload
// is quoted too (Linux routers quote up to 576 bytes, IPv6 routers as much as fits in 1280), its
// 48-bit cookie (cookie.h, the sweep's) must match as well; a quote without it is counted as
// validated by the header alone.
//
// The checksum fix of icmp_packet.h keeps the checksum constant over a flow's probes, so the
// first eight ICMP bytes a router may hash (type, code, checksum, id) are the same for every TTL:
// all hops of one flow come from one ECMP path (Paris traceroute's rule).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "cookie.h"
#include "icmp_packet.h"

namespace pingsphere {

constexpr uint8_t kIcmp4Unreachable = 3;
constexpr uint8_t kIcmp4TimeExceeded = 11;
constexpr uint8_t kIcmp6Unreachable = 1;
constexpr uint8_t kIcmp6TimeExceeded = 3;
constexpr size_t kIpv6HeaderBytes = 40;
constexpr uint8_t kNextHeaderIcmp6 = 58;

inline uint64_t trace_hash(const SipKey& key, const uint8_t address[16], uint8_t purpose, uint32_t flow) {
  uint8_t message[16 + 1 + 4];
  std::memcpy(message, address, 16);
  message[16] = purpose;
  std::memcpy(message + 17, &flow, 4);
  return siphash24(key, message, sizeof message);
}

// The id of flow 0 toward `address`; flow f uses base + f (a trace holds at most 64 flows).
inline uint16_t trace_base_id(const SipKey& key, const uint8_t address[16]) {
  return static_cast<uint16_t>(trace_hash(key, address, 'i', 0));
}

inline uint16_t trace_seq_base(const SipKey& key, const uint8_t address[16], uint32_t flow) {
  return static_cast<uint16_t>(trace_hash(key, address, 's', flow));
}

// Where a probe sits in a trace: its flow and slot (TTL and probe number).
struct TraceSlot {
  uint32_t flow;
  uint32_t slot;
};

// Decodes a probe header (as quoted or echoed) toward `address`: false when id or seq are not ones
// this trace could have sent there.
inline bool decode_trace_header(const SipKey& key, const uint8_t address[16], uint16_t id, uint16_t seq,
                                uint32_t flows, uint32_t slots, TraceSlot& out) {
  const uint32_t flow = static_cast<uint16_t>(id - trace_base_id(key, address));
  if (flow >= flows) return false;
  const uint32_t slot = static_cast<uint16_t>(seq - trace_seq_base(key, address, flow));
  if (slot >= slots) return false;
  out = TraceSlot{flow, slot};
  return true;
}

// What an ICMP message received by a trace is, before any key is consulted.
struct TraceMessage {
  enum class Kind { Foreign, EchoReply, TimeExceeded, Unreachable } kind = Kind::Foreign;
  // The probe's destination: the echo reply's source, or the quoted packet's destination.
  uint8_t probe_address[16] = {};
  bool echo_source = false;  // probe_address came from the outer source (echo reply)
  uint16_t id = 0;
  uint16_t seq = 0;
  const uint8_t* payload = nullptr;  // echoed or quoted echo payload (may be shorter than ProbePayload)
  size_t payload_bytes = 0;
};

// Parses an ICMP(v6) message that starts at its ICMP header (raw IPv4 sockets: after the outer
// IP header). `source` is the outer source address (16 bytes; IPv4 in the first 4).
inline TraceMessage parse_trace_message(const uint8_t* icmp, size_t len, bool ipv6, const uint8_t source[16]) {
  TraceMessage out;
  if (len < kIcmpHeaderBytes) return out;
  const uint8_t type = icmp[0];
  const uint8_t echo_reply = ipv6 ? kIcmp6EchoReply : kIcmp4EchoReply;
  const uint8_t echo_request = ipv6 ? kIcmp6EchoRequest : kIcmp4EchoRequest;
  auto read16 = [](const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); };
  if (type == echo_reply) {
    if (icmp[1] != 0) return out;
    out.kind = TraceMessage::Kind::EchoReply;
    std::memcpy(out.probe_address, source, 16);
    out.echo_source = true;
    out.id = read16(icmp + 4);
    out.seq = read16(icmp + 6);
    out.payload = icmp + kIcmpHeaderBytes;
    out.payload_bytes = len - kIcmpHeaderBytes;
    return out;
  }
  const bool exceeded = type == (ipv6 ? kIcmp6TimeExceeded : kIcmp4TimeExceeded);
  const bool unreachable = type == (ipv6 ? kIcmp6Unreachable : kIcmp4Unreachable);
  if (!exceeded && !unreachable) return out;
  const uint8_t* inner = icmp + kIcmpHeaderBytes;
  const size_t inner_len = len - kIcmpHeaderBytes;
  size_t inner_header = 0;
  if (ipv6) {
    // Our probes carry no extension headers: the quoted packet's next header is ICMPv6.
    if (inner_len < kIpv6HeaderBytes + kIcmpHeaderBytes || (inner[0] >> 4) != 6 || inner[6] != kNextHeaderIcmp6) {
      return out;
    }
    std::memcpy(out.probe_address, inner + 24, 16);
    inner_header = kIpv6HeaderBytes;
  } else {
    if (inner_len < 20 || (inner[0] >> 4) != 4) return out;
    inner_header = size_t(inner[0] & 0x0f) * 4;
    if (inner_header < 20 || inner_len < inner_header + kIcmpHeaderBytes || inner[9] != 1) return out;
    std::memcpy(out.probe_address, inner + 16, 4);
  }
  const uint8_t* quoted = inner + inner_header;
  if (quoted[0] != echo_request || quoted[1] != 0) return out;
  out.kind = exceeded ? TraceMessage::Kind::TimeExceeded : TraceMessage::Kind::Unreachable;
  out.id = read16(quoted + 4);
  out.seq = read16(quoted + 6);
  out.payload = quoted + kIcmpHeaderBytes;
  out.payload_bytes = inner_len - inner_header - kIcmpHeaderBytes;
  return out;
}

}  // namespace pingsphere
