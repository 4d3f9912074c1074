import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { connect, parseCsv, run, SECRET_KEY, CSV_HEADER } from './helpers.js';

/** Cells a spreadsheet would run as formulas (OWASP's CSV injection list), as project ids. */
const FORMULAS = ['=cmd|"/c calc"!A1', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\r=1'];
const CHECKPOINT = 'ft:gpt-4o-mini-2024-07-18:acme:csv:Qx1';
const FORMULA_CHECKPOINT = '=HYPERLINK("http://evil")';
/** A project's name is anyone's to choose in the dashboard: as hostile as any id. */
const FORMULA_NAME = '=HYPERLINK("http://evil","Partner")';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    adminKey: SECRET_KEY,
    dataset: {
      jobs: [
        {
          id: 'ftjob-csv',
          created_at: 1_700_000_000,
          checkpoints: [
            {
              fine_tuned_model_checkpoint: CHECKPOINT,
              permissions: FORMULAS.map((project_id, i) => ({
                id: `cp_${i}`,
                project_id,
                created_at: 1_700_000_100 + i,
              })),
            },
            {
              fine_tuned_model_checkpoint: FORMULA_CHECKPOINT,
              permissions: [{ id: 'cp_x', project_id: 'proj_ok', created_at: 1_700_000_200 }],
            },
          ],
        },
      ],
      projects: [{ id: 'proj_ok', name: FORMULA_NAME, status: 'archived' }],
    },
  });
});
afterAll(() => emulator.close());

/** What a neutralised cell reads as once parsed: the value, behind a single quote. */
const neutral = (value: string): string => `'${value}`;

/** Every data row ends in CRLF (RFC 4180 §2.1), and no cell parses to something starting a formula. */
function expectSafeCsv(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replaceAll('\r\n', '').replace(/"[^"]*"/g, '')).not.toMatch(/\n/);
  const rows = parseCsv(text);
  for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  return rows;
}

describe('CSV formula injection', () => {
  it('list --format csv neutralises every formula-like project id, with CRLF line endings', async () => {
    const r = await run([
      'list',
      CHECKPOINT,
      '--format',
      'csv',
      '--order',
      'ascending',
      ...connect(emulator),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\r\n')[0]).toBe(CSV_HEADER.join(','));
    const truth = emulator.truth().permissions[CHECKPOINT]!;
    expect(expectSafeCsv(r.stdout).slice(1)).toEqual(
      truth.map((p) => [
        CHECKPOINT,
        p.id,
        neutral(p.project_id),
        String(p.created_at),
        '',
        '',
        '',
        '',
        '',
        'false',
        '',
      ]),
    );
    // Quoted, as OWASP recommends, so the quote-prefixed cell stays one field.
    expect(r.stdout).toContain(`"'=cmd|""/c calc""!A1"`);
  });

  it('audit --format csv neutralises checkpoint names, project ids and project names too', async () => {
    const r = await run(['audit', '--all', '--format', 'csv', '--quiet', ...connect(emulator)]);
    expect(r.code).toBe(0);
    const rows = expectSafeCsv(r.stdout).slice(1);
    const { permissions, projects } = emulator.truth();
    const safe = (cell: string): string => (/^[=+\-@\t\r]/.test(cell) ? neutral(cell) : cell);
    const expected = Object.entries(permissions).flatMap(([checkpoint, list]) =>
      list.map((p) => {
        const project = projects.find((candidate) => candidate.id === p.project_id)!;
        return [
          safe(checkpoint),
          p.id,
          safe(p.project_id),
          String(p.created_at),
          '',
          '',
          '',
          safe(project.name),
          project.status,
          String(project.status === 'archived'),
          '',
        ];
      }),
    );
    expect(rows.sort()).toEqual(expected.sort());
    expect(rows.map((row) => row[7])).toContain(neutral(FORMULA_NAME));
  });
});
