/**
 * Conformance: (a) every kind of response body validates against the OpenAPI excerpts' schemas
 * (fine-tuning, and the organization's projects and audit log);
 * (b) the official `openai` SDK pages through exactly the emulator's ground truth; (c) the SDK
 * raises the right error class for each error status.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmulator, type Emulator, type Truth } from '../../src/emulator/index.js';
import { call, permissionsPath } from './helpers.js';

// The excerpt omits FineTuningJob, which ListPaginatedFineTuningJobsResponse references. This local
// schema follows the excerpt's jobs-list example plus the fields the SDK's FineTuningJob requires.
const FINE_TUNING_JOB = {
  type: 'object',
  properties: {
    object: { type: 'string', enum: ['fine_tuning.job'] },
    id: { type: 'string', pattern: '^ftjob-' },
    model: { type: 'string' },
    created_at: { type: 'integer' },
    finished_at: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
    fine_tuned_model: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    organization_id: { type: 'string' },
    result_files: { type: 'array', items: { type: 'string' } },
    status: {
      type: 'string',
      enum: ['validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled'],
    },
    validation_file: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    training_file: { type: 'string' },
    hyperparameters: {
      type: 'object',
      properties: {
        n_epochs: { anyOf: [{ type: 'integer' }, { const: 'auto' }] },
        batch_size: { anyOf: [{ type: 'integer' }, { const: 'auto' }] },
        learning_rate_multiplier: { anyOf: [{ type: 'number' }, { const: 'auto' }] },
      },
    },
    trained_tokens: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
    error: {
      anyOf: [
        {
          type: 'object',
          properties: {
            code: { type: 'string' },
            message: { type: 'string' },
            param: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          },
          required: ['code', 'message', 'param'],
        },
        { type: 'null' },
      ],
    },
    seed: { type: 'integer' },
    metadata: {
      anyOf: [{ type: 'object', additionalProperties: { type: 'string' } }, { type: 'null' }],
    },
  },
  required: [
    'object',
    'id',
    'model',
    'created_at',
    'finished_at',
    'fine_tuned_model',
    'organization_id',
    'result_files',
    'status',
    'validation_file',
    'training_file',
    'hyperparameters',
    'trained_tokens',
    'error',
    'seed',
  ],
};

/** Loads the excerpt's component schemas into Ajv (OpenAPI 3.1 is JSON Schema 2020-12). */
function loadSchemas(): (name: string) => ValidateFunction {
  const excerpt = parse(readFileSync('spec/fixtures/openai-openapi-excerpt.yaml', 'utf8'));
  const organization = parse(
    readFileSync('spec/fixtures/openai-openapi-organization-excerpt.yaml', 'utf8'),
  );
  const schemas = {
    ...excerpt.components.schemas,
    ...organization.components.schemas,
    FineTuningJob: FINE_TUNING_JOB,
  };
  // Refs point into the OpenAPI document; in a plain JSON Schema bundle they live under $defs.
  const bundle = JSON.parse(
    JSON.stringify({ $id: 'openai', $defs: schemas }).replaceAll(
      '#/components/schemas/',
      '#/$defs/',
    ),
  );
  closeObjects(bundle);
  const ajv = new Ajv2020({ allErrors: true });
  // OpenAPI annotations that are not JSON Schema vocabulary: known, and no constraint.
  ajv
    .addKeyword('x-stainless-const')
    .addKeyword('x-oaiMeta')
    .addKeyword('example')
    .addKeyword('x-excerpt-note');
  ajv.addFormat('unixtime', { type: 'number', validate: Number.isInteger });
  ajv.addSchema(bundle);
  return (name) => ajv.getSchema(`openai#/$defs/${name}`) as ValidateFunction;
}

/**
 * Forbids properties a schema does not declare, so the emulator cannot invent fields: the
 * excerpt leaves response objects open, the test closes them.
 */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  if (schema.properties && schema.additionalProperties === undefined) {
    schema.additionalProperties = false;
  }
  Object.values(schema).forEach(closeObjects);
}

let emulator: Emulator;
let truth: Truth;
let schema: (name: string) => ValidateFunction;

function expectValid(name: string, body: unknown): void {
  const validate = schema(name);
  expect(validate, `schema ${name}`).toBeTypeOf('function');
  const valid = validate(body);
  expect(validate.errors ?? [], JSON.stringify(body).slice(0, 300)).toEqual([]);
  expect(valid).toBe(true);
}

