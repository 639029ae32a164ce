// Echo request/reply layout. The ICMP header's own 16-bit sequence field is not what limits a
// sweep: the payload carries the real target index and probe number, so a sweep can hold millions
// of targets (fping stops at 65,535).
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
struct ProbePayload {
  uint32_t target_index;
  uint32_t seq;
  int64_t send_ns;  // CLOCK_REALTIME, the clock kernel receive timestamps use
  uint64_t cookie;
};
static_assert(sizeof(ProbePayload) == 24, "payload layout is part of the wire format");

constexpr size_t kMinPayloadBytes = sizeof(ProbePayload);
constexpr size_t kMaxPayloadBytes = 65000;

// RFC 1071 one's-complement sum, for raw IPv4 sockets (ping sockets and ICMPv6 get theirs from the kernel).
inline uint16_t internet_checksum(const uint8_t* data, size_t len) {
  uint64_t sum = 0;
  size_t i = 0;
  for (; i + 1 < len; i += 2) {
    uint16_t word;
    std::memcpy(&word, data + i, 2);
    sum += word;
  }
  if (i < len) sum += data[i];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// Writes header + payload into `packet` (kIcmpHeaderBytes + payload_bytes long; padding pre-filled).
inline void write_echo_request(uint8_t* packet, size_t payload_bytes, bool ipv6, bool fill_checksum, uint16_t icmp_id,
                               uint16_t wire_seq, const ProbePayload& payload) {
  packet[0] = ipv6 ? kIcmp6EchoRequest : kIcmp4EchoRequest;
  packet[1] = 0;
  packet[2] = packet[3] = 0;
  const uint16_t id_be = __builtin_bswap16(icmp_id);
  const uint16_t seq_be = __builtin_bswap16(wire_seq);
  std::memcpy(packet + 4, &id_be, 2);
  std::memcpy(packet + 6, &seq_be, 2);
  std::memcpy(packet + kIcmpHeaderBytes, &payload, sizeof payload);
  if (fill_checksum) {
    const uint16_t sum = internet_checksum(packet, kIcmpHeaderBytes + payload_bytes);
    std::memcpy(packet + 2, &sum, 2);
  }
}

}  // namespace pingsphere
