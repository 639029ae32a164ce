// The trace's keyed probe fields (native/src/trace_probe.h): a probe's quoted header decodes back
// to its flow and slot, headers it never sent do not, quoted IPv4/IPv6 packets parse at the
// minimum quote (IP header + 8 bytes) and with the payload, and the checksum of one flow stays
// constant over every TTL. Compiled and run by trace-probe.test.ts; prints "ok" or the failure.
#include "../src/trace_probe.h"

#include <cstdio>
#include <vector>

using namespace pingsphere;

static int failures = 0;
#define CHECK(cond)                                              \
  do {                                                           \
    if (!(cond)) {                                               \
      std::printf("%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                \
    }                                                            \
  } while (0)

int main() {
  const SipKey key{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  const SipKey other{1, 2};
  uint8_t target[16] = {198, 19, 0, 7};
  const uint32_t flows = 4, slots = 90;

  // Every probe's header decodes to where it was sent from; other keys almost never decode.
  int foreign_decoded = 0;
  for (uint32_t flow = 0; flow < flows; ++flow) {
    for (uint32_t slot = 0; slot < slots; ++slot) {
      const uint16_t id = uint16_t(trace_base_id(key, target) + flow);
      const uint16_t seq = uint16_t(trace_seq_base(key, target, flow) + slot);
      TraceSlot where{};
      CHECK(decode_trace_header(key, target, id, seq, flows, slots, where));
      CHECK(where.flow == flow && where.slot == slot);
      foreign_decoded += decode_trace_header(other, target, id, seq, flows, slots, where) ? 1 : 0;
    }
  }
  CHECK(foreign_decoded < 3);
  // A slot or flow beyond the trace's does not decode.
  TraceSlot where{};
  CHECK(!decode_trace_header(key, target, uint16_t(trace_base_id(key, target) + flows),
                             trace_seq_base(key, target, flows), flows, slots, where));
  CHECK(!decode_trace_header(key, target, trace_base_id(key, target), uint16_t(trace_seq_base(key, target, 0) + slots),
                             flows, slots, where));
  // Blind forgeries: random id/seq toward a real target pass about flows·slots/2^32 of the time.
  uint64_t state = 42;
  int passed = 0;
  for (int i = 0; i < 1000000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    passed += decode_trace_header(key, target, uint16_t(state >> 16), uint16_t(state >> 40), flows, slots, where);
  }
  CHECK(passed < 5);

  // Flow-stable: one checksum for all slots of a flow (IPv4 checksums computed here).
  for (uint32_t flow = 0; flow < 2; ++flow) {
    uint16_t first_sum = 0;
    for (uint32_t slot = 0; slot < slots; ++slot) {
      std::vector<uint8_t> packet(kIcmpHeaderBytes + 32, 0);
      for (size_t i = 0; i < packet.size(); ++i) packet[i] = uint8_t(i % packet.size());
      ProbePayload payload{};
      payload.target_index = 7;
      payload.seq = slot;
      payload.send_ns = 1700000000000000000LL + slot * 1234567;
      store_cookie(payload.cookie, probe_cookie(key, target, 1, 7, slot, payload.send_ns));
      const uint16_t id = uint16_t(trace_base_id(key, target) + flow);
      write_echo_request(packet.data(), 32, false, true, id, uint16_t(trace_seq_base(key, target, flow) + slot), payload);
      uint16_t sum;
      std::memcpy(&sum, packet.data() + 2, 2);
      if (slot == 0) first_sum = sum;
      CHECK(sum == first_sum);
      CHECK(internet_checksum(packet.data(), packet.size()) == 0);

      // The router's quote of this probe: outer ICMP time exceeded + inner IPv4 header + 8 bytes.
      std::vector<uint8_t> message(8 + 20 + 8, 0);
      message[0] = kIcmp4TimeExceeded;
      uint8_t* inner = message.data() + 8;
      inner[0] = 0x45;
      inner[9] = 1;
      std::memcpy(inner + 16, target, 4);
      std::memcpy(inner + 20, packet.data(), 8);
      const uint8_t router[16] = {198, 18, 101, 2};
      TraceMessage parsed = parse_trace_message(message.data(), message.size(), false, router);
      CHECK(parsed.kind == TraceMessage::Kind::TimeExceeded);
      CHECK(std::memcmp(parsed.probe_address, target, 16) == 0);
      CHECK(parsed.payload_bytes == 0);
      CHECK(decode_trace_header(key, target, parsed.id, parsed.seq, flows, slots, where) && where.slot == slot);
    }
  }

  // IPv6: time exceeded quoting the 40-byte header and the whole echo request.
  uint8_t target6[16] = {0xfd, 0, 0, 0x99};
  target6[15] = 1;
  std::vector<uint8_t> message(8 + 40 + 8 + 24, 0);
  message[0] = kIcmp6TimeExceeded;
  uint8_t* inner = message.data() + 8;
  inner[0] = 0x60;
  inner[6] = kNextHeaderIcmp6;
  std::memcpy(inner + 24, target6, 16);
  inner[40] = kIcmp6EchoRequest;
  const uint8_t router6[16] = {0xfd, 0, 0, 1};
  TraceMessage parsed = parse_trace_message(message.data(), message.size(), true, router6);
  CHECK(parsed.kind == TraceMessage::Kind::TimeExceeded);
  CHECK(parsed.payload_bytes == 24);
  CHECK(std::memcmp(parsed.probe_address, target6, 16) == 0);
  // Truncated below the quoted echo header, or quoting something other than an echo request: foreign.
  CHECK(parse_trace_message(message.data(), 8 + 40 + 4, true, router6).kind == TraceMessage::Kind::Foreign);
  inner[40] = kIcmp6EchoReply;
  CHECK(parse_trace_message(message.data(), message.size(), true, router6).kind == TraceMessage::Kind::Foreign);

  if (failures == 0) std::printf("ok\n");
  return failures == 0 ? 0 : 1;
}
