#include "ilp_encoder.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace pingsphere {
namespace {

// Longest row after the prefix with an IPv4 target: dst (15) + quote, seq (6 + 10 + i), rtt
// (9 + 16 + 7), flow (6 + 5 + i), space, timestamp (16 + 3) and newline.
constexpr size_t kMaxRowTail = 16 + 17 + 32 + 12 + 1 + 19 + 1 + 16;

struct Digits {
  char pairs[200];
  // "0" … "255" padded to four bytes (stored whole, then the pointer moves by `octet_length`).
  char octets[256][4];
  uint8_t octet_length[256];
  Digits() {
    for (int i = 0; i < 100; ++i) {
      pairs[2 * i] = char('0' + i / 10);
      pairs[2 * i + 1] = char('0' + i % 10);
    }
    for (int i = 0; i < 256; ++i) {
      const int n = i < 10 ? 1 : i < 100 ? 2 : 3;
      octet_length[i] = uint8_t(n);
      std::memset(octets[i], 0, 4);
      for (int k = n - 1, v = i; k >= 0; --k, v /= 10) octets[i][k] = char('0' + v % 10);
    }
  }
};
const Digits digits;

inline void write_pair(char* p, unsigned two_digits) { std::memcpy(p, digits.pairs + 2 * two_digits, 2); }

// Exactly eight digits of 0 ≤ v < 10^8, zero-padded (32-bit arithmetic only).
inline void write_padded8(char* p, uint32_t v) {
  const uint32_t high = v / 10000, low = v % 10000;
  write_pair(p, high / 100);
  write_pair(p + 2, high % 100);
  write_pair(p + 4, low / 100);
  write_pair(p + 6, low % 100);
}

inline char* write_uint(char* p, uint64_t v) {
  char scratch[20];
  char* end = scratch + sizeof scratch;
  char* q = end;
  while (v >= 100) {
    const unsigned two = unsigned(v % 100) * 2;
    v /= 100;
    *--q = digits.pairs[two + 1];
    *--q = digits.pairs[two];
  }
  if (v >= 10) {
    *--q = digits.pairs[v * 2 + 1];
    *--q = digits.pairs[v * 2];
  } else {
    *--q = char('0' + v);
  }
  const size_t n = size_t(end - q);
  std::memcpy(p, q, n);
  return p + n;
}

// Small numbers (probe numbers, flows) without the general loop.
inline char* write_small_uint(char* p, uint64_t v) {
  if (v < 10) {
    *p = char('0' + v);
    return p + 1;
  }
  if (v < 100) {
    write_pair(p, unsigned(v));
    return p + 2;
  }
  return write_uint(p, v);
}

// Milliseconds with up to six decimals from whole nanoseconds, trailing zeros dropped (one kept).
inline char* write_rtt_ms(char* p, uint64_t rtt_ns) {
  char* dot = write_small_uint(p, rtt_ns / 1000000);
  *dot = '.';
  const uint32_t fraction = uint32_t(rtt_ns % 1000000);
  write_pair(dot + 1, fraction / 10000);
  write_pair(dot + 3, fraction / 100 % 100);
  write_pair(dot + 5, fraction % 100);
  char* end = dot + 7;
  while (end - 1 > dot + 1 && end[-1] == '0') --end;
  return end;
}

inline char* write_octet(char* p, unsigned octet, char then) {
  std::memcpy(p, digits.octets[octet], 4);
  p += digits.octet_length[octet];
  *p = then;
  return p + 1;
}

// A send time in µs since the epoch, written as the ILP nanosecond timestamp (…µs + "000").
// Times of a sweep share their leading eight digits for 100 s at a time: those are kept from the
// previous row instead of being computed again.
class TimestampWriter {
 public:
  char* write(char* p, uint64_t us) {
    // 16 digits: 2001-09-09 to 2286-11-20. Anything else takes the general path.
    if (us < 1000000000000000ULL || us >= 10000000000000000ULL) return write_uint(p, us);
    const uint32_t high = uint32_t(us / 100000000), low = uint32_t(us % 100000000);
    if (high != high_) {
      high_ = high;
      write_padded8(high_text_, high);
    }
    std::memcpy(p, high_text_, 8);
    write_padded8(p + 8, low);
    return p + 16;
  }