beforeAll(async () => {
  schema = loadSchemas();
  emulator = await startEmulator({ organization: { jobs: 8 } });
  truth = emulator.truth();
});
afterAll(() => emulator.close());

/** The first project key: the default project's, which owns jobs in the seeded organisation. */
const projectKey = () => Object.values(emulator.projectKeys)[0] as string;

/** A project that exists, does not own `name` and has no access to it yet. */
const grantable = (name: string): string => {
  const now = emulator.truth();
  const granted = new Set(now.permissions[name]?.map((p) => p.project_id));
  const id = now.projects.find((p) => !granted.has(p.id) && p.id !== now.owners[name])?.id;
  if (id === undefined) throw new Error(`no project left to grant ${name}`);
  return id;
};

const checkpointWith = (size: number) =>
  Object.keys(truth.permissions).find((name) => truth.permissions[name]?.length === size) as string;

describe('(a) response bodies match the OpenAPI excerpt', () => {
  it('the local FineTuningJob schema accepts the excerpt example', () => {
    expectValid('FineTuningJob', {
      object: 'fine_tuning.job',
      id: 'ftjob-abc123',
      model: 'gpt-4o-mini-2024-07-18',
      created_at: 1721764800,
      finished_at: null,
      fine_tuned_model: null,
      organization_id: 'org-123',
      result_files: [],
      status: 'queued',
      validation_file: null,
      training_file: 'file-abc123',
      hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' },
      trained_tokens: null,
      error: null,
      seed: 42,
      metadata: { key: 'value' },
    });
  });

  it('rejects an invented field, so the checks below have teeth', () => {
    expect(
      schema('FineTuningCheckpointPermission')({
        ...truth.permissions[checkpointWith(1)]?.[0],
        extra: 1,
      }),
    ).toBe(false);
  });

  it.each([0, 1, 11, 250])('list permissions (%d permissions)', async (size) => {
    for (const query of ['', 'order=ascending&limit=100']) {
      const { body } = await call(emulator, permissionsPath(checkpointWith(size), query));
      expectValid('ListFineTuningCheckpointPermissionResponse', body);
    }
  });

  it('create and delete permissions', async () => {
    const name = checkpointWith(9);
    const created = await call(emulator, permissionsPath(name), {
      method: 'POST',
      body: { project_ids: [grantable(name)] },
    });
    expectValid('ListFineTuningCheckpointPermissionResponse', created.body);
    const deleted = await call(emulator, `${permissionsPath(name)}/${created.body.data[0].id}`, {
      method: 'DELETE',
    });
    expectValid('DeleteFineTuningCheckpointPermissionResponse', deleted.body);
    expectValid('CreateFineTuningCheckpointPermissionRequest', {
      project_ids: ['proj_conformance'],
    });
  });

  it('list projects, with and without archived ones', async () => {
    for (const query of ['', '?include_archived=true&limit=100', '?limit=1']) {
      const { body } = await call(emulator, `/organization/projects${query}`);
      expect(body.data.length).toBeGreaterThan(0);
      expectValid('ProjectListResponse', body);
    }
  });

  it('list audit logs: created and deleted events, by the admin key and by a colleague', async () => {
    const name = checkpointWith(1);
    const permission = emulator.grant(name, grantable(name));
    emulator.revoke(name, permission.id);
    const mine = await call(emulator, permissionsPath(name), {
      method: 'POST',
      body: { project_ids: [grantable(name)] },
    });
    await call(emulator, `${permissionsPath(name)}/${mine.body.data[0].id}`, { method: 'DELETE' });
    const { body } = await call(emulator, '/organization/audit_logs?limit=100');
    const types = new Set(body.data.map((event: { type: string }) => event.type));
    const actors = new Set(body.data.map((event: { actor: { type: string } }) => event.actor.type));
    expect([...types].sort()).toEqual([
      'checkpoint.permission.created',
      'checkpoint.permission.deleted',
    ]);
    expect([...actors].sort()).toEqual(['api_key', 'session']);
    expectValid('ListAuditLogsResponse', body);
    const empty = await call(emulator, '/organization/audit_logs?effective_at[lt]=1');
    expectValid('ListAuditLogsResponse', empty.body);
  });

  it('list jobs, retrieve a job, list job checkpoints', async () => {
    for (const key of Object.values(emulator.projectKeys)) {
      const jobs = await call(emulator, '/fine_tuning/jobs?limit=100', { key });
      expectValid('ListPaginatedFineTuningJobsResponse', jobs.body);
    }
    for (const job of truth.jobs.filter((j) => emulator.projectKeys[truth.jobOwners[j.id] ?? ''])) {
      expectValid('FineTuningJob', (await call(emulator, `/fine_tuning/jobs/${job.id}`)).body);
      const checkpoints = await call(emulator, `/fine_tuning/jobs/${job.id}/checkpoints`);
      expectValid('ListFineTuningJobCheckpointsResponse', checkpoints.body);
    }
  });

  it('errors: 400, 401, 403, 404, 429, 500, 503', async () => {
    const bodies = [
      await call(emulator, permissionsPath(checkpointWith(1), 'limit=0')),
      await call(emulator, permissionsPath(checkpointWith(1)), { method: 'POST', body: '{' }),
      await call(emulator, '/fine_tuning/jobs', { key: null }),
      await call(emulator, '/fine_tuning/jobs', { key: emulator.adminKey }),
      await call(emulator, '/organization/audit_logs', { key: 'sk-proj-x' }),
      await call(emulator, '/fine_tuning/jobs/ftjob-nope'),
      await call(emulator, '/nope'),
    ];
    emulator.setChaos({ error500: 1 });
    bodies.push(await call(emulator, '/fine_tuning/jobs'));
    emulator.setChaos({ error503: 1 });
    bodies.push(await call(emulator, '/fine_tuning/jobs'));
    emulator.setChaos({});
    emulator.setRateLimit({ requestsPerMinute: 60, burst: 1 });
    await call(emulator, '/fine_tuning/jobs');
    bodies.push(await call(emulator, '/fine_tuning/jobs'));
    emulator.setRateLimit(false);
    const forbidden = await fetch(`${emulator.url}/organization/projects`, {
      headers: { authorization: `Bearer ${emulator.adminKey}`, origin: 'https://evil.example' },
    });
    bodies.push({ status: forbidden.status, body: await forbidden.json() } as never);
    expect(bodies.map((response) => response.status)).toEqual([
      400, 400, 401, 401, 401, 404, 404, 500, 503, 429, 403,
    ]);
    for (const response of bodies) expectValid('ErrorResponse', response.body);
  });
});

