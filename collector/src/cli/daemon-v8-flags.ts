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
// --max-opt=1: Ignition and Sparkplug (V8's interpreter and baseline compiler) only, no optimizing
//   compiler (TurboFan; Maglev too on newer V8). Loading the modules runs a few functions (path
//   normalisation, the CommonJS export lexer) often enough for TurboFan, whose compiler code pages
//   (~3.5 MiB of the node binary) and compile zones (~2.5 MiB) then stayed in the RSS of a collector
//   that, idle, never runs hot code again: 59 → 54 MiB with one peer. Its price is CPU under load:
//   at 5,000 peers 0.74 ms per request against 0.47 with TurboFan (bench:http, same machine, one
//   run each; 1.17 ms before issue 12's memory work, with undici). Set before the collector's
//   modules load (main.ts). Not lifted after start-up: it implies --no-turbofan, which raising
//   --max-opt again does not undo (seen on Node 20), and the optimizing tiers to restore differ
//   between Node 20's V8 and the current LTS's.
import { setFlagsFromString } from 'node:v8';

export const daemonV8Flags = ['--optimize-for-size', '--liftoff-only', '--max-opt=1'] as const;

/** Applies the collector's V8 flags; call before the collector's modules load and its first request. */
export function applyDaemonV8Flags(): void {
  for (const flag of daemonV8Flags) setFlagsFromString(flag);
}
