import { inspect } from 'node:util';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClientIn, type Client, type createClient } from '../../src/client/create-client.js';
import { resolveOptions } from '../../src/client/resolve-options.js';
import { AuthenticationError, ConfigError, ProtocolError } from '../../src/errors.js';
import type { RequestSpec } from '../../src/internal/http/send-request.js';
import { fineTuningJobs$, jobCheckpoints$ } from '../../src/resources/discovery.js';
import { permissions$ } from '../../src/resources/permissions.js';

const ORIGIN = 'http://api.test';
const ADMIN = 'sk-admin-ADMIN-KEY-0123456789';
const PROJECT = 'sk-proj-DEFAULT-KEY-0123456789';
const KEY_A = 'sk-proj-A-KEY-0123456789';
const KEY_B = 'sk-proj-B-KEY-0123456789';
const ALL_KEYS = [ADMIN, PROJECT, KEY_A, KEY_B];

const emptyList = { object: 'list', data: [], has_more: false };
const CHECKPOINT = 'ft:gpt-4o-mini:acme:w:abc:ckpt-step-10';

/** Which Authorization header each path got, in order. */
let seen: { path: string; authorization: string | undefined }[];
let agent: MockAgent;

beforeEach(() => {
  seen = [];
  agent = new MockAgent();
  agent.disableNetConnect();
  agent
    .get(ORIGIN)
    .intercept({ path: () => true, method: () => true })
    .reply((options) => {
      const headers = options.headers as Record<string, string>;
      seen.push({ path: options.path.split('?')[0]!, authorization: headers.authorization });
      return { statusCode: 200, data: JSON.stringify(emptyList) };
    })
    .persist();
});
afterEach(async () => {
  await agent.close();
});

function clientWith(options: Parameters<typeof createClient>[0] = {}): Client {
  return createClientIn(
    { baseURL: `${ORIGIN}/v1`, dispatcher: agent, maxRetries: 0, ...options },
    {},
  );
}

const admin = (path: string): RequestSpec<unknown> => ({ method: 'GET', path, parse: (b) => b });

describe('which key each request gets', () => {
  it.each<[string, (client: Client) => Promise<unknown>, string, string]>([
    [
      'permissions (admin)',
      (client) => lastValueFrom(permissions$(CHECKPOINT, { client })),
      `/v1/fine_tuning/checkpoints/${CHECKPOINT}/permissions`,
      ADMIN,
    ],
    [
      'a custom request without auth (admin by default)',
      (client) => client.request(admin('/organization/projects')),
      '/v1/organization/projects',
      ADMIN,
    ],
    [
      'jobs without a project (apiKey)',
      (client) => lastValueFrom(fineTuningJobs$({ client })),
      '/v1/fine_tuning/jobs',
      PROJECT,
    ],
    [
      'jobs of proj_a (projectKeys.proj_a)',
      (client) => lastValueFrom(fineTuningJobs$({ client, project: 'proj_a' })),
      '/v1/fine_tuning/jobs',
      KEY_A,
    ],
    [
      'job checkpoints of proj_b (projectKeys.proj_b)',
      (client) => lastValueFrom(jobCheckpoints$('ftjob-1', { client, project: 'proj_b' })),
      '/v1/fine_tuning/jobs/ftjob-1/checkpoints',
      KEY_B,
    ],
    [
      "a custom request with auth: 'project'",
      (client) => client.request({ ...admin('/fine_tuning/jobs'), auth: 'project' }),
      '/v1/fine_tuning/jobs',
      PROJECT,
    ],
  ])('%s', async (_name, call, path, key) => {
    for (const projectKeys of [
      { proj_a: KEY_A, proj_b: KEY_B },
      (id: string) => ({ proj_a: KEY_A, proj_b: KEY_B })[id],
    ]) {
      seen = [];
      const client = clientWith({ adminAPIKey: ADMIN, apiKey: PROJECT, projectKeys });
      await call(client);
      await client.close();
      expect(seen).toEqual([{ path, authorization: `Bearer ${key}` }]);
    }
  });

  it('reads the admin key from OPENAI_ADMIN_KEY and the project key from OPENAI_API_KEY', async () => {
    const client = createClientIn(
      { baseURL: `${ORIGIN}/v1`, dispatcher: agent },
      { OPENAI_ADMIN_KEY: ADMIN, OPENAI_API_KEY: PROJECT },
    );
    await lastValueFrom(permissions$(CHECKPOINT, { client }));
    await lastValueFrom(fineTuningJobs$({ client }));
    expect(seen.map((s) => s.authorization)).toEqual([`Bearer ${ADMIN}`, `Bearer ${PROJECT}`]);
  });
});

