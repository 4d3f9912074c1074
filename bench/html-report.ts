/**
 * How big and how fast the HTML report is for a large organization: 10,000 checkpoints and
 * 100,000 permissions (90% of them violations, the worst case for the report's first table).
 * Renders the report, loads it from file:// in the system Chromium (never downloaded), and
 * prints its size, first contentful paint, time until the tables are built, and the time a
 * filter over every permission takes. Not a test: figures for docs/performance.md.
 *
 *   npx tsx bench/html-report.ts      # CHROMIUM_PATH overrides /usr/bin/chromium
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderHtmlReport } from '../src/report/html-report.js';
import { ReportCollector } from '../src/report/report-data.js';

interface PageDocument {
  getElementById(id: string): { value: string; dispatchEvent(event: Event): void };
}

const report = new ReportCollector({ allow: { projects: ['proj_0'] } });
for (let c = 0; c < 10_000; c++) {
  const checkpoint = `ft:gpt-4o-mini-2024-07-18:acme:model-${c}:B7R9VjQd:ckpt-step-${c}`;
  for (let i = 0; i < 10; i++)
    report.add({
      type: 'permission',
      checkpoint,
      id: `cp_${(c * 10 + i).toString(36).padStart(24, '0')}`,
      project_id: `proj_${((c + i) % 500).toString(36).padStart(24, '0')}`,
      project_name: null,
      project_status: null,
      archived: false,
      created_at: 1_721_764_800 + c,
      allowed: i === 0,
      ...(i === 0 ? {} : { finding_id: `f_${(c * 10 + i).toString(16).padStart(32, '0')}` }),
    });
}
const started = performance.now();
const html = renderHtmlReport(report.data());
const renderMs = performance.now() - started;
const dir = mkdtempSync(join(tmpdir(), 'html-report-bench-'));
const path = join(dir, 'report.html');
writeFileSync(path, html);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const runs: Array<{ fcp: number; ready: number; filter: number }> = [];
  for (let i = 0; i < 5; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(path).href);
    await page.waitForSelector('html[data-ready=true]');
    const { fcp, ready } = await page.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      ready: performance.now(),
    }));
    // Typed as the page sees them: the bench compiles without the DOM lib.
    const filter = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: PageDocument }).document;
      const input = doc.getElementById('filter');
      const t0 = performance.now();
      input.value = 'model-4242:';
      input.dispatchEvent(new Event('input'));
      return performance.now() - t0;
    });
    runs.push({ fcp, ready, filter });
    await page.close();
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `file size: ${(statSync(path).size / 2 ** 20).toFixed(1)} MiB; rendered in ${renderMs.toFixed(0)} ms`,
  );
  console.log(
    `first contentful paint (median of 5): ${median(runs.map((r) => r.fcp)).toFixed(0)} ms`,
  );
  console.log(`tables built (median): ${median(runs.map((r) => r.ready)).toFixed(0)} ms`);
  console.log(
    `filter over 100,000 permissions, first keystroke (median): ${median(runs.map((r) => r.filter)).toFixed(0)} ms`,
  );
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
