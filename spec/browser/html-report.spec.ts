import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PermissionRecord } from '../../src/audit/audit-record.js';
import { seedOrganization, type Emulator } from '../../src/emulator/index.js';
import { renderHtmlReport } from '../../src/report/html-report.js';
import { ReportCollector } from '../../src/report/report-data.js';
import { connect, run, startSpecEmulator } from '../cli/helpers.js';

/** The system's Chromium: a browser is never downloaded (CI installs the distribution's). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Names that run script if a report ever treats data as HTML, or ends its JSON's element. */
const HOSTILE_CHECKPOINT =
  'ft:gpt-4o-mini-2024-07-18:acme:<img src=x onerror=alert(1)>:</script><script>window.__pwned=2</script><!--:ckpt-step-1';
const HOSTILE_PROJECT = 'proj_<img src=x onerror="window.__pwned=1">';
const ARTIFACTS = join(import.meta.dirname, '../../artifacts');

let browser: Browser;
let emulator: Emulator;
let dir: string;

/** A dataset lists projects by id or as objects. */
const projectIdOf = (project: string | { readonly id: string }): string =>
  typeof project === 'string' ? project : project.id;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const seeded = seedOrganization({ seed: 11, jobs: 3 });
  emulator = await startSpecEmulator({
    dataset: {
      ...seeded,
      jobs: [
        ...seeded.jobs!,
        {
          id: 'ftjob-hostile',
          created_at: 1_721_764_800,
          checkpoints: [
            {
              fine_tuned_model_checkpoint: HOSTILE_CHECKPOINT,
              permissions: [
                { id: 'cp_hostile1', created_at: 1_721_764_900, project_id: HOSTILE_PROJECT },
                {
                  id: 'cp_hostile2',
                  created_at: 1_721_764_901,
                  project_id: projectIdOf(seeded.projects![0]!),
                },
              ],
            },
          ],
        },
      ],
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'html-report-'));
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A page on the report, with every request, dialog and page error it causes recorded. */
async function open(path: string): Promise<{
  page: Page;
  requests: string[];
  dialogs: string[];
  errors: string[];
}> {
  const url = pathToFileURL(path).href;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  // The network is off: anything but the report itself fails (and stays recorded above).
  await page.route('**/*', (route) =>
    route.request().url() === url ? route.continue() : route.abort('internetdisconnected'),
  );
  await page.goto(url);
  await page.waitForSelector('html[data-ready=true]', { timeout: 10_000 });
  return { page, requests: requests.filter((r) => r !== url), dialogs, errors };
}

/**
 * The rows of a lazily rendered table, after clicking "Show more" until every row shows, each
 * as `{ column title: cell text }`.
 */
async function allRows(page: Page, root: string): Promise<Array<Record<string, string>>> {
  const more = page.locator(`${root} button.more`);
  while (await more.isVisible()) await more.click();
  const titles = await page.$$eval(`${root} th`, (ths) => ths.map((th) => th.textContent ?? ''));
  const rows = await page.$$eval(`${root} tbody tr`, (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  );
  return rows.map((cells) => Object.fromEntries(titles.map((title, i) => [title, cells[i]!])));
}

describe('the HTML report of an audit, in Chromium from file://, offline', () => {
  let report: string;
  let banned: string[];
  /** The organization's project (the truth's), whose name the report shows beside its id. */
  const projectOf = (id: string): { name: string; status: string } =>
    emulator.truth().projects.find((p) => p.id === id)!;
  /** A project as the report's Project column shows it: `name (id)`. */
  const label = (id: string): string => `${projectOf(id).name} (${id})`;

  beforeAll(async () => {
    const truth = emulator.truth().permissions;
    const projects = new Set(Object.values(truth).flatMap((l) => l.map((p) => p.project_id)));
    const [biggest] = Object.entries(truth).sort((a, b) => b[1].length - a[1].length)[0]!;
    banned = [truth[biggest]![0]!.project_id, HOSTILE_PROJECT];
    const allow = join(dir, 'allow.json');
    writeFileSync(allow, JSON.stringify([...projects].filter((p) => !banned.includes(p))));
    report = join(dir, 'report.html');
    const r = await run([
      'audit',
      '--all',
      '--allow',
      allow,
      '--format',
      'html',
      '--output',
      report,
      '--quiet',
      ...connect(emulator),
    ]);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: '',
    });
  });

  it('leads with the verdict and shows exactly the audit’s violations (the truth’s)', async () => {
    const { page, requests, dialogs, errors } = await open(report);
    const truth = emulator.truth().permissions;
    const expected = Object.entries(truth)
      .flatMap(([c, list]) =>
        list
          .filter((p) => banned.includes(p.project_id))
          .map((p) => `${c} ${label(p.project_id)} ${p.id}`),
      )
      .sort();
    expect(await page.textContent('#verdict')).toBe(`✗ ${expected.length} violations`);
    const shown = (await allRows(page, '#violations')).map(
      (r) => `${r.Checkpoint} ${r.Project} ${r.Permission}`,
    );
    expect(shown.sort()).toEqual(expected);
    // The report says what it is: tool version, allow-list digest, when.
    const meta = await page.textContent('#meta');
    expect(meta).toMatch(/Allow-list digestsha256:[0-9a-f]{64}/);
    expect(meta).toMatch(/Toolcheckpoint-permissions \d+\.\d+\.\d+/);
    await page.screenshot({ path: join(ARTIFACTS, 'html-report.png') });
    expect({ requests, dialogs, errors }).toEqual({ requests: [], dialogs: [], errors: [] });
    await page.close();
  });

  it('filtering by a project shows exactly its grants; the text filter and sorting work on all rows', async () => {
    const { page, requests, errors } = await open(report);
    const truth = emulator.truth().permissions;
    const project = banned[0]!;
    const value = await page.$eval(
      '#project',
      (select, text) =>
        [...(select as unknown as { options: Iterable<Option> }).options].find(
          (o) => o.textContent === text,
        )?.value,
      `${label(project)} · ${projectOf(project).status}`,
    );
    await page.selectOption('#project', value!);
    const rows = await allRows(page, '#grants');
    const expected = Object.entries(truth).flatMap(([c, list]) =>
      list.filter((p) => p.project_id === project).map((p) => `${c} ${p.id}`),
    );
    expect(rows.map((r) => `${r.Checkpoint} ${r.Permission}`).sort()).toEqual(expected.sort());
    expect(rows.every((r) => r.Project === label(project))).toBe(true);

    await page.selectOption('#project', '');
    const one = Object.entries(truth).find(([, list]) => list.length > 3)!;
    await page.fill('#filter', one[1][2]!.id);
    expect((await allRows(page, '#grants')).map((r) => r.Permission)).toEqual([one[1][2]!.id]);

    await page.fill('#filter', '');
    await page.click('#grants th:has-text("Created")');
    const created = (await allRows(page, '#grants')).map((r) => r.Created!);
    expect(created).toHaveLength(Object.values(truth).reduce((n, l) => n + l.length, 0));
    expect(created).toEqual([...created].sort());
    expect({ requests, errors }).toEqual({ requests: [], errors: [] });
    await page.close();
  });

  it('renders hostile checkpoint and project names as text: no script runs, nothing is fetched', async () => {
    const { page, requests, dialogs, errors } = await open(report);
    await page.fill('#filter', 'cp_hostile');
    const rows = await allRows(page, '#grants');
    const other = emulator.truth().permissions[HOSTILE_CHECKPOINT]![1]!.project_id;
    expect(rows.map((r) => [r.Checkpoint, r.Project, r.Permission])).toEqual(
      expect.arrayContaining([
        [HOSTILE_CHECKPOINT, label(HOSTILE_PROJECT), 'cp_hostile1'],
        [HOSTILE_CHECKPOINT, label(other), 'cp_hostile2'],
      ]),
    );
    expect(rows).toHaveLength(2);
    expect(
      await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned),
    ).toBeUndefined();
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect({ requests, dialogs, errors }).toEqual({ requests: [], dialogs: [], errors: [] });
    await page.close();
  });
});

