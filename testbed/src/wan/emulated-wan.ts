// A star-shaped emulated WAN of network namespaces: one router namespace in the middle, whose
// WAN emulator owns the TUN device `wan0`; a namespace per site that has a host (a collector);
// and one responder namespace that answers ICMP for every site's target addresses. Policy
// routing (`ip rule iif …`) in the router sends every packet that arrives from a site or from the
// responder into wan0, so each one is held for its path's delay; what the emulator writes back
// is routed to its destination by the main table. Nothing links any of it to the host: the
// host reaches a service inside through NetworkNamespace.relayPorts.
//
// Addresses (all inside 198.18.0.0/15, the benchmarking range, inside our own namespaces):
//   site i's host       198.18.i.2/24 (the router is 198.18.i.1)
//   site i's targets    198.19.i.1 … 198.19.i.N (answered by the responder namespace)
//   responder           198.18.250.2/24
import { ip, NetworkNamespace } from '../netns.js';
import { maxWanSites, WanEmulator, type WanStats } from './wan-emulator.js';
import type { BusyClock, PathModel } from './wan-model.js';

const wanDevice = 'wan0';
const throughWanTable = '100';
const responderNet = '198.18.250';

export interface WanSiteSpec {
  /** Letters, digits, "-" or "_": also the role in the site namespace's name. */
  name: string;
  /** A namespace for a host of this site, at 198.18.INDEX.2. */
  host?: boolean;
  /** How many target addresses the responder answers for this site (0 … 254). */
  targets?: number;
}

export interface WanSite {
  name: string;
  index: number;
  /** The site's host namespace and address, when it has a host. */
  ns?: NetworkNamespace;
  address?: string;
  /** Addresses that answer ICMP echo in this site. */
  targets: string[];
}

export interface EmulatedWanOptions {
  /** Namespace names are PREFIX-PID-STARTTICKS-ROLE (see NetworkNamespace.createOwned). */
  prefix: string;
  sites: readonly WanSiteSpec[];
  /** The path of flows opened from one site toward another; undefined leaves a pair undelayed. */
  path?: (from: string, to: string) => PathModel | undefined;
  clock?: BusyClock;
  seed?: number;
}

export class EmulatedWan {
  private constructor(
    readonly router: NetworkNamespace,
    readonly emulator: WanEmulator,
    readonly sites: WanSite[],
    readonly responder: NetworkNamespace | undefined,
  ) {}

