import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type Truth } from '../../../src/emulator/index.js';
import { call } from '../helpers.js';

let emulator: Emulator;
let truth: Truth;
/** The jobs of the project whose key the helper sends: all a project key can see. */
let mine: Truth['jobs'];
const idsOf = (list: { id: string }[]) => list.map((item) => item.id);

beforeAll(async () => {
  emulator = await startEmulator({ organization: { jobs: 100 } });
  truth = emulator.truth();
  const project = Object.keys(emulator.projectKeys)[0];
  mine = truth.jobs.filter((job) => truth.jobOwners[job.id] === project);
});
afterAll(() => emulator.close());

describe('GET /fine_tuning/jobs', () => {
  it('answers the newest 20 by default, without first_id or last_id', async () => {
    const response = await call(emulator, '/fine_tuning/jobs');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      object: 'list',
      data: mine.slice(0, 20),
      has_more: true,
    });
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('pages with the last job id as the cursor', async () => {
    const seen: string[] = [];
    let after = '';
    for (;;) {
      const { body } = await call(emulator, `/fine_tuning/jobs?limit=7&after=${after}`);
      seen.push(...idsOf(body.data));
      if (!body.has_more) break;
      after = body.data[body.data.length - 1].id;
    }
    expect(seen).toEqual(idsOf(mine));
  });

  it('lists newest first by (created_at, id)', () => {
    const times = mine.map((job) => job.created_at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('filters by metadata[k]=v and metadata=null', async () => {
    const tagged = mine.filter((job) => job.metadata !== null);
    const team = tagged[0]?.metadata?.team as string;
    const byTeam = await call(
      emulator,
      `/fine_tuning/jobs?limit=100&metadata[team]=${encodeURIComponent(team)}`,
    );
    expect(idsOf(byTeam.body.data)).toEqual(
      idsOf(tagged.filter((job) => job.metadata?.team === team)),
    );
    const untagged = await call(emulator, '/fine_tuning/jobs?limit=100&metadata=null');
    expect(idsOf(untagged.body.data)).toEqual(idsOf(mine.filter((job) => job.metadata === null)));
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=x', 'limit'],
    ['after=ftjob-unknown', 'after'],
  ])('rejects %s with a 400 naming %s', async (query, param) => {
    const response = await call(emulator, `/fine_tuning/jobs?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', param });
  });
});

describe('GET /fine_tuning/jobs/{job}', () => {
  it('answers the job', async () => {
    const job = mine[3];
    const response = await call(emulator, `/fine_tuning/jobs/${job?.id}`);
    expect(response.body).toEqual(job);
  });

  it('answers 404 for an unknown job', async () => {
    const response = await call(emulator, '/fine_tuning/jobs/ftjob-nope');
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({
      param: 'fine_tuning_job_id',
      message: expect.stringContaining('ftjob-nope'),
    });
  });
});

describe('GET /fine_tuning/jobs/{job}/checkpoints', () => {
  it('answers the job checkpoints, highest step first, with first_id and last_id', async () => {
    const job = mine[0];
    const expected = truth.checkpoints.filter((c) => c.fine_tuning_job_id === job?.id);
    const { body } = await call(emulator, `/fine_tuning/jobs/${job?.id}/checkpoints`);
    expect(body).toEqual({
      object: 'list',
      data: expected,
      first_id: expected[0]?.id,
      last_id: expected[expected.length - 1]?.id,
      has_more: false,
    });
    const steps = expected.map((c) => c.step_number);
    expect(steps).toEqual([...steps].sort((a, b) => b - a));
  });

  it('pages with after and limit', async () => {
    const job = mine[1];
    const expected = truth.checkpoints.filter((c) => c.fine_tuning_job_id === job?.id);
    const first = await call(emulator, `/fine_tuning/jobs/${job?.id}/checkpoints?limit=2`);
    expect(first.body.has_more).toBe(true);
    const rest = await call(
      emulator,
      `/fine_tuning/jobs/${job?.id}/checkpoints?limit=10&after=${first.body.last_id}`,
    );
    expect([...first.body.data, ...rest.body.data]).toEqual(expected);
    expect(rest.body.has_more).toBe(false);
  });

  it('rejects a cursor from another job', async () => {
    const [a, b] = mine;
    const foreign = truth.checkpoints.find((c) => c.fine_tuning_job_id === b?.id);
    const response = await call(
      emulator,
      `/fine_tuning/jobs/${a?.id}/checkpoints?after=${foreign?.id}`,
    );
    expect(response.status).toBe(400);
    expect(response.body.error.param).toBe('after');
  });

  it('answers 404 for an unknown job', async () => {
    expect((await call(emulator, '/fine_tuning/jobs/ftjob-nope/checkpoints')).status).toBe(404);
  });

  it('answers an empty page with null ids for a job without checkpoints', async () => {
    const empty = await startEmulator({
      dataset: { jobs: [{ id: 'ftjob-empty', created_at: 1 }] },
    });
    try {
      const { body } = await call(empty, '/fine_tuning/jobs/ftjob-empty/checkpoints');
      expect(body).toEqual({
        object: 'list',
        data: [],
        first_id: null,
        last_id: null,
        has_more: false,
      });
    } finally {
      await empty.close();
    }
  });
});

describe('unrouted requests', () => {
  it.each([
    ['GET', '/models'],
    ['POST', '/fine_tuning/jobs/ftjob-x/cancel'],
    ['PUT', '/fine_tuning/jobs'],
    ['GET', '/fine_tuning/checkpoints/ft:x/permissions/cp_1'],
  ])('%s %s -> 404 Invalid URL', async (method, path) => {
    const response = await call(emulator, path, { method });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      error: {
        message: `Invalid URL (${method} /v1${path})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });
});
