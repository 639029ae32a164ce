// The demo's ICMP targets: named, grouped and placed, written as a targets file.
import { cityOf, targetGroups } from './scenario.js';

export interface DemoTarget {
  address: string;
  name: string;
  group: string;
  loc: string;
}

/** A site's target addresses, named CODE-GROUP-NN by group in the order of targetGroups. */
export function siteTargets(site: string, addresses: readonly string[]): DemoTarget[] {
  const city = cityOf(site);
  const groups = targetGroups.flatMap(({ group, count }) =>
    Array.from({ length: count }, (_, i) => ({ group, n: i + 1 })),
  );
  return addresses.map((address, i) => {
    const { group, n } = groups[i] ?? { group: 'other', n: i + 1 };
    return {
      address,
      name: `${city.code.toLowerCase()}-${group}-${String(n).padStart(2, '0')}`,
      group,
      loc: city.location,
    };
  });
}

const quoted = (value: string) => (/[\s"#=]/.test(value) ? JSON.stringify(value) : value);

/**
 * One target per line. `labelled` writes the targets file's labels (`ADDRESS name=… group=…
 * loc=…`); without it the labels follow a `#`, so a collector that reads plain address lines
 * only (before the labelled format) still takes the file, and a reader still sees them.
 */
export function targetsFileText(targets: readonly DemoTarget[], labelled: boolean): string {
  const lines = targets.map((t) => {
    const labels = `name=${quoted(t.name)} group=${quoted(t.group)} loc=${quoted(t.loc)}`;
    return labelled ? `${t.address} ${labels}` : `${t.address} # ${labels}`;
  });
  return `# PingSphere demo targets (emulated WAN; addresses inside the demo's own namespaces)\n${lines.join('\n')}\n`;
}
