// Loads the compiled engine. There is no fallback (no spawning `ping`): without the addon the
// caller gets an error that says how to build it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where node-gyp puts the addon (native/build/Release); PINGSPHERE_ICMP_ADDON overrides it for
 * packagers that install the .node file elsewhere. Found through the package's own name rather
 * than this file's location, because the `pingsphere` bin runs this code compiled into
 * collector/dist.
 */
export const addonPath =
  process.env.PINGSPHERE_ICMP_ADDON ||
  join(
    dirname(createRequire(import.meta.url).resolve('@pingsphere/native/package.json')),
    'build',
    'Release',
    'pingsphere_icmp.node',
  );

/** The addon's raw sweep handle, as addon.cc defines it. */
export interface NativeSweepHandle {
  readonly mode: 'raw' | 'ping';
  start(onEvent: (kind: 'batch' | 'done', payload: unknown) => void): void;
  stop(): void;
  progress(): { probesTotal: number; sent: number; resolved: number };
  stats(): Record<string, number | string>;
}

/** The addon's raw trace handle (addon.cc's Trace). */
export interface NativeTraceHandle {
  start(onEvent: (kind: 'batch' | 'done', payload: unknown) => void): void;
  stop(): void;
  stats(): Record<string, number | string>;
}

export interface IcmpAddon {
  Sweep: new (options: Record<string, unknown>) => NativeSweepHandle;
  Trace: new (options: Record<string, unknown>) => NativeTraceHandle;
  minPayloadBytes: number;
  maxPayloadBytes: number;
}

/** The addon is missing or does not load: the message says how to build it. */
export class AddonNotBuiltError extends Error {
  override name = 'AddonNotBuiltError';
}

let loaded: IcmpAddon | undefined;

/** Loads build/Release/pingsphere_icmp.node once; throws AddonNotBuiltError when it is absent or broken. */
export function loadIcmpAddon(): IcmpAddon {
  if (loaded) return loaded;
  if (!existsSync(addonPath)) {
    throw new AddonNotBuiltError(
      `the ICMP addon is not built (${addonPath} is missing): run \`npm install\` (needs g++, make, python3)`,
    );
  }
  try {
    loaded = createRequire(import.meta.url)(addonPath) as IcmpAddon;
  } catch (error) {
    throw new AddonNotBuiltError(
      `the ICMP addon at ${addonPath} does not load (${(error as Error).message}): rebuild it with \`npm run build --workspace native\``,
    );
  }
  return loaded;
}
