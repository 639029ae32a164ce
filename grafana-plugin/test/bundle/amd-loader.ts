// Loads a dist/ module.js the way Grafana's SystemJS loader does for an AMD plugin bundle: the
// bundle calls define(deps, factory) and gets the modules Grafana provides, here resolved by a
// given require (the @grafana packages of one Grafana version). Grafana itself is not running.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function loadAmd(
  dist: string,
  file: string,
  load: (name: string) => unknown,
): { deps: string[]; exports: Record<string, unknown> } {
  let deps: string[] = [];
  let exports: Record<string, unknown> = {};
  const define = (names: string[], factory: (...modules: unknown[]) => Record<string, unknown>) => {
    deps = names;
    exports = factory(...names.map((name) => (name === 'module' ? { uri: `public/plugins/${file}` } : load(name))));
  };
  new Function('define', readFileSync(join(dist, file), 'utf8'))(define);
  return { deps, exports };
}
