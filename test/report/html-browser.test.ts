// report.html in a real browser: a small real run (a parity scenario with a deliberately wrong
// golden, a tiny load scenario with a direct phase, a two-case fault scenario), the file opened from disk
// in headless Chromium with every non-file request blocked and recorded. The charts must render,
// the console stay clean, and no request leave the page; a screenshot of each section goes to
// reports/screenshots/.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/checks/result.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SHOTS = join(REPO_ROOT, 'reports/screenshots');
const present = existsSync(CHROMIUM);
if (!present) console.warn(`skipping the report.html browser test: ${CHROMIUM} is absent (apt-get install chromium; .ci/run does)`);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A workspace with one good and one wrong golden, a tiny load scenario and two fault cases. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-html-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'fixtures/openai'), { recursive: true });
  for (const f of ['text-usage.yaml', 'text-usage.normalize.sse', 'mid-stream-error.yaml', 'mid-stream-error.normalize.sse'])
    copyFileSync(join(REPO_ROOT, 'fixtures/openai', f), join(dir, 'fixtures/openai', f));
  const golden = join(dir, 'fixtures/openai/text-usage.normalize.sse');
  writeFileSync(golden, readFileSync(golden, 'utf8').replace('"content":"Hello"', '"content":"Hullo"'));
  writeFileSync(
    join(dir, 'parity.yaml'),
    'kind: parity\nname: html-parity\nfixtures: [fixtures/openai/*.yaml]\nmodes: [normalize]\nchunkings: { bytewise: false, random: 1, seed: 1 }\n',
  );
  writeFileSync(
    join(dir, 'load.yaml'),
    `kind: load
name: html-load
synthetic: { tokens: 12, gapMs: 5 }
mode: normalize
load: { model: poisson, rate: 40, seed: 3, maxInFlight: 50 }
duration: { seconds: 1, requests: 40 }
warmup: { requests: 3 }
compare: direct
driver: { maxEventLoopDelayP99Ms: 1000, maxEventLoopUtilization: 1 }
thresholds: { errors: "== 0" }
`,
  );
  const cassette = join(REPO_ROOT, 'fixtures/openai/text-usage.yaml');
  writeFileSync(
    join(dir, 'faults.yaml'),
    `kind: fault
name: html-faults
modes: [normalize]
gateway: { retry: { maxAttempts: 3 } }
cases:
  - name: 500-then-ok
    cassette: ${cassette}
    attempts: [{ fault: status, status: 500 }, { fault: none }]
    expect: { golden: cassette, gateway: { retries: 1 } }
  - name: 502-then-ok
    cassette: ${cassette}
    attempts: [{ fault: status, status: 502 }, { fault: none }]
    expect: { golden: cassette }
`,
  );
  return dir;
}

describe.skipIf(!present)('report.html in headless Chromium', () => {
  it('renders every section from file:// with no request and no console error', async () => {
    const dir = workspace();
    const reports = join(dir, 'reports');
    const r = await runCli(['run', join(dir, 'parity.yaml'), join(dir, 'load.yaml'), join(dir, 'faults.yaml'), '--report-dir', reports]);
    expect(r.code, r.stdout).toBe(1); // the wrong golden
    const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as RunSummary;
    const failed = summary.scenarios.flatMap((s) =>
      s.cases.flatMap((c) => c.checks.filter((k) => !k.ok).map((k) => `${s.name} ${c.name} ${k.name}: ${k.message}`)),
    );
    expect(failed).toEqual([
      expect.stringMatching(/^html-parity openai\/text-usage \[normalize\] golden: output differs from golden at byte \d+/),
    ]);
    const file = join(reports, 'report.html');
    expect(readFileSync(file, 'utf8')).toContain("default-src 'none'");

    const profile = mkdtempSync(join(tmpdir(), 'streamproof-chromium-'));
    dirs.push(profile);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      viewport: { width: 1400, height: 900 },
    });
    try {
      const requests: string[] = [];
      const problems: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file://')) return route.continue();
        requests.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('request', (req) => {
        if (!req.url().startsWith('file://')) requests.push(req.url());
      });
      await page.goto(`file://${file}`, { waitUntil: 'load' });

      const sections = await page.$$eval('section[data-section]', (els) => els.map((e) => e.id));
      expect(sections).toEqual(['run', 'load', 'parity', 'faults']);

      // Load: CDF and histogram per timing, added latency, time series; every chart has drawn paths.
      const charts = await page.$$eval('#load svg.chart', (svgs) =>
        svgs.map((s) => ({
          kind: s.getAttribute('data-chart'),
          drawn: [...s.querySelectorAll('path.series, path.bar')].filter((p) => (p.getAttribute('d') ?? '').length > 20).length,
          width: s.getBoundingClientRect().width,
        })),
      );
      const kinds = charts.map((c) => c.kind);
      for (const k of [
        'cdf-ttft',
        'hist-ttft',
        'cdf-itl',
        'hist-itl',
        'cdf-e2e',
        'hist-e2e',
        'added-bars',
        'added-curve',
        'ts-events',
        'ts-open',
        'ts-memory',
        'ts-cpu',
      ])
        expect(kinds, k).toContain(k);
      for (const c of charts) {
        expect(c.drawn, `${c.kind} draws something`).toBeGreaterThan(0);
        expect(c.width, `${c.kind} is laid out`).toBeGreaterThan(100);
      }
      // Both phases on one chart.
      expect(await page.$$eval('#load svg[data-chart="cdf-ttft"] path.series', (p) => p.length)).toBe(2);

      // Parity: the failed golden side by side, the first differing byte marked on each side.
      const marks = await page.$$eval('#parity .diff mark', (m) => m.map((x) => x.textContent));
      expect(marks).toEqual(['u', 'e']);
      expect(await page.$$eval('#parity [data-failed-case]', (e) => e.length)).toBe(1);

      // Fault matrix: a row per case, every cell decided.
      const cells = await page.$$eval('#faults table.matrix td.cell-pass', (c) => c.length);
      expect(cells).toBeGreaterThan(4);
      expect(await page.$$eval('#faults table.matrix td.cell-fail', (c) => c.length)).toBe(0);

      mkdirSync(SHOTS, { recursive: true });
      for (const id of sections) await page.locator(`section#${id}`).screenshot({ path: join(SHOTS, `${id}.png`) });

      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
