import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { connect, run, startSpecEmulator } from './helpers.js';

// The HTML report's metadata says how complete an `--all` audit was: the projects it could not
// read, from discovery's coverage, and the organization the environment names.
let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startSpecEmulator();
  dir = mkdtempSync(join(tmpdir(), 'html-coverage-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

it('audit --all --format html carries the coverage and the organization in its metadata', async () => {
  const output = join(dir, 'audit.html');
  const r = await run(
    ['audit', '--all', '--format', 'html', '--output', output, '--quiet', ...connect(emulator)],
    { env: { OPENAI_ORG_ID: 'org-coverage-spec' } },
  );
  expect(r.code).toBe(0);
  const html = readFileSync(output, 'utf8');
  const truth = emulator.truth();
  const keyless = truth.projects.filter((p) => !truth.projectsWithKeys.includes(p.id));
  expect(keyless.length).toBeGreaterThan(0);
  expect(html).toContain(`"projects without a key":"${keyless.length}: `);
  expect(html).toContain(`"projects listed":"${truth.projects.length}"`);
  expect(html).toContain('org-coverage-spec');
});
