// Where the provisioned alerts go: every rule's labels run through the notification policy tree the
// way Alertmanager routes (emulated here, Grafana is not running: depth-first, first matching child
// unless `continue`, group_by inherited), contact points filled from environment variables, and the
// message template naming the pair, its value, the reverse direction and the Pair detail link. The
// compose stack's webhook receiver is run for real and sent a Grafana-shaped notification.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freeLoopbackPort, repoRoot } from '@pingsphere/testbed';

interface Route {
  receiver?: string;
  group_by?: string[];
  object_matchers?: Array<[string, string, string]>;
  continue?: boolean;
  routes?: Route[];
}
const read = <T>(file: string) => parse(readFileSync(join(repoRoot, 'provisioning', file), 'utf8')) as T;
const rules = read<{
  groups: Array<{
    rules: Array<{
      uid: string;
      title: string;
      labels: Record<string, string>;
      data: Array<{ refId: string; model: { rawSql?: string } }>;
    }>;
  }>;
}>('alerting/pingsphere-rules.yaml').groups.flatMap((g) => g.rules);
const [policy] = read<{ policies: Route[] }>('alerting/notification-policies.yaml').policies;
const contactPoints = read<{
  contactPoints: Array<{ name: string; receivers: Array<{ type: string; settings: Record<string, unknown> }> }>;
}>('alerting/contact-points.yaml').contactPoints;
const template = read<{ templates: Array<{ name: string; template: string }> }>('alerting/templates.yaml').templates[0]!
  .template;

function matches(route: Route, labels: Record<string, string>): boolean {
  return (route.object_matchers ?? []).every(([name, op, value]) => {
    const v = labels[name] ?? '';
    if (op === '=') return v === value;
    if (op === '!=') return v !== value;
    const re = new RegExp(`^(?:${value})$`);
    return op === '=~' ? re.test(v) : !re.test(v);
  });
}

/** Alertmanager's routing: the receivers an alert with `labels` reaches, each with its group_by. */
function route(
  node: Route,
  labels: Record<string, string>,
  groupBy: string[] = [],
): Array<{ receiver: string; groupBy: string[] }> {
  const inherited = node.group_by ?? groupBy;
  const found: Array<{ receiver: string; groupBy: string[] }> = [];
  for (const child of node.routes ?? []) {
    if (!matches(child, labels)) continue;
    found.push(...route(child, labels, inherited));
    if (!child.continue) return found;
  }
  return found.length ? found : [{ receiver: node.receiver!, groupBy: inherited }];
}

/** The instance labels a rule's query A returns (its text columns), from its SELECT list. */
function instanceLabels(rule: (typeof rules)[number]): string[] {
  const sql = rule.data.find((d) => d.refId === 'A')!.model.rawSql!;
  const select = /SELECT\s+([\s\S]*?)\s+FROM\s/i.exec(sql.replace(/WITH[\s\S]*?\)\s*SELECT/i, 'SELECT'))![1]!;
  return select
    .split(',')
    .map((c) =>
      c
        .trim()
        .split(/\s+AS\s+|\s+/i)
        .pop()!,
    )
    .filter((name) => ['src', 'dst', 'src_loc'].includes(name));
}