describe('a missing credential', () => {
  it.each<
    [
      string,
      Parameters<typeof createClient>[0],
      (client: Client) => Promise<unknown>,
      string,
      string[],
    ]
  >([
    [
      'no admin key, for permissions',
      { apiKey: PROJECT, projectKeys: { proj_a: KEY_A } },
      (client) => lastValueFrom(permissions$(CHECKPOINT, { client })),
      'adminAPIKey',
      ['adminAPIKey', 'OPENAI_ADMIN_KEY', `/fine_tuning/checkpoints/${CHECKPOINT}/permissions`],
    ],
    [
      'no project key, for the jobs',
      { adminAPIKey: ADMIN, projectKeys: { proj_a: KEY_A } },
      (client) => lastValueFrom(fineTuningJobs$({ client })),
      'apiKey',
      ['apiKey', 'OPENAI_API_KEY', '/fine_tuning/jobs'],
    ],
    [
      'no key for proj_x in projectKeys (object)',
      { adminAPIKey: ADMIN, apiKey: PROJECT, projectKeys: { proj_a: KEY_A } },
      (client) => lastValueFrom(fineTuningJobs$({ client, project: 'proj_x' })),
      'projectKeys["proj_x"]',
      ['projectKeys', 'proj_x'],
    ],
    [
      'no key for proj_x in projectKeys (function)',
      { adminAPIKey: ADMIN, apiKey: PROJECT, projectKeys: () => undefined },
      (client) => lastValueFrom(jobCheckpoints$('ftjob-1', { client, project: 'proj_x' })),
      'projectKeys["proj_x"]',
      ['projectKeys', 'proj_x'],
    ],
    [
      'no projectKeys at all, for a project',
      { adminAPIKey: ADMIN, apiKey: PROJECT },
      (client) => lastValueFrom(fineTuningJobs$({ client, project: 'proj_x' })),
      'projectKeys["proj_x"]',
      ['projectKeys', 'proj_x'],
    ],
  ])(
    '%s: a ConfigError naming the option, before anything is sent',
    async (_n, options, call, option, words) => {
      const client = clientWith(options);
      const error = await call(client).catch((e: unknown) => e);
      await client.close();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe(option);
      for (const word of words) expect((error as Error).message).toContain(word);
      for (const key of ALL_KEYS) expect(JSON.stringify(error) + String(error)).not.toContain(key);
      expect(seen).toEqual([]);
      expect(client.metrics().requests).toBe(0);
    },
  );

  it('never falls back to the other kind of key', async () => {
    // Only a project key: the permissions endpoint is not sent it.
    const projectOnly = createClientIn(
      { baseURL: `${ORIGIN}/v1`, dispatcher: agent },
      { OPENAI_API_KEY: PROJECT },
    );
    await expect(lastValueFrom(permissions$(CHECKPOINT, { client: projectOnly }))).rejects.toThrow(
      ConfigError,
    );
    // Only an admin key: the jobs endpoint is not sent it.
    const adminOnly = createClientIn(
      { baseURL: `${ORIGIN}/v1`, dispatcher: agent },
      { OPENAI_ADMIN_KEY: ADMIN },
    );
    await expect(lastValueFrom(fineTuningJobs$({ client: adminOnly }))).rejects.toThrow(
      ConfigError,
    );
    expect(seen).toEqual([]);
  });
});

describe('hasCredential', () => {
  it('says which requests the client can authenticate, without a request', () => {
    const client = clientWith({ adminAPIKey: ADMIN, projectKeys: { proj_a: KEY_A } });
    expect(client.hasCredential('admin')).toBe(true);
    expect(client.hasCredential('project')).toBe(false);
    expect(client.hasCredential({ project: 'proj_a' })).toBe(true);
    expect(client.hasCredential({ project: 'proj_b' })).toBe(false);
    expect(seen).toEqual([]);
  });
});

