import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, demoDataset } from '../../src/cli/commands/demo.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { closingStdout, discoverable, linesOf, run } from './helpers.js';

// The demo's organization, served again here: the same seed and dataset give the same
// checkpoints, permissions and audit log, and the same rogue grants are made here as the demo
// makes in its own emulator.
let reference: Emulator;

beforeAll(async () => {
  reference = await startEmulator({ seed: 7, dataset: demoDataset(7) });
  const names = reference.truth().checkpoints.map((c) => c.fine_tuned_model_checkpoint);
  for (const { project, checkpoints } of DEMO.rogueGrants)
    for (const index of checkpoints) reference.grant(names[index % names.length]!, project);
});
afterAll(() => reference.close());

describe('demo', () => {
  it('audits what both kinds of key can find, reports exactly the rogue grants as violations, and shows the coverage', async () => {
    const r = await run(['demo'], { stderrTTY: true });
    expect(r.code).toBe(0);
    const truth = reference.truth();
    const names = truth.checkpoints.map((c) => c.fine_tuned_model_checkpoint);
    const found = [...discoverable(truth)];
    const archived = new Set(
      truth.projects.filter((p) => p.status === 'archived').map((p) => p.id),
    );
    const granted = found.flatMap((name) => truth.permissions[name]!);
    const rogue = DEMO.rogueGrants.flatMap(({ project, checkpoints }) =>
      checkpoints.map((index) => ({ checkpoint: names[index % names.length]!, project })),
    );
    // Some checkpoints are out of reach (a keyless project's, granted only before the log began).
    expect(found.length).toBeLessThan(names.length);

    const lines = linesOf(r.stdout);
    expect(lines[0]).toMatch(
      new RegExp(
        `^Emulator http://127\\.0\\.0\\.1:\\d+/v1: ${names.length} checkpoints in ${DEMO.jobs} jobs, ` +
          `${DEMO.requestsPerMinute} requests/min, 3% of requests fail on purpose\\.$`,
      ),
    );
    const value = (label: string): number => {
      const line = lines.find((l) => l.startsWith(`  ${label} `));
      return Number(
        line!
          .slice(label.length + 2)
          .trim()
          .replaceAll(',', ''),
      );
    };
    expect(value('checkpoints found')).toBe(found.length);
    expect(value('checkpoints audited')).toBe(found.length);
    expect(value('checkpoints failed')).toBe(0);
    expect(value('permissions')).toBe(granted.length);
    expect(value('violations')).toBe(rogue.length);
    expect(value('to archived projects')).toBe(
      granted.filter((p) => archived.has(p.project_id)).length,
    );

    // The coverage names the project that owns jobs but has no key.
    const keyless = truth.projects.filter(
      (p) =>
        Object.values(truth.jobOwners).includes(p.id) && !truth.projectsWithKeys.includes(p.id),
    );
    expect(keyless).toHaveLength(1);
    const coverage = lines.indexOf('Coverage: what the keys could see');
    expect(lines[coverage + 1]).toMatch(/^ {2}Coverage: the audit log reaches back to /);
    expect(lines[coverage + 2]).toMatch(
      new RegExp(`^ {2}No key for [\\d,]+ projects: .*${keyless[0]!.id} \\(${keyless[0]!.name}\\)`),
    );
    expect(lines[coverage + 3]).toBe(
      `  (the emulator holds ${names.length} checkpoints: the ${names.length - found.length} not found belong to projects without a key and have no grant since audit logging began)`,
    );

    const start = lines.indexOf('Violations: permissions for projects outside the allow-list');
    expect(lines[start + 1]).toMatch(/^ {2}CHECKPOINT\s+PROJECT\s+NAME\s+ARCHIVED\s+PERMISSION$/);
    const rows = lines.slice(start + 2, start + 2 + rogue.length + 1);
    expect(rows.at(-1)).toBe('');
    const shown = rows.slice(0, -1).map((row) => {
      const m = /^ {2}(.+?)\s{2,}(proj_\w+)\s{2,}(.+?)\s{2,}(?:(yes)\s{2,})?(cp_\w+)$/.exec(row);
      expect(m, row).not.toBeNull();
      return { checkpoint: m![1]!, project: m![2]!, name: m![3]!, archived: m![4] === 'yes' };
    });
    const key = (v: { checkpoint: string; project: string }): string =>
      `${v.checkpoint} ${v.project}`;
    expect(shown.map(key).sort()).toEqual(rogue.map(key).sort());
    for (const row of shown) {
      const project = DEMO.rogueProjects.find((p) => p.id === row.project)!;
      expect(row).toMatchObject({ name: project.name, archived: project.status === 'archived' });
    }
    expect(r.stdout).toContain('An audit finding these exits with 1 (violations found).');
    // stderr is a terminal here: the progress bar ran to the last checkpoint found.
    expect(r.stderr).toContain(`${found.length}/${found.length} checkpoints`);
  });

  it('ends quietly when its reader goes away (| head): exit 0, no EPIPE trace', async () => {
    const stdout = closingStdout();
    const r = await run(['demo', '--quiet'], { stdout });
    expect(stdout.readerLeft).toBe(true);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
