// ILP text for the QuestDB sink, written straight from a sweep's result columns (see
// collector/src/sinks/questdb/ilp-encoder.ts, whose JavaScript encoder writes the same bytes and
// is the reference and the fallback). Lives beside the engine because it needs no socket: the
// sink calls it through the same addon so a million-row sweep costs tens of milliseconds of CPU.
#pragma once

#include <napi.h>

namespace pingsphere {

// encodeIcmpIlp(out, at, prefix, ipv4, ipv4Size, targetIndex, seq, rttNs, sendTimeUs, flow|null,
// from, to) → [end, nextRow]: writes rows from..to-1 into out starting at byte `at` and stops
// early at a row it leaves to JavaScript (an IPv6 target, a non-integer RTT) or when out is full.
Napi::Value EncodeIcmpIlp(const Napi::CallbackInfo& info);

}  // namespace pingsphere
