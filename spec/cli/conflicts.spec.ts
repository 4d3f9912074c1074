import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { expectOneErrorLine, run, SECRET_KEY } from './helpers.js';

/** A path that does not exist: a flag that names it fails if the file is ever opened. */
const missing = (name: string): string => join(tmpdir(), `no-such-${name}-${process.pid}`);

// Flags that cannot go together are declared to commander (`.conflicts()`), so the usage error
// comes before anything is read: a missing --input file is never opened, no key is looked for,
// no emulator starts. Each is said in one line that names both flags.
describe('conflicting flags', () => {
  it('watch refuses --input with --all (64) before reading the --input file', async () => {
    const r = await run(['watch', '--input', missing('checkpoints.txt'), '--all']);
    expectOneErrorLine(
      r,
      ExitCode.Usage,
      /^checkpoint-permissions: Give --input or --all, not both\.$/,
    );
  });

  it.each(['list ft:x', 'audit --input MISSING', 'watch --input MISSING'])(
    '%s refuses --admin-key with --admin-key-file (64) before reading any file',
    async (command) => {
      const argv = command
        .split(' ')
        .map((word) => (word === 'MISSING' ? missing('ids.txt') : word));
      const r = await run([
        ...argv,
        '--admin-key',
        SECRET_KEY,
        '--admin-key-file',
        missing('admin-key'),
      ]);
      expectOneErrorLine(
        r,
        ExitCode.Usage,
        /^checkpoint-permissions: Give --admin-key or --admin-key-file, not both\.$/,
      );
    },
  );

  it.each([
    ['--jobs', '3'],
    ['--checkpoints-per-job', '2'],
  ])('emulator refuses --dataset with %s (64): a dataset is not generated', async (flag, value) => {
    const r = await run([
      'emulator',
      '--port',
      '0',
      '--dataset',
      missing('dataset.json'),
      flag,
      value,
    ]);
    expectOneErrorLine(
      r,
      ExitCode.Usage,
      new RegExp(`^checkpoint-permissions: Give --dataset or ${flag}, not both\\.$`),
    );
  });
});

// A flag that needs another cannot be declared (commander has `.conflicts()` and `.implies()`,
// no "requires"): these are checked in src/cli/flag-requirements.ts, before anything is read.
describe('flags that need another', () => {
  it('watch refuses --metrics-host without --metrics-port (64) before reading the --input file', async () => {
    const r = await run(['watch', '--input', missing('ids.txt'), '--metrics-host', '0.0.0.0']);
    expectOneErrorLine(
      r,
      ExitCode.Usage,
      /^checkpoint-permissions: --metrics-host only makes sense with --metrics-port N: no metrics server listens without it\.$/,
    );
  });

  it('emulator refuses --burst without --rpm (64) before starting', async () => {
    const r = await run([
      'emulator',
      '--port',
      '0',
      '--dataset',
      missing('dataset.json'),
      '--burst',
      '5',
    ]);
    expectOneErrorLine(
      r,
      ExitCode.Usage,
      /^checkpoint-permissions: --burst only makes sense with --rpm N: without a rate limit there is no burst\.$/,
    );
  });
});
