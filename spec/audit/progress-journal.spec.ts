import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressJournal, replay } from '../../src/audit/progress-journal.js';
import { ConfigError } from '../../src/errors.js';

const line = (entry: object): string => `${JSON.stringify(entry)}\n`;

describe('replay', () => {
  it('keeps the last cursor of each unfinished checkpoint, the finished ones, and the last offset', () => {
    const text =
      line({ checkpoint: 'a', after: 'cp_1', offset: 10 }) +
      line({ checkpoint: 'b', after: 'cp_7', offset: 20 }) +
      line({ checkpoint: 'a', after: 'cp_2', offset: 30 }) +
      line({ checkpoint: 'b', listed: true, offset: 33 }) +
      line({ checkpoint: 'b', done: true, offset: 35 });
    const state = replay('s', text);
    expect([...state.done]).toEqual(['b']);
    expect([...state.listed]).toEqual([]);
    expect(state.cursors).toEqual({ a: 'cp_2' });
    expect(state.offset).toBe(35);
  });

  it('carries the violations of committed pages until the checkpoint is done', () => {
    const v = (id: string) => ({ id, project_id: `proj_${id}` });
    const text =
      line({ checkpoint: 'a', after: 'cp_2', violations: [v('cp_1')], offset: 10 }) +
      line({ checkpoint: 'a', listed: true, violations: [v('cp_3')], offset: 20 }) +
      line({ checkpoint: 'b', after: 'cp_9', violations: [v('cp_8')], offset: 30 }) +
      line({ checkpoint: 'b', done: true, offset: 40 });
    const state = replay('s', text);
    expect(state.violations).toEqual({ a: [v('cp_1'), v('cp_3')] });
    expect([...state.listed]).toEqual(['a']);
    expect(state.cursors).toEqual({});
    expect([...state.done]).toEqual(['b']);
  });

  it('ignores a last line cut off by a kill', () => {
    const text = line({ checkpoint: 'a', after: 'cp_1', offset: 10 }) + '{"checkpoint":"a","aft';
    expect(replay('s', text)).toEqual({
      done: new Set(),
      listed: new Set(),
      cursors: { a: 'cp_1' },
      violations: {},
      offset: 10,
    });
  });

  it('rejects a corrupt line in the middle, naming the file and line', () => {
    const text =
      line({ checkpoint: 'a', after: 'cp_1' }) +
      'garbage\n' +
      line({ checkpoint: 'a', after: 'cp_2' });
    expect(() => replay('state.jsonl', text)).toThrow(ConfigError);
    expect(() => replay('state.jsonl', text)).toThrow(/state\.jsonl line 2/);
    expect(() => replay('s', line({ after: 'x' }) + '\n')).toThrow(/names no checkpoint/);
  });
});