  /** Builds the namespaces, links and routes, and starts the emulator with the given model. */
  static async create(options: EmulatedWanOptions): Promise<EmulatedWan> {
    if (options.sites.length === 0 || options.sites.length > maxWanSites) {
      throw new Error(`an emulated WAN has 1 to ${maxWanSites} sites, not ${options.sites.length}`);
    }
    const names = new Set(options.sites.map((s) => s.name));
    if (names.size !== options.sites.length) throw new Error('site names must be unique');
    const created: NetworkNamespace[] = [];
    let emulator: WanEmulator | undefined;
    try {
      const router = await NetworkNamespace.createOwned(options.prefix, 'router');
      created.push(router);
      // Forwarding on, reverse-path filtering off (packets come back out of wan0 with sources
      // that the main table routes elsewhere), no redirects, no IPv6 chatter into the emulator.
      await sysctl(router, [
        'net.ipv4.ip_forward=1',
        'net.ipv4.conf.all.rp_filter=0',
        'net.ipv4.conf.default.rp_filter=0',
        'net.ipv4.conf.all.send_redirects=0',
        'net.ipv4.conf.default.send_redirects=0',
        'net.ipv6.conf.all.disable_ipv6=1',
        'net.ipv6.conf.default.disable_ipv6=1',
      ]);
      emulator = await WanEmulator.start(router, [wanDevice]);
      await ip(['-n', router.name, 'route', 'add', 'default', 'dev', wanDevice, 'table', throughWanTable]);

      const sites: WanSite[] = [];
      for (const [index, spec] of options.sites.entries()) {
        if ((spec.targets ?? 0) < 0 || (spec.targets ?? 0) > 254) {
          throw new Error(`site ${spec.name}: targets must be 0 … 254, not ${spec.targets}`);
        }
        const targets = Array.from({ length: spec.targets ?? 0 }, (_, t) => `198.19.${index}.${t + 1}`);
        const site: WanSite = { name: spec.name, index, targets };
        if (spec.host) {
          site.ns = await NetworkNamespace.createOwned(options.prefix, spec.name);
          created.push(site.ns);
          site.address = `198.18.${index}.2`;
          await linkToRouter(router, site.ns, `s${index}`, `198.18.${index}`);
        }
        await emulator.defineSite(index, [`198.18.${index}.0/24`, `198.19.${index}.0/24`]);
        sites.push(site);
      }

      let responder: NetworkNamespace | undefined;
      if (sites.some((s) => s.targets.length > 0)) {
        responder = await NetworkNamespace.createOwned(options.prefix, 'targets');
        created.push(responder);
        await linkToRouter(router, responder, 'resp', responderNet);
        // The kernel answers echo requests for every address of a local route, like 127/8.
        await ip(['-n', responder.name, 'route', 'add', 'local', '198.19.0.0/16', 'dev', 'lo']);
        await ip(['-n', router.name, 'route', 'add', '198.19.0.0/16', 'via', `${responderNet}.2`]);
      }

      const wan = new EmulatedWan(router, emulator, sites, responder);
      if (options.seed !== undefined) await emulator.seed(options.seed);
      if (options.clock) await emulator.setClock(options.clock);
      if (options.path) {
        for (const from of sites) {
          for (const to of sites) {
            const path = options.path(from.name, to.name);
            if (path) await wan.setPath(from.name, to.name, path);
          }
        }
      }
      return wan;
    } catch (error) {
      await emulator?.stop().catch(() => undefined);
      for (const ns of created.reverse()) await ns.dispose();
      throw error;
    }
  }

  site(name: string): WanSite {
    const site = this.sites.find((s) => s.name === name);
    if (!site) throw new Error(`no site "${name}" in this WAN (sites: ${this.sites.map((s) => s.name).join(', ')})`);
    return site;
  }

  /** Changes the path of flows opened from `from` toward `to`, from the next packet on. */
  async setPath(from: string, to: string, path: PathModel): Promise<void> {
    await this.emulator.setPath(this.site(from).index, this.site(to).index, path);
  }

  async stats(): Promise<WanStats> {
    return this.emulator.stats();
  }

  /** Every namespace of this WAN, router first. */
  get namespaces(): NetworkNamespace[] {
    return [
      this.router,
      ...this.sites.flatMap((s) => (s.ns ? [s.ns] : [])),
      ...(this.responder ? [this.responder] : []),
    ];
  }

  /** Stops the emulator and removes every namespace (and whatever still runs in them). */
  async dispose(): Promise<WanStats | undefined> {
    const stats = await this.emulator.stop().catch(() => undefined);
    for (const ns of this.namespaces.reverse()) await ns.dispose();
    return stats;
  }
}

/** A veth from the router (`routerSide`, NET.1/24) to `ns` (eth0, NET.2/24, default via NET.1). */
async function linkToRouter(router: NetworkNamespace, ns: NetworkNamespace, routerSide: string, net: string) {
  await ip(['-n', router.name, 'link', 'add', routerSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.name]);
  await ip(['-n', router.name, 'addr', 'add', `${net}.1/24`, 'dev', routerSide]);
  await ip(['-n', router.name, 'link', 'set', routerSide, 'up']);
  await ip(['-n', router.name, 'rule', 'add', 'iif', routerSide, 'lookup', throughWanTable, 'pref', '100']);
  await ip(['-n', ns.name, 'addr', 'add', `${net}.2/24`, 'dev', 'eth0']);
  await ip(['-n', ns.name, 'link', 'set', 'eth0', 'up']);
  await ip(['-n', ns.name, 'route', 'add', 'default', 'via', `${net}.1`]);
}

async function sysctl(ns: NetworkNamespace, settings: readonly string[]): Promise<void> {
  const result = await ns.exec('sysctl', ['-q', '-w', ...settings]);
  if (result.exitCode !== 0) throw new Error(`sysctl in ${ns.name} failed: ${result.stderr.trim()}`);
}
