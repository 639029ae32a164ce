// The targets file's hot path in native code: plain dotted-quad lines read straight from the file's
// bytes (collector/src/icmp/target-file.ts holds the JavaScript reader, the reference and the
// fallback, with the same rules). Cold JavaScript spends ~20 ms on a 60,000-line file before it is
// compiled; this takes well under one.
#pragma once

#include <napi.h>

namespace pingsphere {

// scanPlainIpv4Lines(bytes) → { addresses: Uint32Array, others: Uint32Array, lines }: the address
// of every line that is only a strict dotted quad (1-3 digits, no leading zero, each ≤ 255),
// optionally followed by blanks (space, tab, CR) and a # comment, in file order; `others` holds
// (line number, start, end) for every other line, for the full parser. A UTF-8 BOM is skipped;
// the last line needs no newline.
Napi::Value ScanPlainIpv4Lines(const Napi::CallbackInfo& info);

}  // namespace pingsphere
