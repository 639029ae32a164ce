// V8 settings for the long-running collector, applied when `pingsphere collect` starts, before its
// modules load (they are read by V8 when used, so setting them at run time takes effect;
// `pingsphere icmp`, a short burst of work, keeps V8's defaults). Measured with `npm run bench:http`
// (bench/RESULTS.md):
//
// --optimize-for-size: V8's own "favour memory over speed" mode. Without it the old generation
//   may grow to up to 4× its live size between full collections and the young generation to 16 MB,
//   sized for throughput. A collector pinging thousands of peers allocates ~15 MB/s of short-lived
//   request objects: at 5,000 peers the heap sat at ~180 MB committed for ~50 MB live, and an idle
//   collector kept a 16 MB young generation grown while its modules loaded. With the flag: ~70-90
//   MB committed at 5,000 peers, ~19 MB idle (RSS −60 to −100 MB and −15 to −20 MB). Its price is
//   somewhat slower JIT code (~10 % more CPU per request in a micro benchmark). Tried and left out:
//   --heap-growing-percent=50 with --semi-space-growth-factor=1 (less effective, two knobs).
// --liftoff-only: undici parses HTTP with llhttp compiled to WebAssembly. V8 compiles it first with
//   its baseline compiler (Liftoff), then again with TurboFan in the background: ~35 MB at the
//   peak and ~10 MB kept, to parse a few hundred bytes per ping faster. Baseline code only. HTTP
//   pings and discovery no longer use undici (node:http parses with C llhttp), but the QuestDB
//   sink's client and --targets-from pulls still do, so the flag stays for them.
// --max-opt=1 during start-up only (Ignition and Sparkplug, no TurboFan): loading the modules runs
//   a few functions (path normalisation, the CommonJS export lexer) often enough for TurboFan,
//   whose compiler code pages (~3.5 MiB of the node binary) and compile zones (~2.5 MiB) then stay
//   in the RSS of a collector that, idle, never runs hot code again: 58 → 53 MiB with one peer.
//   endOfStartUp() lifts it once the collector runs, so the code a large mesh keeps hot is optimized
//   as before (CPU per request unchanged in bench:http).
import { setFlagsFromString } from 'node:v8';

export const daemonV8Flags = ['--optimize-for-size', '--liftoff-only'] as const;

/** While the collector starts: no optimizing compiler (see above); undone by endOfStartUp(). */
export const startUpV8Flags = ['--max-opt=1'] as const;

/** Applies the collector's V8 flags; call before the first HTTP request and while the heap is small. */
export function applyDaemonV8Flags(): void {
  for (const flag of [...daemonV8Flags, ...startUpV8Flags]) setFlagsFromString(flag);
}

/** Start-up is over: code that turns hot from now on (many peers) is optimized again. */
export function endOfStartUp(): void {
  setFlagsFromString('--max-opt=999');
}