describe('the HTML page of a diff, in Chromium from file://, offline', () => {
  it('shows the changes, hostile names as text; no script runs, nothing is fetched, no CSP error', async () => {
    const line = (checkpoint: string, project: string, id: string, allowed: boolean): string =>
      `${JSON.stringify({ checkpoint, id, project_id: project, created_at: 1, allowed })}\n`;
    const old = join(dir, 'old.jsonl');
    const next = join(dir, 'new.jsonl');
    writeFileSync(old, line('ft:plain', 'proj_a', 'cp_1', true));
    writeFileSync(next, line(HOSTILE_CHECKPOINT, HOSTILE_PROJECT, 'cp_2', false));
    const r = await run(['diff', old, next, '--format', 'html']);
    expect(r.code).toBe(1);
    const page = join(dir, 'diff.html');
    writeFileSync(page, r.stdout);
    const url = pathToFileURL(page).href;
    const tab = await browser.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    const errors: string[] = [];
    tab.on('request', (request) => requests.push(request.url()));
    tab.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // A CSP violation (the page's own icon, say) is logged as a console error.
    tab.on('pageerror', (error) => errors.push(error.message));
    tab.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await tab.route('**/*', (route) =>
      route.request().url() === url ? route.continue() : route.abort('internetdisconnected'),
    );
    await tab.goto(url);
    expect(await tab.textContent('#verdict')).toMatch(/^1 new violation, /);
    const cells = await tab.$$eval('td', (tds) => tds.map((td) => td.textContent));
    expect(cells).toContain(HOSTILE_CHECKPOINT);
    expect(cells).toContain(HOSTILE_PROJECT);
    expect(await tab.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await tab.locator('main img, main script').count()).toBe(0);
    expect({ requests: requests.filter((u) => u !== url), dialogs, errors }).toEqual({
      requests: [],
      dialogs: [],
      errors: [],
    });
    await tab.close();
  });
});

