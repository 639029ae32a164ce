// The probe cookie: SipHash-2-4 of what identifies a probe, keyed with a per-process secret.
// As in zmap, the receiver validates a reply from the packet alone (no per-probe state): only the
// holder of the key can produce a cookie that verifies, so spoofed, corrupted or foreign replies
// are rejected and counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace pingsphere {

struct SipKey {
  uint64_t k0;
  uint64_t k1;
};

inline uint64_t rotl64(uint64_t x, int bits) { return (x << bits) | (x >> (64 - bits)); }

// SipHash-2-4 (Aumasson & Bernstein, reference test vectors in native/test/cookie_test.cc).
// Hand-written: 30 lines, no dependency worth adding for it. Assumes a little-endian host.
inline uint64_t siphash24(const SipKey& key, const uint8_t* in, size_t len) {
  uint64_t v0 = 0x736f6d6570736575ULL ^ key.k0;
  uint64_t v1 = 0x646f72616e646f6dULL ^ key.k1;
  uint64_t v2 = 0x6c7967656e657261ULL ^ key.k0;
  uint64_t v3 = 0x7465646279746573ULL ^ key.k1;
  auto sip_round = [&] {
    v0 += v1;
    v1 = rotl64(v1, 13);
    v1 ^= v0;
    v0 = rotl64(v0, 32);
    v2 += v3;
    v3 = rotl64(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl64(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl64(v1, 17);
    v1 ^= v2;
    v2 = rotl64(v2, 32);
  };
  const size_t whole = len & ~size_t{7};
  for (size_t i = 0; i < whole; i += 8) {
    uint64_t m;
    std::memcpy(&m, in + i, 8);
    v3 ^= m;
    sip_round();
    sip_round();
    v0 ^= m;
  }
  uint64_t last = uint64_t(len) << 56;
  for (size_t i = 0; i < (len & 7); ++i) last |= uint64_t(in[whole + i]) << (8 * i);
  v3 ^= last;
  sip_round();
  sip_round();
  v0 ^= last;
  v2 ^= 0xff;
  sip_round();
  sip_round();
  sip_round();
  sip_round();
  return v0 ^ v1 ^ v2 ^ v3;
}

// What a cookie binds together: the target's address (so a reply from anyone else fails), the
// ICMP id of the probe's flow, the probe's place in the sweep and its send time (so the time in the
// payload, which decides the timeout and is the fallback RTT, cannot be forged).
inline uint64_t probe_cookie(const SipKey& key, const uint8_t address[16], uint16_t icmp_id, uint32_t target_index,
                             uint32_t seq, int64_t send_ns) {
  uint8_t message[16 + 2 + 4 + 4 + 8];
  std::memcpy(message, address, 16);
  std::memcpy(message + 16, &icmp_id, 2);
  std::memcpy(message + 18, &target_index, 4);
  std::memcpy(message + 22, &seq, 4);
  std::memcpy(message + 26, &send_ns, 8);
  return siphash24(key, message, sizeof message);
}

// The payload keeps 48 bits of the cookie (two bytes go to the checksum fix, so the payload still
// fits in fping's 24-byte minimum): a blind forgery passes once in 2^48 tries.
constexpr size_t kCookieBytes = 6;

inline void store_cookie(uint8_t out[kCookieBytes], uint64_t cookie) { std::memcpy(out, &cookie, kCookieBytes); }

inline bool cookie_matches(const uint8_t stored[kCookieBytes], uint64_t cookie) {
  return std::memcmp(stored, &cookie, kCookieBytes) == 0;  // the low 48 bits (little-endian host)
}

}  // namespace pingsphere
