import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort, launchChromium, repoRoot, screenshotPath } from '@pingsphere/testbed';

/** The package.json "demo" script as argv, with this Node for `node`. */
function demoCommand(): [string, string[]] {
  const scripts = (
    JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  const [node, ...args] = scripts.demo!.split(' ');
  expect(node).toBe('node');
  return [process.execPath, args];
}

describe('npm run demo', () => {
  it('brings up QuestDB and the collectors, prints where to look, and stops them all on Ctrl-C', async () => {
    const demoDir = mkdtempSync(join(tmpdir(), 'pingsphere-demo-test-'));
    // Exactly what `npm run demo` runs, in its own process group, so SIGINT reaches every process
    // as a terminal's Ctrl-C would. (It once ran under tsx's CLI, a wrapper process that relays
    // signals to the demo and SIGKILLs it, exiting 130, unless the demo confirms each signal
    // within 30 ms, which a busy machine often cannot: Node with tsx as a loader is one process.)
    const [command, args] = demoCommand();
    const demo = spawn(command, args, {
      cwd: repoRoot,
      env: {
        ...process.env,
        PINGSPHERE_DEMO_DIR: demoDir,
        PINGSPHERE_DEMO_PORT: String(await freeLoopbackPort()),
        PINGSPHERE_DEMO_PAGE_PORT: String(await freeLoopbackPort()),
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout.on('data', (d: Buffer) => (output += d.toString()));
    demo.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      while (!output.includes('all up') && Date.now() < deadline && demo.exitCode === null) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(output, `demo output:\n${output}`).toContain('all up');
      const consoleUrl = /console (http:\/\/\S+)/.exec(output)?.[1];
      const collectorUrls = [...output.matchAll(/ready: (http:\/\/\S+\/v1\/peers)/g)].map((m) => m[1]!);
      expect(consoleUrl).toBeDefined();
      expect(collectorUrls).toHaveLength(3);
      expect(output).toContain('mesh complete through addpeers discovery');
      // Every collector lists the other two, and results reach QuestDB from each, HTTP and ICMP.
      for (const url of collectorUrls) {
        const peers = ((await (await fetch(url)).json()) as { Peers: { Url: string }[] }).Peers.map((p) => p.Url);
        const others = collectorUrls.filter((u) => u !== url).map((u) => u.replace('/v1/peers', '/v1/ping'));
        expect(peers.sort()).toEqual(others.sort());
      }
      const stored = async (sql: string) =>
        (
          (await (await fetch(`${consoleUrl}/exec?query=${encodeURIComponent(sql)}`)).json()) as {
            dataset?: unknown[][];
          }
        ).dataset ?? [];
      let sources: unknown[][] = [];
      for (let i = 0; i < 60 && sources.length < 6; i++) {
        sources = [
          ...(await stored("select distinct src, 'http' from http where ok")),
          ...(await stored("select distinct src, 'icmp' from icmp where rtt_ms is not null")),
        ];
        if (sources.length < 6) await new Promise((r) => setTimeout(r, 500));
      }
      expect(sources.map((row) => row.join(' ')).sort()).toEqual(
        ['127.0.0.1', '127.0.0.2', '127.0.0.3'].flatMap((src) => [`${src} http`, `${src} icmp`]).sort(),
      );

      // The live page someone without Grafana opens: the plugin's panels over the demo's data.
      const liveUrl = /live view \([^)]*\): (http:\/\/\S+)/.exec(output)?.[1];
      expect(liveUrl).toBeDefined();
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(liveUrl!);
        await page.waitForFunction(() => document.body.dataset.state !== undefined, null, { timeout: 30_000 });
        expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
        expect(await page.getAttribute('[data-testid="matrix-canvas"]', 'aria-label')).toBe('latency matrix 3 × 3');
        await page.screenshot({ path: screenshotPath('demo-live-page'), fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }

      process.kill(-demo.pid!, 'SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('stopped cleanly');
      await expect(fetch(`${consoleUrl}/exec?query=select%201`)).rejects.toThrow();
      for (const url of collectorUrls) await expect(fetch(url)).rejects.toThrow();
      expect(output).not.toMatch(/error/i);
    } finally {
      if (demo.exitCode === null) process.kill(-demo.pid!, 'SIGKILL');
      rmSync(demoDir, { recursive: true, force: true });
    }
  });
});
