// Echo request/reply layout. The ICMP header's id names the probe's flow and its 16-bit sequence
// field the probe number (as ping's icmp_seq, mod 2^16); the payload carries the real target index
// and probe number, so a sweep can hold millions of targets (fping stops at 65,535).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace pingsphere {

constexpr uint8_t kIcmp4EchoRequest = 8;
constexpr uint8_t kIcmp4EchoReply = 0;
constexpr uint8_t kIcmp6EchoRequest = 128;
constexpr uint8_t kIcmp6EchoReply = 129;
constexpr size_t kIcmpHeaderBytes = 8;

// Leads the echo payload; the rest of the payload is padding up to the requested size.
// `checksum_fix` cancels everything that changes from probe to probe (the header's sequence field,
// the probe number, send time and cookie here), so every probe of one target on one flow has the
// same id and checksum (Paris traceroute's way): a router that hashes ICMP on its first header
// words keeps them on one ECMP path, and a quoted header (#14's time-exceeded) still tells the
// probes apart by their sequence field.
struct ProbePayload {
  uint32_t target_index;
  uint32_t seq;
  int64_t send_ns;        // CLOCK_REALTIME before sendmmsg: validates the cookie, times the timeout
  uint8_t cookie[6];      // 48 bits of SipHash (cookie.h)
  uint16_t checksum_fix;  // one's-complement of the sum of the header's seq, seq, send_ns and cookie
};
static_assert(sizeof(ProbePayload) == 24, "payload layout is part of the wire format");

constexpr size_t kMinPayloadBytes = sizeof(ProbePayload);
constexpr size_t kMaxPayloadBytes = 65000;

// One's-complement sum (RFC 1071) of 16-bit words as they lie in memory, not yet inverted. Summing
// in host order gives the checksum in host order too (RFC 1071's byte-order independence).
inline uint32_t ones_sum(const uint8_t* data, size_t len, uint64_t sum = 0) {
  size_t i = 0;
  for (; i + 1 < len; i += 2) {
    uint16_t word;
    std::memcpy(&word, data + i, 2);
    sum += word;
  }
  if (i < len) sum += data[i];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint32_t>(sum);
}

// For raw IPv4 sockets (ping sockets and ICMPv6 get theirs from the kernel).
inline uint16_t internet_checksum(const uint8_t* data, size_t len) {
  return static_cast<uint16_t>(~ones_sum(data, len));
}

// The words that differ between probes of one target (the header's sequence field, the payload's
// seq, send time and cookie) plus checksum_fix always sum to 0xffff, the one's-complement zero:
// the checksum is what it would be for a probe holding only its id, target index and padding.
inline void set_checksum_fix(ProbePayload& payload, uint16_t wire_seq_be) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(&payload);
  const size_t varying_begin = offsetof(ProbePayload, seq);
  const size_t varying_end = offsetof(ProbePayload, checksum_fix);
  const uint32_t varying = ones_sum(bytes + varying_begin, varying_end - varying_begin, wire_seq_be);
  payload.checksum_fix = static_cast<uint16_t>(~varying);
}

// Writes header + payload into `packet` (kIcmpHeaderBytes + payload_bytes long; padding pre-filled).
// `icmp_id` is the flow's; ping sockets overwrite it with their own, which is the flow's too (the
// socket was opened for it).
inline void write_echo_request(uint8_t* packet, size_t payload_bytes, bool ipv6, bool fill_checksum, uint16_t icmp_id,
                               uint16_t wire_seq, ProbePayload payload) {
  const uint16_t seq_be = __builtin_bswap16(wire_seq);
  set_checksum_fix(payload, seq_be);
  packet[0] = ipv6 ? kIcmp6EchoRequest : kIcmp4EchoRequest;
  packet[1] = 0;
  packet[2] = packet[3] = 0;
  const uint16_t id_be = __builtin_bswap16(icmp_id);
  std::memcpy(packet + 4, &id_be, 2);
  std::memcpy(packet + 6, &seq_be, 2);
  std::memcpy(packet + kIcmpHeaderBytes, &payload, sizeof payload);
  if (fill_checksum) {
    const uint16_t sum = internet_checksum(packet, kIcmpHeaderBytes + payload_bytes);
    std::memcpy(packet + 2, &sum, 2);
  }
}

}  // namespace pingsphere
