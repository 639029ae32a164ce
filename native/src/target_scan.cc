#include "target_scan.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace pingsphere {
namespace {

// The address of a line that holds only a strict dotted quad plus blanks or a comment, or -1.
int64_t plain_ipv4_line(const uint8_t* bytes, size_t start, size_t end) {
  uint32_t address = 0;
  uint32_t octet = 0;
  int digits = 0;
  int dots = 0;
  size_t i = start;
  for (; i < end; ++i) {
    const uint8_t c = bytes[i];
    if (c >= '0' && c <= '9') {
      if (digits == 1 && octet == 0) return -1;  // leading zero
      octet = octet * 10 + (c - '0');
      if (++digits > 3 || octet > 255) return -1;
    } else if (c == '.' && digits > 0 && dots < 3) {
      address = address * 256 + octet;
      octet = 0;
      digits = 0;
      ++dots;
    } else {
      break;
    }
  }
  if (dots != 3 || digits == 0) return -1;
  for (; i < end; ++i) {
    const uint8_t c = bytes[i];
    if (c == '#') break;  // the rest is a comment
    if (c != ' ' && c != '\t' && c != '\r') return -1;
  }
  return int64_t(address * 256 + octet);
}

}  // namespace

Napi::Value ScanPlainIpv4Lines(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, "scanPlainIpv4Lines takes a Uint8Array");
  }
  Napi::Uint8Array input = info[0].As<Napi::Uint8Array>();
  const uint8_t* bytes = input.Data();
  const size_t length = input.ElementLength();
  std::vector<uint32_t> addresses;
  addresses.reserve(length / 10 + 1);
  std::vector<uint32_t> others;
  size_t start = length >= 3 && bytes[0] == 0xef && bytes[1] == 0xbb && bytes[2] == 0xbf ? 3 : 0;
  uint32_t line = 0;
  while (start < length) {
    const void* newline = std::memchr(bytes + start, '\n', length - start);
    const size_t end = newline ? size_t(static_cast<const uint8_t*>(newline) - bytes) : length;
    ++line;
    const int64_t address = plain_ipv4_line(bytes, start, end);
    if (address >= 0) {
      addresses.push_back(uint32_t(address));
    } else {
      others.insert(others.end(), {line, uint32_t(start), uint32_t(end)});
    }
    start = end + 1;
  }
  auto to_array = [&](const std::vector<uint32_t>& values) {
    Napi::Uint32Array array = Napi::Uint32Array::New(env, values.size());
    if (!values.empty()) std::memcpy(array.Data(), values.data(), values.size() * sizeof(uint32_t));
    return array;
  };
  Napi::Object out = Napi::Object::New(env);
  out.Set("addresses", to_array(addresses));
  out.Set("others", to_array(others));
  out.Set("lines", Napi::Number::New(env, double(line)));
  return out;
}

}  // namespace pingsphere
