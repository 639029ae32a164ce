// SipHash-2-4 against the reference vectors (key 00..0f, message 00..len-1), the probe cookie's
// sensitivity to every field it binds, and the 48 bits of it that the payload carries. Compiled and run by
// cookie.test.ts; prints "ok" or the failure.
#include "../src/cookie.h"

#include <cstdio>

using pingsphere::probe_cookie;
using pingsphere::siphash24;
using pingsphere::SipKey;

int main() {
  uint8_t key_bytes[16];
  for (int i = 0; i < 16; ++i) key_bytes[i] = uint8_t(i);
  SipKey key;
  std::memcpy(&key, key_bytes, 16);
  uint8_t message[64];
  for (int i = 0; i < 64; ++i) message[i] = uint8_t(i);
  const struct {
    size_t len;
    uint64_t expected;
  } vectors[] = {{0, 0x726fdb47dd0e0e31ULL}, {1, 0x74f839c593dc67fdULL}, {15, 0xa129ca6149be45e5ULL}};
  for (const auto& v : vectors) {
    const uint64_t got = siphash24(key, message, v.len);
    if (got != v.expected) {
      std::printf("siphash24 len %zu: got %016llx, want %016llx\n", v.len, (unsigned long long)got,
                  (unsigned long long)v.expected);
      return 1;
    }
  }
  uint8_t address[16] = {127, 0, 0, 1};
  const uint64_t base = probe_cookie(key, address, 7, 42, 3, 1000);
  uint8_t other_address[16] = {127, 0, 0, 2};
  const uint64_t variants[] = {
      probe_cookie(key, other_address, 7, 42, 3, 1000), probe_cookie(key, address, 8, 42, 3, 1000),
      probe_cookie(key, address, 7, 43, 3, 1000),       probe_cookie(key, address, 7, 42, 4, 1000),
      probe_cookie(key, address, 7, 42, 3, 1001),       probe_cookie(SipKey{1, 2}, address, 7, 42, 3, 1000)};
  for (uint64_t variant : variants) {
    if (variant == base) {
      std::printf("a cookie field did not change the cookie\n");
      return 1;
    }
  }
  if (probe_cookie(key, address, 7, 42, 3, 1000) != base) {
    std::printf("the cookie is not deterministic\n");
    return 1;
  }
  // The payload keeps the low 48 bits: each of them counts, the top 16 do not travel.
  uint8_t stored[pingsphere::kCookieBytes];
  pingsphere::store_cookie(stored, base);
  if (!pingsphere::cookie_matches(stored, base) || !pingsphere::cookie_matches(stored, base ^ (0xffffULL << 48))) {
    std::printf("a stored cookie does not match its own low 48 bits\n");
    return 1;
  }
  for (int bit = 0; bit < 48; ++bit) {
    if (pingsphere::cookie_matches(stored, base ^ (1ULL << bit))) {
      std::printf("cookie bit %d is not checked\n", bit);
      return 1;
    }
  }
  std::printf("ok\n");
  return 0;
}
