import { describe, expect, it } from 'vitest';
import { datasetOf, seedOrganization } from '../../../src/emulator/index.js';
import { materialize } from '../../../src/emulator/data/materialize.js';

describe('materialize', () => {
  it('fills in the documented job and checkpoint defaults', () => {
    const org = materialize(
      {
        jobs: [
          {
            id: 'ftjob-1',
            created_at: 1000,
            checkpoints: [
              { fine_tuned_model_checkpoint: 'ft:m:acme:x:ab12CD34:ckpt-step-50' },
              { fine_tuned_model_checkpoint: 'ft:m:acme:x:ab12CD34' },
            ],
          },
        ],
      },
      1,
    );
    expect(org.organizationId).toBe('org-emulator');
    expect(org.jobs).toEqual([
      {
        object: 'fine_tuning.job',
        id: 'ftjob-1',
        model: 'gpt-4o-mini-2024-07-18',
        created_at: 1000,
        finished_at: null,
        fine_tuned_model: null,
        organization_id: 'org-emulator',
        result_files: [],
        status: 'succeeded',
        validation_file: null,
        training_file: 'file-emulator-training',
        hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' },
        trained_tokens: null,
        error: null,
        seed: 0,
        metadata: null,
      },
    ]);
    expect(org.checkpoints).toEqual([
      {
        object: 'fine_tuning.job.checkpoint',
        id: expect.stringMatching(/^ftckpt_[A-Za-z0-9]{24}$/),
        created_at: 1600,
        fine_tuned_model_checkpoint: 'ft:m:acme:x:ab12CD34:ckpt-step-50',
        metrics: { step: 50 },
        fine_tuning_job_id: 'ftjob-1',
        step_number: 50,
      },
      expect.objectContaining({ created_at: 2200, step_number: 2, metrics: { step: 2 } }),
    ]);
    expect(org.permissions.get('ft:m:acme:x:ab12CD34')).toEqual([]);
  });

  it('keeps explicit values and permissions', () => {
    const dataset = seedOrganization({ jobs: 1, checkpointsPerJob: 1 });
    const org = materialize(dataset, 99);
    const checkpoint = dataset.jobs?.[0]?.checkpoints?.[0];
    expect(org.checkpoints[0]).toMatchObject({
      id: checkpoint?.id,
      created_at: checkpoint?.created_at,
    });
    expect(org.permissions.get(checkpoint?.fine_tuned_model_checkpoint ?? '')).toEqual(
      (checkpoint?.permissions as object[]).map((p) => ({ object: 'checkpoint.permission', ...p })),
    );
  });

  it('generates counts deterministically per (seed, checkpoint name)', () => {
    const one = materialize(datasetOf({ 'ft:a': 25 }), 1).permissions.get('ft:a');
    const both = materialize(datasetOf({ 'ft:a': 25, 'ft:b': 3 }), 1).permissions.get('ft:a');
    const other = materialize(datasetOf({ 'ft:a': 25 }), 2).permissions.get('ft:a');
    expect(one).toHaveLength(25);
    expect(both).toEqual(one);
    expect(other).not.toEqual(one);
  });

  it('puts shorthand checkpoints under one synthetic job', () => {
    const org = materialize(datasetOf({ 'ft:a': 1, 'ft:b': 2 }), 1);
    expect(org.jobs).toHaveLength(1);
    expect(org.jobs[0]?.id).toMatch(/^ftjob-[A-Za-z0-9]{24}$/);
    expect(
      org.checkpoints.map((c) => [c.fine_tuned_model_checkpoint, c.fine_tuning_job_id]),
    ).toEqual([
      ['ft:a', org.jobs[0]?.id],
      ['ft:b', org.jobs[0]?.id],
    ]);
  });

  it('grants generated permissions to the dataset projects first, then to new ones', () => {
    const org = materialize({ projects: ['proj_a', 'proj_b'], checkpoints: { 'ft:a': 5 } }, 1);
    const projects = org.permissions.get('ft:a')?.map((p) => p.project_id) ?? [];
    expect(projects).toEqual(expect.arrayContaining(['proj_a', 'proj_b']));
    expect(new Set(projects).size).toBe(5);
  });
});
