// Hostnames are resolved once, up front, through the system resolver (so /etc/hosts counts);
// failures are listed, not fatal.
import { lookup } from 'node:dns/promises';

export interface ResolvedHost {
  name: string;
  address: string;
  family: 4 | 6;
}

export interface UnresolvedHost {
  name: string;
  reason: string;
}

/** Resolves each name to its first address, `concurrency` lookups at a time. */
export async function resolveHostnames(
  names: readonly string[],
  concurrency = 32,
): Promise<{ resolved: ResolvedHost[]; unresolved: UnresolvedHost[] }> {
  const resolved: (ResolvedHost | undefined)[] = new Array(names.length);
  const unresolved: UnresolvedHost[] = [];
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const index = next++;
      const name = names[index]!;
      try {
        const { address, family } = await lookup(name);
        resolved[index] = { name, address, family: family === 6 ? 6 : 4 };
      } catch (error) {
        unresolved.push({ name, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
  return { resolved: resolved.filter((r): r is ResolvedHost => r !== undefined), unresolved };
}
