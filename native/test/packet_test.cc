// The echo request's flow-stable checksum (native/src/icmp_packet.h): whatever the probe number
// (in the header and the payload), send time and cookie, a target's probes on one flow carry one
// checksum, and every packet's
// checksum verifies by RFC 1071 computed here byte by byte (big-endian, independently of the
// header's host-order arithmetic). Compiled and run by packet.test.ts; prints "ok" or the failure.
#include <cstdio>
#include <random>
#include <vector>

#include "../src/icmp_packet.h"

using pingsphere::kIcmpHeaderBytes;
using pingsphere::ProbePayload;
using pingsphere::write_echo_request;

namespace {

// RFC 1071 over big-endian words: 0xffff when the checksum in the data is right.
unsigned verify_sum(const uint8_t* data, size_t len) {
  unsigned long sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += unsigned(data[i] << 8 | data[i + 1]);
  if (len & 1) sum += unsigned(data[len - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return unsigned(sum);
}

unsigned checksum_of(const std::vector<uint8_t>& packet) { return unsigned(packet[2] << 8 | packet[3]); }

}  // namespace

int main() {
  std::mt19937_64 random(12345);
  for (size_t payload_bytes : {size_t{24}, size_t{56}, size_t{57}, size_t{1400}}) {
    for (uint16_t id : {uint16_t{0}, uint16_t{0x1234}, uint16_t{0xffff}}) {
      std::vector<uint8_t> packet(kIcmpHeaderBytes + payload_bytes);
      for (size_t i = 0; i < packet.size(); ++i) packet[i] = uint8_t(i);
      unsigned first = 0;
      for (int probe = 0; probe < 2000; ++probe) {
        ProbePayload payload{};
        payload.target_index = 4242;
        payload.seq = uint32_t(random());
        payload.send_ns = int64_t(random() >> 1);
        const uint64_t cookie = random();
        std::memcpy(payload.cookie, &cookie, sizeof payload.cookie);
        // Now and then the extremes: all-zero and all-one varying words.
        if (probe == 1) payload.seq = 0, payload.send_ns = 0, std::memset(payload.cookie, 0, 6);
        if (probe == 2) payload.seq = ~0u, payload.send_ns = -1, std::memset(payload.cookie, 0xff, 6);
        // The header's sequence field changes with every probe too (it is the probe number).
        write_echo_request(packet.data(), payload_bytes, false, true, id, uint16_t(random()), payload);
        if (verify_sum(packet.data(), packet.size()) != 0xffff) {
          std::printf("payload %zu id %u probe %d: the checksum does not verify\n", payload_bytes, id, probe);
          return 1;
        }
        if (probe == 0) first = checksum_of(packet);
        if (checksum_of(packet) != first) {
          std::printf("payload %zu id %u probe %d: checksum %04x, the target's first probe had %04x\n", payload_bytes,
                      id, probe, checksum_of(packet), first);
          return 1;
        }
      }
      // Another flow (the next id) of the same target: another header, so another checksum. (0 and
      // 0xffff are the same one's-complement number; the engine's flow ids never hold both.)
      ProbePayload payload{};
      payload.target_index = 4242;
      const uint16_t next_id = id == 0xffff ? 0xfffe : uint16_t(id + 1);
      write_echo_request(packet.data(), payload_bytes, false, true, next_id, 3, payload);
      if (checksum_of(packet) == first) {
        std::printf("payload %zu: flows %u and %u share a checksum\n", payload_bytes, id, next_id);
        return 1;
      }
    }
  }
  std::printf("ok\n");
  return 0;
}