describe('(b) the official SDK sees exactly the ground truth', () => {
  let client: OpenAI;
  beforeAll(() => {
    // As the SDK's docs say: the permission endpoints take adminAPIKey, the jobs endpoints apiKey
    // (a project key, which sees its own project's jobs).
    client = new OpenAI({
      apiKey: projectKey(),
      adminAPIKey: emulator.adminKey,
      baseURL: emulator.url,
      maxRetries: 0,
    });
  });

  it('lists every seeded checkpoint\u2019s permissions, descending by default', async () => {
    const current = emulator.truth();
    for (const [name, permissions] of Object.entries(current.permissions)) {
      const seen = [];
      for await (const permission of client.fineTuning.checkpoints.permissions.list(name, {
        limit: 10,
      })) {
        seen.push(permission);
      }
      expect(seen, name).toEqual([...permissions].reverse());
    }
  });

  it('lists them ascending, with other page sizes, and filtered by project', async () => {
    const name = checkpointWith(250);
    for (const limit of [1, 7, 100]) {
      const seen = [];
      for await (const permission of client.fineTuning.checkpoints.permissions.list(name, {
        limit,
        order: 'ascending',
      })) {
        seen.push(permission);
      }
      expect(seen).toEqual(truth.permissions[name]);
    }
    const target = truth.permissions[name]?.[100];
    const page = await client.fineTuning.checkpoints.permissions.list(name, {
      project_id: target?.project_id as string,
    });
    expect(page.data).toEqual([target]);
  });

  it('lists jobs and each job\u2019s checkpoints: those of its project key', async () => {
    const project = Object.keys(emulator.projectKeys)[0];
    const own = truth.jobs.filter((job) => truth.jobOwners[job.id] === project);
    expect(own.length).toBeGreaterThan(1);
    const jobs = [];
    for await (const job of client.fineTuning.jobs.list({ limit: 1 })) jobs.push(job);
    expect(jobs).toEqual(own);
    const checkpoints = [];
    for (const job of own) {
      for await (const checkpoint of client.fineTuning.jobs.checkpoints.list(job.id, {
        limit: 2,
      })) {
        checkpoints.push(checkpoint);
      }
    }
    expect(checkpoints).toEqual(
      truth.checkpoints.filter((c) => own.some((job) => job.id === c.fine_tuning_job_id)),
    );
    expect(await client.fineTuning.jobs.retrieve(own[0]?.id as string)).toEqual(own[0]);
    const foreign = truth.jobs.find((job) => truth.jobOwners[job.id] !== project);
    await expect(client.fineTuning.jobs.retrieve(foreign?.id as string)).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });

  it('creates and deletes permissions on a checkpoint with an awkward name', async () => {
    const name = Object.keys(truth.permissions).find((key) =>
      key.includes('eval/50%#1?'),
    ) as string;
    const project = grantable(name);
    const created = await client.fineTuning.checkpoints.permissions.create(name, {
      project_ids: [project],
    });
    expect(created.data).toEqual([expect.objectContaining({ project_id: project })]);
    const id = created.data[0]?.id as string;
    expect(emulator.truth().permissions[name]?.map((p) => p.id)).toContain(id);
    const deleted = await client.fineTuning.checkpoints.permissions.delete(id, {
      fine_tuned_model_checkpoint: name,
    });
    expect(deleted).toEqual({ object: 'checkpoint.permission', id, deleted: true });
    expect(emulator.truth().permissions[name]?.map((p) => p.id)).not.toContain(id);
  });
  it('lists every project and the audit log with filters, as the SDK serialises them', async () => {
    const projects = [];
    for await (const project of client.admin.organization.projects.list({
      limit: 5,
      include_archived: true,
    })) {
      projects.push(project);
    }
    expect(projects).toEqual(emulator.truth().projects);
    const since = emulator.truth().auditLog[9]?.effective_at as number;
    const events = [];
    for await (const event of client.admin.organization.auditLogs.list({
      limit: 4,
      event_types: ['checkpoint.permission.created', 'checkpoint.permission.deleted'],
      effective_at: { gte: since },
    })) {
      events.push(event);
    }
    expect(events).toEqual(emulator.truth().auditLog.filter((e) => e.effective_at >= since));
  });
});

