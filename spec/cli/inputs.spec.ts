import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cli-error.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import {
  checkCheckpointArguments,
  readAllowList,
  readCheckpointList,
} from '../../src/cli/inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (text: string | Buffer): string => {
  const path = join(dir, `input-${++files}`);
  writeFileSync(path, text);
  return path;
};
/** The CliError a promise (or a call) fails with. */
async function failure(attempt: () => unknown): Promise<CliError> {
  try {
    await attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error('expected a CliError');
}

describe('readAllowList', () => {
  it('reads JSON objects, JSON arrays and one id per line', async () => {
    expect(
      await readAllowList(file('{"projects":["proj_a"],"checkpoints":{"ft:x":["proj_b"]}}')),
    ).toEqual({
      projects: ['proj_a'],
      checkpoints: { 'ft:x': ['proj_b'] },
    });
    expect(await readAllowList(file('["proj_a"]'))).toEqual({ projects: ['proj_a'] });
    expect(await readAllowList(file('# ok\nproj_a\r\n\nproj_b\n'))).toEqual({
      projects: ['proj_a', 'proj_b'],
    });
    expect(await readAllowList(file('{"checkpoints":{"ft:x":["proj_b"]}}'))).toEqual({
      projects: [],
      checkpoints: { 'ft:x': ['proj_b'] },
    });
  });

  it('refuses an unknown key, naming it and the accepted ones (65)', async () => {
    const path = file('{"projets":["proj_a"]}');
    const error = await failure(() => readAllowList(path));
    expect(error.exitCode).toBe(ExitCode.DataError);
    expect(error.message).toBe(
      `${path}: unknown key "projets"; an allow-list takes "projects" and "checkpoints". Fix the key.`,
    );
  });

  it.each([
    ['{}'],
    ['[]'],
    [''],
    ['  \n# nobody\n'],
    ['{"projects":[]}'],
    ['{"checkpoints":{"ft:x":[]}}'],
  ])('refuses %j, which allows no project, unless allowEmpty (65)', async (text) => {
    const path = file(text);
    const error = await failure(() => readAllowList(path));
    expect(error.exitCode).toBe(ExitCode.DataError);
    expect(error.message).toMatch(/allows no project: .*--allow-empty/);
    await expect(readAllowList(path, { allowEmpty: true })).resolves.toBeDefined();
  });

  it.each([
    ['null', 'null'],
    ['42', '42'],
    ['"proj_a"', '"proj_a"'],
    ['true', 'true'],
  ])('refuses the JSON scalar %s (65)', async (text, shown) => {
    const path = file(`${text}\n`);
    const error = await failure(() => readAllowList(path, { allowEmpty: true }));
    expect(error.exitCode).toBe(ExitCode.DataError);
    expect(error.message).toContain(`holds JSON ${shown}, not an allow-list`);
  });

  it('refuses a line that cannot be a project id, naming it (65)', async () => {
    const path = file('proj_a\nproj_b, proj_c\n');
    const error = await failure(() => readAllowList(path));
    expect(error.exitCode).toBe(ExitCode.DataError);
    expect(error.message).toMatch(/line 2 .*"proj_b, proj_c".* not a project id/);
  });
});

describe('readCheckpointList', () => {
  it('reads ids one per line, skipping blanks and comments', async () => {
    expect(await readCheckpointList(file('# x\n ft:a \r\n\nft:b c\n'), new PassThrough())).toEqual([
      'ft:a',
      'ft:b c',
    ]);
  });

  it.each([
    ['a NUL', 'ft:a\nft:\u0000b\n', 2, 'U+0000'],
    ['an escape', 'ft:a\n\nft:\u001b[31mb\n', 3, 'U+001B'],
    ['bytes that are not UTF-8', Buffer.from([0x66, 0x74, 0x3a, 0xff, 0x0a]), 1, 'not UTF-8'],
  ])('refuses %s, naming the line (65)', async (_, text, line, what) => {
    const path = file(text);
    const error = await failure(() => readCheckpointList(path, new PassThrough()));
    expect(error.exitCode).toBe(ExitCode.DataError);
    expect(error.message).toContain(`${path} line ${line}`);
    expect(error.message).toContain(what);
    expect(error.message).toMatch(/one checkpoint id per line/);
  });

  it('names stdin when the bad line came from it', async () => {
    const stdin = new PassThrough();
    stdin.end('ft:a\u0000\n');
    const error = await failure(() => readCheckpointList('-', stdin));
    expect(error.message).toMatch(/^stdin line 1 /);
  });
});

describe('checkCheckpointArguments', () => {
  it('passes ids through', () => {
    expect(checkCheckpointArguments(['ft:a', 'ft:b'])).toEqual(['ft:a', 'ft:b']);
  });

  it.each([
    [['ft:a', ''], /^checkpoint argument 2 is empty/],
    [['   '], /^checkpoint argument 1 is blank/],
    [['ft:\u0007'], /^checkpoint argument 1 holds a control character \(U\+0007\)/],
  ])('refuses %j (64)', async (ids, pattern) => {
    const error = await failure(() => checkCheckpointArguments(ids));
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toMatch(pattern);
  });
});