describe('a large organization: 10,000 checkpoints, 100,000 permissions', () => {
  it('loads, shows the first rows, and filters over every permission', async () => {
    const report = new ReportCollector({ allow: { projects: ['proj_0'] } });
    for (let c = 0; c < 10_000; c++) {
      const checkpoint = `ft:gpt-4o-mini-2024-07-18:acme:m${c}:ckpt-step-${c}`;
      for (let i = 0; i < 10; i++) {
        const record: PermissionRecord = {
          type: 'permission',
          checkpoint,
          id: `cp_${c}_${i}`,
          project_id: `proj_${i}`,
          project_name: null,
          project_status: null,
          archived: false,
          created_at: 1_721_764_800 + c,
          allowed: i === 0,
          ...(i === 0 ? {} : { finding_id: `f_${c}_${i}` }),
        };
        report.add(record);
      }
    }
    const path = join(dir, 'large.html');
    writeFileSync(path, renderHtmlReport(report.data()));
    expect(statSync(path).size).toBeLessThan(20_000_000);
    const { page, requests, errors } = await open(path);
    expect(await page.textContent('#verdict')).toBe('✗ 90,000 violations');
    expect(await page.locator('#grants tbody tr').count()).toBe(200);
    await page.fill('#filter', ':m4242:');
    expect(await allRows(page, '#grants')).toHaveLength(10);
    expect({ requests, errors }).toEqual({ requests: [], errors: [] });
    await page.close();
  });
});

/** What the page's `<option>` elements are read as (the specs compile without the DOM lib). */
interface Option {
  readonly textContent: string | null;
  readonly value: string;
}
