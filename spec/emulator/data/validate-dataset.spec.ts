import { describe, expect, it } from 'vitest';
import { DatasetError, seedOrganization } from '../../../src/emulator/index.js';
import { validateDataset } from '../../../src/emulator/data/validate-dataset.js';

const job = { id: 'ftjob-1', created_at: 1721764800 };
const checkpoint = { fine_tuned_model_checkpoint: 'ft:gpt-4o-mini-2024-07-18:acme:x:ab12CD34' };
const permission = { id: 'cp_1', created_at: 1721764900, project_id: 'proj_a' };

function errorOf(value: unknown): DatasetError {
  try {
    validateDataset(value);
  } catch (error) {
    if (error instanceof DatasetError) return error;
    throw error;
  }
  throw new Error('expected a DatasetError');
}

describe('validateDataset', () => {
  it.each([
    ['an empty dataset', {}],
    ['a shorthand', { checkpoints: { 'ft:a': 3, 'ft:b': 0 } }],
    ['a minimal job', { jobs: [job] }],
    ['a job with a checkpoint', { jobs: [{ ...job, checkpoints: [checkpoint] }] }],
    [
      'explicit permissions',
      { jobs: [{ ...job, checkpoints: [{ ...checkpoint, permissions: [permission] }] }] },
    ],
    [
      'a permission count',
      { jobs: [{ ...job, checkpoints: [{ ...checkpoint, permissions: 250 }] }] },
    ],
    ['a seeded organisation', seedOrganization()],
    [
      'truth() output shapes',
      {
        jobs: [
          {
            ...job,
            object: 'fine_tuning.job',
            status: 'failed',
            metadata: null,
            error: null,
            checkpoints: [
              {
                ...checkpoint,
                object: 'fine_tuning.job.checkpoint',
                fine_tuning_job_id: 'ftjob-1',
                permissions: [{ ...permission, object: 'checkpoint.permission' }],
              },
            ],
          },
        ],
      },
    ],
  ])('accepts %s', (_name, value) => {
    expect(validateDataset(value)).toBe(value);
  });

  it.each([
    ['not an object', [], 'dataset', 'must be an object'],
    ['an unknown top-level field', { job: [] }, 'job', 'is not a known field'],
    ['jobs not an array', { jobs: {} }, 'jobs', 'must be an array'],
    ['a job without id', { jobs: [{ created_at: 1 }] }, 'jobs[0].id', 'must be a non-empty string'],
    [
      'a bad created_at',
      { jobs: [{ ...job, created_at: '2024' }] },
      'jobs[0].created_at',
      'Unix timestamp',
    ],
    [
      'a fractional created_at',
      { jobs: [{ ...job, created_at: 1.5 }] },
      'jobs[0].created_at',
      'Unix timestamp',
    ],
    ['a bad status', { jobs: [{ ...job, status: 'done' }] }, 'jobs[0].status', 'one of'],
    [
      'a misspelt field',
      { jobs: [{ ...job, checkpionts: [] }] },
      'jobs[0].checkpionts',
      'not a known field',
    ],
    ['duplicate job ids', { jobs: [job, job] }, 'jobs[1].id', 'must be unique'],
    [
      'bad metadata',
      { jobs: [{ ...job, metadata: { a: 1 } }] },
      'jobs[0].metadata["a"]',
      'a string',
    ],
    [
      'a wrong job object',
      { jobs: [{ ...job, object: 'job' }] },
      'jobs[0].object',
      '"fine_tuning.job"',
    ],
    [
      'a nameless checkpoint',
      { jobs: [{ ...job, checkpoints: [{}] }] },
      'jobs[0].checkpoints[0].fine_tuned_model_checkpoint',
      'non-empty string',
    ],
    [
      'a checkpoint of another job',
      { jobs: [{ ...job, checkpoints: [{ ...checkpoint, fine_tuning_job_id: 'ftjob-2' }] }] },
      'jobs[0].checkpoints[0].fine_tuning_job_id',
      '"ftjob-1"',
    ],
    [
      'a bad metric',
      { jobs: [{ ...job, checkpoints: [{ ...checkpoint, metrics: { loss: 'low' } }] }] },
      'jobs[0].checkpoints[0].metrics["loss"]',
      'a number',
    ],
    [
      'a negative count',
      { jobs: [{ ...job, checkpoints: [{ ...checkpoint, permissions: -1 }] }] },
      'jobs[0].checkpoints[0].permissions',
      'integer >= 0',
    ],
    ['a huge count', { checkpoints: { 'ft:a': 1e9 } }, 'checkpoints["ft:a"]', 'at most'],
    [
      'a bad shorthand count',
      { checkpoints: { 'ft:a': 'ten' } },
      'checkpoints["ft:a"]',
      'integer >= 0',
    ],
    [
      'a permission without project',
      {
        jobs: [
          {
            ...job,
            checkpoints: [{ ...checkpoint, permissions: [{ id: 'cp_1', created_at: 1 }] }],
          },
        ],
      },
      'jobs[0].checkpoints[0].permissions[0].project_id',
      'non-empty string',
    ],
    [
      'a bad permission created_at',
      {
        jobs: [
          {
            ...job,
            checkpoints: [{ ...checkpoint, permissions: [{ ...permission, created_at: -1 }] }],
          },
        ],
      },
      'jobs[0].checkpoints[0].permissions[0].created_at',
      'Unix timestamp',
    ],
    [
      'duplicate permission ids',
      {
        jobs: [{ ...job, checkpoints: [{ ...checkpoint, permissions: [permission, permission] }] }],
      },
      'jobs[0].checkpoints[0].permissions[1].id',
      'must be unique',
    ],
    [
      'a checkpoint named twice',
      {
        jobs: [{ ...job, checkpoints: [checkpoint] }],
        checkpoints: { [checkpoint.fine_tuned_model_checkpoint]: 1 },
      },
      `checkpoints[${JSON.stringify(checkpoint.fine_tuned_model_checkpoint)}]`,
      'must be unique',
    ],
    [
      'duplicate checkpoint ids',
      {
        jobs: [
          {
            ...job,
            checkpoints: [
              { ...checkpoint, id: 'ftckpt_1' },
              { fine_tuned_model_checkpoint: 'ft:b', id: 'ftckpt_1' },
            ],
          },
        ],
      },
      'jobs[0].checkpoints[1].id',
      'must be unique',
    ],
    ['projects not ids or objects', { projects: ['proj_a', 3] }, 'projects[1]', 'an object'],
  ])('rejects %s', (_name, value, path, message) => {
    const error = errorOf(value);
    expect(error.path).toBe(path);
    expect(error.message).toContain(path === 'dataset' ? 'dataset' : path);
    expect(error.message).toContain(message);
  });
});
