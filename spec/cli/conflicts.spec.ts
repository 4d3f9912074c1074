import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { expectOneErrorLine, run } from './helpers.js';

// Flags that cannot go together are declared to commander (`.conflicts()`), so the usage error
// comes before anything is read: a missing --input file is never opened, no key is looked for.
describe('conflicting flags', () => {
  it('watch refuses --input with --all (64) before reading the --input file', async () => {
    const missing = join(tmpdir(), `no-such-checkpoints-${process.pid}.txt`);
    const r = await run(['watch', '--input', missing, '--all']);
    expectOneErrorLine(r, ExitCode.Usage, /--input <file>.* cannot be used with option '--all'/);
  });
});
