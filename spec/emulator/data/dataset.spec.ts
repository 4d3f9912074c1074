import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatasetError,
  datasetOf,
  seedOrganization,
  startEmulator,
} from '../../../src/emulator/index.js';
import { loadDataset } from '../../../src/emulator/data/validate-dataset.js';
import { call, permissionsPath } from '../helpers.js';

const job = { id: 'ftjob-1', created_at: 1721764800 };
const checkpoint = { fine_tuned_model_checkpoint: 'ft:gpt-4o-mini-2024-07-18:acme:x:ab12CD34' };
const permission = { id: 'cp_1', created_at: 1721764900, project_id: 'proj_a' };

describe('datasetOf', () => {
  it('builds the shorthand form', () => {
    expect(datasetOf({ 'ft:a': 3 })).toEqual({ checkpoints: { 'ft:a': 3 } });
    expect(datasetOf({ 'ft:b': 1 }, { projects: ['proj_x'], checkpoints: { 'ft:a': 2 } })).toEqual({
      projects: ['proj_x'],
      checkpoints: { 'ft:a': 2, 'ft:b': 1 },
    });
  });

  it('validates the counts', () => {
    expect(() => datasetOf({ 'ft:a': -1 })).toThrow(DatasetError);
  });
});

describe('loadDataset', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emulator-dataset-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a seeded organisation back unchanged', async () => {
    const path = join(dir, 'org.json');
    const dataset = seedOrganization({ seed: 3, jobs: 2 });
    await writeFile(path, JSON.stringify(dataset));
    expect(await loadDataset(path)).toEqual(dataset);
  });

  it('names the file and the bad field', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(
      path,
      JSON.stringify({
        jobs: [
          {
            ...job,
            checkpoints: [{ ...checkpoint, permissions: [{ ...permission, project_id: 7 }] }],
          },
        ],
      }),
    );
    const error = await loadDataset(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).path).toBe('jobs[0].checkpoints[0].permissions[0].project_id');
    expect((error as Error).message).toBe(
      `${path}: jobs[0].checkpoints[0].permissions[0].project_id must be a non-empty string, got 7`,
    );
  });

  it('names the file when it is not JSON or missing', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{ "jobs": [ ');
    await expect(loadDataset(path)).rejects.toThrow(`${path}: cannot read the dataset`);
    await expect(loadDataset(join(dir, 'missing.json'))).rejects.toThrow(
      /missing\.json: cannot read/,
    );
  });

  it('is what startEmulator uses for a dataset path', async () => {
    const path = join(dir, 'small.json');
    await writeFile(path, JSON.stringify({ checkpoints: { 'ft:a/b c': 12 } }));
    const emulator = await startEmulator({ dataset: path });
    try {
      const response = await call(emulator, permissionsPath('ft:a/b c', 'limit=100'));
      expect(response.body.data).toHaveLength(12);
    } finally {
      await emulator.close();
    }
    await writeFile(path, JSON.stringify({ checkpoints: { 'ft:a': 'x' } }));
    await expect(startEmulator({ dataset: path })).rejects.toThrow(DatasetError);
  });

  it('validates a dataset object given to startEmulator', async () => {
    await expect(startEmulator({ dataset: { jobs: [{ id: '' }] } as never })).rejects.toThrow(
      'jobs[0].id must be a non-empty string',
    );
  });
});