describe('ProgressJournal', () => {
  it('appends commits that a resumed journal replays, and starts afresh without resume', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'journal-')), 'state.jsonl');
    const rogue = { id: 'cp_3', project_id: 'proj_rogue' };
    const first = ProgressJournal.open(path, { resume: false });
    first.commit(
      {
        type: 'page',
        checkpoint: 'a',
        page: 1,
        permissions: 10,
        after: 'cp_10',
        violations: [rogue],
      },
      100,
    );
    first.commit(
      { type: 'page', checkpoint: 'b', page: 1, permissions: 3, after: null, violations: [] },
      130,
    );
    first.commit(
      { type: 'checkpoint', checkpoint: 'b', permissions: 3, violations: 0, pages: 1 },
      130,
    );
    first.close();
    // The header, then the three entries.
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(4);

    const resumed = ProgressJournal.open(path, { resume: true });
    expect(resumed.state).toEqual({
      done: new Set(['b']),
      listed: new Set(),
      cursors: { a: 'cp_10' },
      violations: { a: [rogue] },
      offset: 130,
    });
    resumed.commit(
      { type: 'page', checkpoint: 'a', page: 2, permissions: 1, after: null, violations: [] },
      150,
    );
    resumed.close();
    const listed = ProgressJournal.open(path, { resume: true });
    // Listed to the end, but not done: its revocations may still be pending.
    expect(listed.state.listed).toEqual(new Set(['a']));
    listed.commit(
      { type: 'checkpoint', checkpoint: 'a', permissions: 1, violations: 1, pages: 1 },
      150,
    );
    listed.close();
    expect(ProgressJournal.open(path, { resume: true }).state.done).toEqual(new Set(['a', 'b']));

    const fresh = ProgressJournal.open(path, { resume: false });
    expect(fresh.state).toEqual({
      done: new Set(),
      listed: new Set(),
      cursors: {},
      violations: {},
      offset: 0,
    });
    fresh.close();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(ProgressJournal.open(path, { resume: true }).state.done).toEqual(new Set());
    expect(() =>
      fresh.commit({
        type: 'checkpoint',
        checkpoint: 'a',
        permissions: 0,
        violations: 0,
        pages: 1,
      }),
    ).toThrow(/closed/);
  });

  it('remembers revocations: carried violations already revoked are marked, not dropped', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'journal-')), 'state.jsonl');
    const a = { id: 'cp_1', project_id: 'proj_x' };
    const b = { id: 'cp_2', project_id: 'proj_y' };
    const journal = ProgressJournal.open(path, { resume: false });
    journal.commit(
      { type: 'page', checkpoint: 'c', page: 1, permissions: 2, after: null, violations: [a, b] },
      10,
    );
    journal.commit(
      {
        type: 'revocation',
        checkpoint: 'c',
        id: 'cp_1',
        project_id: 'proj_x',
        finding_id: 'f_1',
        dryRun: false,
        deleted: true,
        error: undefined,
      },
      20,
    );
    journal.close();
    const state = ProgressJournal.open(path, { resume: true }).state;
    expect(state.listed).toEqual(new Set(['c']));
    expect(state.violations).toEqual({ c: [{ ...a, revoked: true }, b] });
    expect(state.offset).toBe(20);
  });

  it('drops a last line cut off by a kill before appending, so the next entry stays readable', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'journal-')), 'state.jsonl');
    writeFileSync(
      path,
      `${JSON.stringify({ checkpoint: 'a', after: 'cp_1', offset: 10 })}\n{"checkpoint":"b","aft`,
    );
    const journal = ProgressJournal.open(path, { resume: true });
    journal.commit(
      { type: 'page', checkpoint: 'a', page: 2, permissions: 1, after: 'cp_2', violations: [] },
      20,
    );
    journal.close();
    expect(ProgressJournal.open(path, { resume: true }).state.cursors).toEqual({ a: 'cp_2' });
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('records the run in its first line, and gives it back to a resume', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'journal-')), 'state.jsonl');
    const run = { format: 'csv', allow: null, count: 3, all: false };
    ProgressJournal.open(path, { resume: false, run }).close();
    expect(JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!)).toEqual({
      journal: 'rx-checkpoint-permissions/journal',
      version: 1,
      run,
    });
    expect(ProgressJournal.open(path, { resume: true, run: { format: 'jsonl' } }).run).toEqual(run);
    // A journal of version 0.1.0 has no header: it replays, but cannot say which run it saved.
    writeFileSync(path, line({ checkpoint: 'a', done: true, offset: 3 }));
    const old = ProgressJournal.open(path, { resume: true });
    expect({ run: old.run, done: old.state.done }).toEqual({
      run: undefined,
      done: new Set(['a']),
    });
  });

  it('never overwrites, nor cuts, a file that is not a journal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    for (const text of ['notes\n', '{"id": 1}\n', 'one line, no newline']) {
      const path = join(dir, 'notes');
      writeFileSync(path, text);
      expect(() => ProgressJournal.open(path, { resume: false })).toThrow(
        /is not a state file of checkpoint-permissions.*refusing to overwrite it/,
      );
      expect(() => ProgressJournal.open(path, { resume: true })).toThrow(ConfigError);
      expect(readFileSync(path, 'utf8')).toBe(text);
    }
    expect(() => ProgressJournal.open('/dev/null', { resume: true })).toThrow(
      /is not a regular file/,
    );
  });

  it('starts afresh over an empty file or an older journal, keeping the file’s mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const path = join(dir, 'state.jsonl');
    writeFileSync(path, line({ checkpoint: 'a', done: true }), { mode: 0o640 });
    chmodSync(path, 0o640);
    ProgressJournal.open(path, { resume: false }).close();
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(ProgressJournal.open(path, { resume: true }).state.done).toEqual(new Set());
    expect(readdirSync(dir)).toEqual(['state.jsonl']); // no temp file left behind
  });

  it('reports an unwritable state file as a ConfigError', () => {
    expect(() => ProgressJournal.open('/nonexistent-dir/state.jsonl', { resume: false })).toThrow(
      ConfigError,
    );
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    writeFileSync(join(dir, 'x'), '');
    expect(() => ProgressJournal.open(join(dir, 'x', 'state'), { resume: true })).toThrow(
      /Cannot write the state file/,
    );
  });

  it('keeps the file system error as the cause of an unreadable or unwritable state file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const causeOf = (open: () => unknown): unknown => {
      try {
        open();
      } catch (error) {
        return (error as ConfigError).cause;
      }
      return undefined;
    };
    expect(causeOf(() => ProgressJournal.open(dir, { resume: true }))).toMatchObject({
      code: 'EISDIR',
    });
    expect(
      causeOf(() => ProgressJournal.open(join(dir, 'no', 'state'), { resume: false })),
    ).toMatchObject({ code: 'ENOENT' });
    // Malformed content is bad data, not a file system error: no cause.
    writeFileSync(join(dir, 'bad'), 'not json\n{}\n');
    const openBad = (): unknown => ProgressJournal.open(join(dir, 'bad'), { resume: true });
    expect(openBad).toThrow(/is not a journal entry/);
    expect(causeOf(openBad)).toBeUndefined();
  });
});