 private:
  uint32_t high_ = 0;
  char high_text_[8] = {'0', '0', '0', '0', '0', '0', '0', '0'};
};

template <typename T>
T typed(const Napi::Value& value, napi_typedarray_type type, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    throw Napi::TypeError::New(value.Env(), std::string("encodeIcmpIlp: ") + name + " has the wrong type");
  }
  return value.As<T>();
}

}  // namespace

Napi::Value EncodeIcmpIlp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 12) throw Napi::TypeError::New(env, "encodeIcmpIlp takes 12 arguments");
  Napi::Uint8Array out = typed<Napi::Uint8Array>(info[0], napi_uint8_array, "out");
  size_t at = size_t(info[1].As<Napi::Number>().Int64Value());
  Napi::Uint8Array prefix = typed<Napi::Uint8Array>(info[2], napi_uint8_array, "prefix");
  Napi::Uint32Array ipv4 = typed<Napi::Uint32Array>(info[3], napi_uint32_array, "ipv4");
  const uint32_t ipv4_size = info[4].As<Napi::Number>().Uint32Value();
  Napi::Uint32Array target_index = typed<Napi::Uint32Array>(info[5], napi_uint32_array, "targetIndex");
  Napi::Uint32Array seq = typed<Napi::Uint32Array>(info[6], napi_uint32_array, "seq");
  Napi::Float64Array rtt_ns = typed<Napi::Float64Array>(info[7], napi_float64_array, "rttNs");
  Napi::Float64Array send_time_us = typed<Napi::Float64Array>(info[8], napi_float64_array, "sendTimeUs");
  const bool has_flow = !info[9].IsNull() && !info[9].IsUndefined();
  Napi::Uint16Array flow = has_flow ? typed<Napi::Uint16Array>(info[9], napi_uint16_array, "flow") : Napi::Uint16Array();
  size_t row = size_t(info[10].As<Napi::Number>().Int64Value());
  size_t to = size_t(info[11].As<Napi::Number>().Int64Value());

  const size_t columns = target_index.ElementLength();
  if (to > columns || seq.ElementLength() < to || rtt_ns.ElementLength() < to || send_time_us.ElementLength() < to ||
      (has_flow && flow.ElementLength() < to) || ipv4_size > ipv4.ElementLength() || at > out.ByteLength() ||
      row > to) {
    throw Napi::RangeError::New(env, "encodeIcmpIlp: rows or offsets beyond the columns");
  }
  char* const base = reinterpret_cast<char*>(out.Data());
  const size_t capacity = out.ByteLength();
  const char* const pre = reinterpret_cast<const char*>(prefix.Data());
  const size_t pre_length = prefix.ByteLength();
  char* p = base + at;
  TimestampWriter timestamps;
  for (; row < to; ++row) {
    const uint32_t target = target_index[row];
    const double rtt = rtt_ns[row];
    const bool replied = rtt >= 0;
    // Rows the JavaScript encoder writes: IPv6 text forms, RTTs that are not whole nanoseconds.
    if (target >= ipv4_size || (replied && (rtt != std::floor(rtt) || rtt >= 9007199254740992.0))) break;
    if (size_t(p - base) + pre_length + kMaxRowTail > capacity) break;
    std::memcpy(p, pre, pre_length);
    p += pre_length;
    const uint32_t a = ipv4[target];
    p = write_octet(p, a >> 24, '.');
    p = write_octet(p, (a >> 16) & 255, '.');
    p = write_octet(p, (a >> 8) & 255, '.');
    p = write_octet(p, a & 255, '"');
    std::memcpy(p, ",seq=", 5);
    p = write_small_uint(p + 5, seq[row]);
    *p++ = 'i';
    if (replied) {
      std::memcpy(p, ",rtt_ms=", 8);
      p = write_rtt_ms(p + 8, uint64_t(rtt));
    }
    const unsigned f = has_flow ? flow[row] : 0;
    if (f != 0) {
      std::memcpy(p, ",flow=", 6);
      p = write_small_uint(p + 6, f);
      *p++ = 'i';
    }
    *p++ = ' ';
    p = timestamps.write(p, uint64_t(std::trunc(send_time_us[row])));
    std::memcpy(p, "000\n", 4);
    p += 4;
  }
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(uint32_t(0), Napi::Number::New(env, double(p - base)));
  result.Set(uint32_t(1), Napi::Number::New(env, double(row)));
  return result;
}

}  // namespace pingsphere
