import { existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshotPath } from '../src/index.js';

describe('launchChromium', () => {
  let browser: Browser;
  let server: Server;
  let pageUrl: string;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(`<!doctype html><title>harness</title>
        <canvas id="c" width="40" height="20"></canvas>
        <button id="b" onclick="this.textContent='clicked'">click me</button>
        <script>document.getElementById('c').getContext('2d').fillRect(0,0,40,20)</script>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('renders a loopback page, runs its script, reacts to a click and takes a screenshot', async () => {
    const page = await browser.newPage();
    await page.goto(pageUrl);
    expect(await page.title()).toBe('harness');
    const filled = await page.evaluate(() => {
      const canvas = document.getElementById('c') as HTMLCanvasElement;
      return Array.from(canvas.getContext('2d')!.getImageData(10, 10, 1, 1).data);
    });
    expect(filled).toEqual([0, 0, 0, 255]);
    await page.click('#b');
    expect(await page.textContent('#b')).toBe('clicked');
    const file = screenshotPath('testbed-chromium');
    await page.screenshot({ path: file });
    expect(existsSync(file) && statSync(file).size).toBeGreaterThan(500);
  });
});