describe('the keys stay secret', () => {
  it('are not in JSON.stringify or util.inspect of the client', async () => {
    const client = clientWith({
      adminAPIKey: ADMIN,
      apiKey: PROJECT,
      projectKeys: { proj_a: KEY_A, proj_b: KEY_B },
    });
    await lastValueFrom(fineTuningJobs$({ client, project: 'proj_a' }));
    for (const rendering of [
      JSON.stringify(client),
      inspect(client, { depth: 10, showHidden: true }),
    ]) {
      for (const key of ALL_KEYS) expect(rendering).not.toContain(key);
    }
    await client.close();
  });

  it('a key the server echoes in an error is scrubbed, whichever key it is', async () => {
    const echoing = new MockAgent();
    echoing.disableNetConnect();
    echoing
      .get(ORIGIN)
      .intercept({ path: () => true, method: () => true })
      .reply((options) => {
        const auth = (options.headers as Record<string, string>).authorization ?? '';
        return {
          statusCode: 401,
          data: JSON.stringify({
            error: {
              message: `Incorrect API key provided: ${auth}`,
              type: 'invalid_request_error',
            },
          }),
          responseOptions: { headers: { 'x-echo': auth } },
        };
      })
      .persist();
    const client = createClientIn(
      {
        baseURL: `${ORIGIN}/v1`,
        dispatcher: echoing,
        maxRetries: 0,
        adminAPIKey: ADMIN,
        apiKey: PROJECT,
        projectKeys: { proj_a: KEY_A },
      },
      {},
    );
    const errors = [
      await lastValueFrom(permissions$(CHECKPOINT, { client })).catch((e: unknown) => e),
      await lastValueFrom(fineTuningJobs$({ client })).catch((e: unknown) => e),
      await lastValueFrom(fineTuningJobs$({ client, project: 'proj_a' })).catch((e: unknown) => e),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(AuthenticationError);
      const renderings = [String(error), JSON.stringify(error), inspect(error, { depth: 10 })];
      for (const key of ALL_KEYS) for (const r of renderings) expect(r).not.toContain(key);
    }
    await client.close();
    await echoing.close();
  });
  it('a key echoed in a 2xx body that is not JSON is scrubbed from the ProtocolError', async () => {
    const echoing = new MockAgent();
    echoing.disableNetConnect();
    echoing
      .get(ORIGIN)
      .intercept({ path: () => true, method: () => true })
      .reply((options) => ({
        statusCode: 200,
        data: `you sent ${(options.headers as Record<string, string>).authorization ?? ''}`,
      }))
      .persist();
    const client = createClientIn(
      { baseURL: `${ORIGIN}/v1`, dispatcher: echoing, maxRetries: 0, adminAPIKey: ADMIN },
      {},
    );
    const error = await lastValueFrom(permissions$(CHECKPOINT, { client })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toContain('[redacted]');
    for (const r of [String(error), JSON.stringify(error), inspect(error, { depth: 10 })]) {
      expect(r).not.toContain(ADMIN);
    }
    await client.close();
    await echoing.close();
  });
});

describe('options', () => {
  it.each<[string, unknown, string]>([
    ['adminAPIKey', { adminAPIKey: 42 }, 'adminAPIKey'],
    ['adminAPIKey', { adminAPIKey: `${ADMIN} x` }, 'adminAPIKey'],
    ['apiKey', { apiKey: '' }, 'apiKey'],
    ['projectKeys', { projectKeys: 'sk-proj-x' }, 'projectKeys'],
    ['projectKeys entry', { projectKeys: { proj_a: 42 } }, 'projectKeys["proj_a"]'],
    [
      'projectKeys entry',
      { projectKeys: { proj_a: `${KEY_A} ${KEY_A}` } },
      'projectKeys["proj_a"]',
    ],
  ])('%s: %j is a ConfigError naming it, without the key', (_n, options, option) => {
    let error: unknown;
    try {
      resolveOptions(options, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe(option);
    for (const key of ALL_KEYS) expect(String(error)).not.toContain(key);
  });

  it('a key that a projectKeys function returns badly is a ConfigError at the request', async () => {
    const client = clientWith({ projectKeys: () => 42 as unknown as string });
    const error = await firstValueFrom(fineTuningJobs$({ client, project: 'proj_a' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe('projectKeys["proj_a"]');
    expect(seen).toEqual([]);
  });
});