describe('(c) the SDK raises the right error classes', () => {
  const sdk = (adminAPIKey = emulator.adminKey, apiKey = projectKey()) =>
    new OpenAI({ apiKey, adminAPIKey, baseURL: emulator.url, maxRetries: 0 });
  const firstCheckpoint = () => Object.keys(truth.permissions)[0] as string;

  it('401 -> AuthenticationError', async () => {
    const error = await sdk('sk-admin-wrong-key')
      .fineTuning.checkpoints.permissions.list(firstCheckpoint())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_api_key');
    expect((error as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(/^req_/);
  });

  it('401 -> AuthenticationError for the other kind of key, naming the missing scope', async () => {
    const error = await sdk(projectKey())
      .fineTuning.checkpoints.permissions.list(firstCheckpoint())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toEqual({
      message:
        'You have insufficient permissions for this operation. Missing scopes: api.fine_tuning.checkpoints.read.',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    await expect(
      sdk(emulator.adminKey, emulator.adminKey).fineTuning.jobs.list(),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('404 -> NotFoundError', async () => {
    await expect(sdk().fineTuning.checkpoints.permissions.list('ft:nope')).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });

  it('400 -> BadRequestError naming the parameter', async () => {
    const error = await sdk()
      .fineTuning.checkpoints.permissions.list(firstCheckpoint(), { limit: 101 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).param).toBe('limit');
  });

  it('429 -> RateLimitError', async () => {
    emulator.setRateLimit({ requestsPerMinute: 60, burst: 1 });
    try {
      await sdk().fineTuning.checkpoints.permissions.list(firstCheckpoint());
      await expect(
        sdk().fineTuning.checkpoints.permissions.list(firstCheckpoint()),
      ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    } finally {
      emulator.setRateLimit(false);
    }
  });

  it('500, 502 and 503 -> InternalServerError', async () => {
    for (const chaos of [{ error500: 1 }, { error502Html: 1 }, { error503: 1 }]) {
      emulator.setChaos(chaos);
      await expect(sdk().fineTuning.jobs.list()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    }
    emulator.setChaos({});
  });

  it('reset -> APIConnectionError', async () => {
    emulator.setChaos({ reset: 1 });
    await expect(sdk().fineTuning.jobs.list()).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    emulator.setChaos({});
  });

  it('truncation -> the raw fetch error: the SDK 6.49 does not wrap a body cut short', async () => {
    emulator.setChaos({ truncate: 1 });
    const error = await sdk()
      .fineTuning.jobs.list()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toBe('terminated');
    emulator.setChaos({});
  });
});
