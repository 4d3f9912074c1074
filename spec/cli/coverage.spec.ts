import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import {
  seedOrganization,
  startEmulator,
  type Emulator,
  type Project,
  type Truth,
} from '../../src/emulator/index.js';
import {
  countPermissions,
  discoverable,
  expectedGroups,
  expectNoSecret,
  groupByCheckpoint,
  linesOf,
  run,
  SECRET_KEY,
  watchForKeys,
} from './helpers.js';

// `audit --all` on an organization like a real one: four projects own the jobs, three of them
// have a project key (the seed leaves the fourth without), fifty more are only granted to, and
// audit logging began halfway through the grants, so the older grants have no event.
let emulator: Emulator;
let truth: Truth;
let dir: string;
/** The owning projects: two whose keys are given, one whose key is revoked, one with no key. */
let keyed: Project[];
let revoked: Project;
let keyless: Project;
let keysFile: string;

/** A key the API no longer takes (401): its project's listing fails, the others go on. */
const REVOKED_KEY = 'sk-proj-revoked-coverage-spec-C4N4RY';

beforeAll(async () => {
  emulator = await startEmulator({
    adminKey: SECRET_KEY,
    dataset: seedOrganization({ seed: 5, jobs: 12 }),
  });
  truth = emulator.truth();
  const owners = truth.projects.filter((p) => Object.values(truth.jobOwners).includes(p.id));
  const withKey = owners.filter((p) => truth.projectsWithKeys.includes(p.id));
  expect(withKey).toHaveLength(3);
  [revoked] = withKey.slice(2) as [Project];
  keyed = withKey.slice(0, 2);
  keyless = owners.find((p) => !truth.projectsWithKeys.includes(p.id))!;
  dir = mkdtempSync(join(tmpdir(), 'cli-coverage-'));
  keysFile = join(dir, 'project-keys.json');
  const keys = {
    ...Object.fromEntries(keyed.map((p) => [p.id, emulator.projectKeys[p.id]!])),
    [revoked.id]: REVOKED_KEY,
  };
  writeFileSync(keysFile, JSON.stringify(keys));
  chmodSync(keysFile, 0o600);
  watchForKeys({ ...emulator.projectKeys, revoked: REVOKED_KEY });
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

const connect = (): string[] => ['--base-url', emulator.url, '--admin-key', SECRET_KEY];
const utc = (seconds: number): string =>
  `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
/** The oldest `checkpoint.permission.created` event: how far back the audit log reaches. */
const oldestEvent = (): number =>
  Math.min(
    ...truth.auditLog
      .filter((e) => e.type === 'checkpoint.permission.created')
      .map((e) => e.effective_at),
  );

describe('audit --all on a partly keyed organization', () => {
  it('audits exactly what the audit log and the keyed projects’ jobs can see, and names what it cannot', async () => {
    const found = discoverable(truth, new Set(keyed.map((p) => p.id)));
    const all = truth.checkpoints.map((c) => c.fine_tuned_model_checkpoint);
    // What the run cannot see: checkpoints of unread projects granted only before the log began.
    const missed = all.filter((name) => !found.has(name));
    expect(missed.length).toBeGreaterThan(0);
    for (const name of missed) {
      const job = truth.checkpoints.find((c) => c.fine_tuned_model_checkpoint === name)!;
      expect([keyless.id, revoked.id]).toContain(truth.jobOwners[job.fine_tuning_job_id]);
    }
    expect(found.size).toBeGreaterThan(discoverable(truth, new Set()).size);

    const r = await run(['audit', '--all', '--project-keys', keysFile, ...connect()]);
    // A project's listing failed: the audit is incomplete, never "clean".
    expect(r.code).toBe(ExitCode.CheckpointFailed);
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(expectedGroups(truth, [...found]));
    const permissions = Object.fromEntries(
      [...found].map((name) => [name, truth.permissions[name]!]),
    );

    const [summary, coverage, noKey, failed, ...rest] = linesOf(r.stderr);
    expect(rest).toEqual([]);
    expect(summary).toMatch(
      new RegExp(
        `^Audited ${found.size} checkpoints \\(${found.size} ok, 0 failed\\) · ${countPermissions(permissions).toLocaleString('en-US')} permissions · `,
      ),
    );
    const without = truth.projects.filter((p) => !keyed.includes(p) && p.id !== revoked.id);
    expect(coverage).toBe(
      `Coverage: the audit log reaches back to ${utc(oldestEvent())} (grants before that have no event) · jobs read for 2 of ${truth.projects.length} projects`,
    );
    const named = (p: Project): string =>
      `${p.id} (${p.name}${p.status === 'archived' ? ', archived' : ''})`;
    expect(noKey).toBe(
      `No key for ${without.length} projects: their checkpoints granted only before ${utc(oldestEvent())} cannot be found. ` +
        `Add their keys to --project-keys: ${without.slice(0, 20).map(named).join(', ')}, and ${without.length - 20} more`,
    );
    // The keyless owner is among those named (owners are the oldest projects, listed first).
    expect(noKey).toContain(named(keyless));
    expect(failed).toMatch(
      new RegExp(
        `^Listing the jobs failed for 1 project \\(the others went on; audit again to cover them\\): ${revoked.id} \\(${revoked.name}\\): 401 .* \\(check its key\\)$`,
      ),
    );
    expectNoSecret(r);
  });

  it('with the admin key alone reads the audit log alone, and says so', async () => {
    const found = discoverable(truth, new Set());
    const r = await run(['audit', '--all', ...connect()]);
    expect(r.code).toBe(ExitCode.Clean);
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(expectedGroups(truth, [...found]));
    const [warning, summary, coverage, noKey] = linesOf(r.stderr);
    expect(warning).toMatch(/^checkpoint-permissions: warning: no project keys /);
    expect(summary).toMatch(new RegExp(`^Audited ${found.size} checkpoints `));
    expect(coverage).toMatch(/· jobs read for 0 of \d+ projects$/);
    expect(noKey).toMatch(new RegExp(`^No key for ${truth.projects.length} projects: `));
  });

  it('with --api-key reads that key’s project too, and says so', async () => {
    const [project] = keyed;
    const found = discoverable(truth, new Set([project!.id]));
    const r = await run([
      'audit',
      '--all',
      '--api-key',
      emulator.projectKeys[project!.id]!,
      ...connect(),
    ]);
    expect(r.code).toBe(ExitCode.Clean);
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(expectedGroups(truth, [...found]));
    expect(r.stderr).toContain(
      `· jobs read for 0 of ${truth.projects.length} projects, and for the project of --api-key (OPENAI_API_KEY)\n`,
    );
    expectNoSecret(r);
  });
});
