import { lastValueFrom, toArray } from 'rxjs';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClientIn, type Client } from '../../src/client/create-client.js';
import { ConfigError } from '../../src/errors.js';
import { auditLog$ } from '../../src/resources/audit-log.js';
import { projects$ } from '../../src/resources/projects.js';

// What goes on the wire: paths, queries and keys. Paging and filtering against the emulator's
// ground truth are in organization.spec.ts.
const ORIGIN = 'http://api.test';
const ADMIN = 'sk-admin-ADMIN-0123456789';

let agent: MockAgent;
let client: Client;
let sent: { url: string; authorization: string | undefined }[];
/** The pages to answer with, in order. */
let pages: unknown[];

beforeEach(() => {
  sent = [];
  pages = [];
  agent = new MockAgent();
  agent.disableNetConnect();
  agent
    .get(ORIGIN)
    .intercept({ path: () => true, method: 'GET' })
    .reply((options) => {
      sent.push({
        url: options.path,
        authorization: (options.headers as Record<string, string>).authorization,
      });
      return { statusCode: 200, data: JSON.stringify(pages.shift()) };
    })
    .persist();
  client = createClientIn(
    {
      baseURL: `${ORIGIN}/v1`,
      dispatcher: agent,
      maxRetries: 0,
      adminAPIKey: ADMIN,
      apiKey: 'sk-proj-P-0123456789',
    },
    {},
  );
});
afterEach(async () => {
  await client.close();
  await agent.close();
});

const event = (id: string): unknown => ({ id, type: 'project.created', effective_at: 1 });
const project = (id: string): unknown => ({ id, object: 'organization.project', created_at: 1 });

describe('auditLog$ on the wire', () => {
  it('sends every filter as openai-node does, with the admin key, and repeats them on each page', async () => {
    pages = [
      {
        object: 'list',
        data: [event('audit_log-b')],
        first_id: 'audit_log-b',
        last_id: 'audit_log-b',
        has_more: true,
      },
      {
        object: 'list',
        data: [event('audit_log-a')],
        first_id: 'audit_log-a',
        last_id: 'audit_log-a',
        has_more: false,
      },
    ];
    const got = await lastValueFrom(
      auditLog$(
        {
          event_types: ['checkpoint.permission.created', 'checkpoint.permission.deleted'],
          effective_at: { gte: 1700000000, lt: 1800000000 },
          resource_ids: ['cp_1'],
          project_ids: ['proj_default'],
          actor_ids: ['key_1'],
          actor_emails: ['ops@acme.test'],
          limit: 1,
          after: 'audit_log-c',
        },
        { client },
      ).pipe(toArray()),
    );
    expect(got.flatMap((p) => p.data.map((e) => e.id))).toEqual(['audit_log-b', 'audit_log-a']);
    const filters =
      'event_types%5B%5D=checkpoint.permission.created&event_types%5B%5D=checkpoint.permission.deleted' +
      '&resource_ids%5B%5D=cp_1&project_ids%5B%5D=proj_default&actor_ids%5B%5D=key_1' +
      '&actor_emails%5B%5D=ops%40acme.test&effective_at%5Bgte%5D=1700000000&effective_at%5Blt%5D=1800000000' +
      '&limit=1';
    expect(sent).toEqual([
      {
        url: `/v1/organization/audit_logs?${filters}&after=audit_log-c`,
        authorization: `Bearer ${ADMIN}`,
      },
      {
        url: `/v1/organization/audit_logs?${filters}&after=audit_log-b`,
        authorization: `Bearer ${ADMIN}`,
      },
    ]);
  });

  it('with before, asks for that one page: the API takes after or before, not both', async () => {
    pages = [
      {
        object: 'list',
        data: [event('audit_log-y')],
        first_id: 'audit_log-y',
        last_id: 'audit_log-y',
        has_more: true,
      },
    ];
    const got = await lastValueFrom(
      auditLog$({ before: 'audit_log-x', limit: 1 }, { client }).pipe(toArray()),
    );
    expect(got).toHaveLength(1);
    expect(sent.map((s) => s.url)).toEqual([
      '/v1/organization/audit_logs?limit=1&before=audit_log-x',
    ]);
  });

  it.each<[string, unknown, string]>([
    ['after and before together', { after: 'audit_log-a', before: 'audit_log-b' }, 'query.before'],
    ['an unknown filter', { event_type: ['x'] }, 'query.event_type'],
    [
      'a string for an array',
      { event_types: 'checkpoint.permission.created' },
      'query.event_types',
    ],
    ['an empty id', { actor_ids: [''] }, 'query.actor_ids[0]'],
    ['an unknown bound', { effective_at: { since: 1 } }, 'query.effective_at.since'],
    [
      'a bound that is not a whole number',
      { effective_at: { gte: 1.5 } },
      'query.effective_at.gte',
    ],
    ['a zero limit', { limit: 0 }, 'query.limit'],
  ])('refuses %s with a ConfigError naming it, before anything is sent', (_n, query, option) => {
    let error: unknown;
    try {
      auditLog$(query as never, { client });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe(option);
    expect(sent).toEqual([]);
  });
});

describe('projects$ on the wire', () => {
  it('sends limit and include_archived with the admin key, and follows the cursor', async () => {
    pages = [
      {
        object: 'list',
        data: [project('proj_a')],
        first_id: 'proj_a',
        last_id: 'proj_a',
        has_more: true,
      },
      {
        object: 'list',
        data: [project('proj_b')],
        first_id: 'proj_b',
        last_id: 'proj_b',
        has_more: false,
      },
    ];
    const got = await lastValueFrom(
      projects$({ client, limit: 1, includeArchived: true }).pipe(toArray()),
    );
    expect(got.flatMap((p) => p.data.map((x) => x.id))).toEqual(['proj_a', 'proj_b']);
    expect(sent).toEqual([
      {
        url: '/v1/organization/projects?limit=1&include_archived=true',
        authorization: `Bearer ${ADMIN}`,
      },
      {
        url: '/v1/organization/projects?limit=1&include_archived=true&after=proj_a',
        authorization: `Bearer ${ADMIN}`,
      },
    ]);
  });

  it('sends no query of its own by default', async () => {
    pages = [{ object: 'list', data: [], has_more: false }];
    await lastValueFrom(projects$({ client }));
    expect(sent.map((s) => s.url)).toEqual(['/v1/organization/projects']);
  });

  it.each<[string, unknown, string]>([
    ['includeArchived as text', { includeArchived: 'yes' }, 'includeArchived'],
    ['include_archived (the API spelling)', { include_archived: true }, 'include_archived'],
    ['a zero limit', { limit: 0 }, 'limit'],
  ])('refuses %s with a ConfigError naming it', (_n, options, option) => {
    let error: unknown;
    try {
      projects$({ client, ...(options as object) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe(option);
  });
});
