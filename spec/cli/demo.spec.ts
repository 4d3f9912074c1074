import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/cli/commands/demo.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { closingStdout, linesOf, run } from './helpers.js';

// The demo's organization, served again here: the same seed and shape give the same checkpoints
// and permissions, which is what the demo's own emulator started from.
let reference: Emulator;

beforeAll(async () => {
  reference = await startEmulator({
    seed: 7,
    organization: { jobs: DEMO.jobs, checkpointsPerJob: DEMO.checkpointsPerJob },
  });
});
afterAll(() => reference.close());

describe('demo', () => {
  it('audits the seeded organization and reports exactly the rogue grants as violations', async () => {
    const r = await run(['demo'], { stderrTTY: true });
    expect(r.code).toBe(0);
    const truth = reference.truth();
    const names = truth.checkpoints.map((c) => c.fine_tuned_model_checkpoint);
    const granted = Object.values(truth.permissions).reduce((n, list) => n + list.length, 0);
    const rogue = DEMO.rogueGrants.flatMap(({ project, checkpoints }) =>
      checkpoints.map((index) => ({ checkpoint: names[index % names.length]!, project })),
    );

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
    expect(value('checkpoints audited')).toBe(names.length);
    expect(value('checkpoints failed')).toBe(0);
    expect(value('permissions')).toBe(granted + rogue.length);
    expect(value('violations')).toBe(rogue.length);

    const start = lines.indexOf('Violations: permissions for projects outside the allow-list');
    expect(lines[start + 1]).toMatch(/^ {2}CHECKPOINT\s+PROJECT\s+PERMISSION$/);
    const rows = lines.slice(start + 2, start + 2 + rogue.length + 1);
    expect(rows.at(-1)).toBe('');
    const found = rows.slice(0, -1).map((row) => {
      const m = /^ {2}(.+?)\s+(proj_\w+)\s+(cp_\w+)$/.exec(row);
      expect(m, row).not.toBeNull();
      return { checkpoint: m![1]!, project: m![2]! };
    });
    const key = (v: { checkpoint: string; project: string }): string =>
      `${v.checkpoint} ${v.project}`;
    expect(found.map(key).sort()).toEqual(rogue.map(key).sort());
    expect(r.stdout).toContain('An audit finding these exits with 1 (violations found).');
    // stderr is a terminal here: the progress bar ran to the last checkpoint.
    expect(r.stderr).toContain(`${names.length}/${names.length} checkpoints`);
  });

  it('ends quietly when its reader goes away (| head): exit 0, no EPIPE trace', async () => {
    const stdout = closingStdout();
    const r = await run(['demo', '--quiet'], { stdout });
    expect(stdout.readerLeft).toBe(true);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