describe('alert notifications: policy routing emulated as Alertmanager routes, Grafana is not running', () => {
  it.each(rules.map((r) => [r.uid, r] as const))(
    'routes %s by its labels, grouped by source and destination',
    (_uid, rule) => {
      const labels = { ...rule.labels, alertname: rule.title, src: 'fra', dst: 'nyc' };
      const reached = route(policy!, labels);
      const receivers = reached.map((r) => r.receiver).sort();
      expect(receivers).toEqual(
        rule.labels.severity === 'critical' ? ['PingSphere email', 'PingSphere webhook'] : ['PingSphere webhook'],
      );
      for (const r of reached) expect(r.groupBy).toEqual(['alertname', 'src', 'dst']); // one notification per bad link
      // The instance labels the policy groups by are the ones the query returns.
      expect(instanceLabels(rule)).toContain('src');
    },
  );

  it('sends anything that is not PingSphere’s to the root receiver, and names only contact points that exist', () => {
    expect(route(policy!, { alertname: 'other', severity: 'critical' })).toEqual([
      { receiver: 'PingSphere webhook', groupBy: ['grafana_folder', 'alertname'] },
    ]);
    const names = new Set(contactPoints.map((c) => c.name));
    const walk = (node: Route): string[] => [node.receiver!, ...(node.routes ?? []).flatMap(walk)];
    for (const receiver of walk(policy!)) expect(names, receiver).toContain(receiver);
  });

  it('fills the contact points from environment variables and renders them with the PingSphere template', () => {
    const [webhook] = contactPoints.find((c) => c.name === 'PingSphere webhook')!.receivers;
    const [email] = contactPoints.find((c) => c.name === 'PingSphere email')!.receivers;
    expect(webhook).toMatchObject({ type: 'webhook', settings: { url: '${PINGSPHERE_ALERT_WEBHOOK_URL}' } });
    expect(email).toMatchObject({ type: 'email', settings: { addresses: '${PINGSPHERE_ALERT_EMAIL}' } });
    for (const settings of [webhook!.settings, email!.settings]) {
      expect(Object.values(settings).join(' ')).toContain('{{ template "pingsphere.message" . }}');
      expect(Object.values(settings).join(' ')).toContain('{{ template "pingsphere.title" . }}');
    }
  });

  it('has a message template naming the pair, the value, the reverse direction and the Pair detail link', () => {
    expect(template).toMatch(/\{\{ define "pingsphere\.title" \}\}/);
    expect(template).toMatch(/\{\{ define "pingsphere\.message" \}\}/);
    for (const annotation of ['pair', 'value', 'reverse', 'summary'])
      expect(template).toContain(`.Annotations.${annotation}`);
    // The link opens the provisioned Pair detail dashboard with its two variables.
    const pair = JSON.parse(readFileSync(join(repoRoot, 'provisioning/dashboards/pair-detail.json'), 'utf8')) as {
      uid: string;
      title: string;
      templating: { list: Array<{ name: string }> };
    };
    const slug = pair.title.toLowerCase().replaceAll(' ', '-');
    expect(template).toContain(
      `/d/${pair.uid}/${slug}?var-src={{ .Labels.src | urlquery }}&var-dst={{ .Labels.dst | urlquery }}`,
    );
    expect(pair.templating.list.map((v) => v.name).sort()).toEqual(['dst', 'src']);
    // Go template blocks are balanced: every define/if/range/with has its end.
    const opened = template.match(/\{\{-? ?(define|if|range|with)\b/g)?.length ?? 0;
    const closed = template.match(/\{\{-? ?end ?-?\}\}/g)?.length ?? 0;
    expect(opened).toBe(closed);
  });

  it('has the compose stack point Grafana at its webhook receiver by default', () => {
    const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { environment?: Record<string, string>; command?: string[] }>;
    };
    const env = compose.services.grafana!.environment!;
    expect(env.PINGSPHERE_ALERT_WEBHOOK_URL).toBe('${PINGSPHERE_ALERT_WEBHOOK_URL:-http://alert-receiver:9095/alerts}');
    expect(env.PINGSPHERE_ALERT_EMAIL).toMatch(/^\$\{PINGSPHERE_ALERT_EMAIL:-/);
    expect(compose.services['alert-receiver']!.command).toEqual(
      expect.arrayContaining(['/opt/alert-receiver/server.mjs', '--port', '9095']),
    );
  });
});

describe('the webhook receiver (provisioning/alert-receiver/server.mjs), run for real', () => {
  const children: Array<ReturnType<typeof spawn>> = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints a Grafana webhook notification, lists it at GET /, refuses non-JSON and stops on SIGTERM', async () => {
    const port = await freeLoopbackPort();
    const child = spawn(process.execPath, [
      join(repoRoot, 'provisioning/alert-receiver/server.mjs'),
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ]);
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!out.includes('listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain(`listening on http://127.0.0.1:${port}/`);
    // The shape of Grafana's webhook body (Alertmanager's plus title and message).
    const notification = {
      receiver: 'PingSphere webhook',
      status: 'firing',
      title: '[FIRING:1] Mesh TCP RTT p99 high fra → nyc',
      message:
        'FIRING: Mesh TCP RTT p99 high (warning)\nPair: fra → nyc\nValue: p99 171 ms\nReverse direction (nyc → fra): p99 144 ms',
      alerts: [
        { status: 'firing', labels: { alertname: 'Mesh TCP RTT p99 high', src: 'fra', dst: 'nyc' }, annotations: {} },
      ],
    };
    const posted = await fetch(`http://127.0.0.1:${port}/alerts`, {
      method: 'POST',
      body: JSON.stringify(notification),
    });
    expect(posted.status).toBe(200);
    // Printed before the reply was sent; the pipe may deliver it a moment later.
    while (!out.includes('Reverse direction') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('Reverse direction (nyc → fra): p99 144 ms');
    const listed = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as Array<{ title: string }>;
    expect(listed.map((n) => n.title)).toEqual([notification.title]);
    expect((await fetch(`http://127.0.0.1:${port}/alerts`, { method: 'POST', body: 'not json' })).status).toBe(400);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
