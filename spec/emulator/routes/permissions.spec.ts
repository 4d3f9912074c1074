import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmulator,
  type CheckpointPermission,
  type Emulator,
} from '../../../src/emulator/index.js';
import { call, permissionsPath } from '../helpers.js';

let emulator: Emulator;
let permissions: Record<string, CheckpointPermission[]>;
/** The name of a seeded checkpoint with `size` permissions. */
const withSize = (size: number): string => {
  const name = Object.keys(permissions).find((key) => permissions[key]?.length === size);
  if (name === undefined) throw new Error(`no checkpoint with ${size} permissions`);
  return name;
};
const idsOf = (list: { id: string }[]) => list.map((item) => item.id);

beforeAll(async () => {
  emulator = await startEmulator();
  permissions = emulator.truth().permissions;
});
afterAll(() => emulator.close());

describe('GET /fine_tuning/checkpoints/{checkpoint}/permissions', () => {
  it('answers the newest 10 by default (limit 10, order descending)', async () => {
    const name = withSize(11);
    const response = await call(emulator, permissionsPath(name));
    const expected = [...(permissions[name] ?? [])].reverse().slice(0, 10);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(response.body).toEqual({
      object: 'list',
      data: expected,
      first_id: expected[0]?.id,
      last_id: expected[9]?.id,
      has_more: true,
    });
  });

  it.each([0, 1, 9, 10, 11, 250])(
    'pages through %d permissions in both orders with limits around 10',
    async (size) => {
      const name = withSize(size);
      for (const order of ['ascending', 'descending'] as const) {
        for (const limit of [1, 9, 10, 11, 100]) {
          const seen: string[] = [];
          let after: string | null = null;
          for (;;) {
            const query = new URLSearchParams({ order, limit: String(limit) });
            if (after) query.set('after', after);
            const { body } = await call(emulator, permissionsPath(name, String(query)));
            seen.push(...idsOf(body.data));
            expect(body.first_id).toBe(body.data[0]?.id ?? null);
            expect(body.last_id).toBe(body.data[body.data.length - 1]?.id ?? null);
            if (!body.has_more) break;
            expect(body.data).toHaveLength(limit);
            after = body.last_id;
          }
          const ascending = idsOf(permissions[name] ?? []);
          expect(seen).toEqual(order === 'ascending' ? ascending : ascending.reverse());
        }
      }
    },
  );

  it('answers an empty list with null first_id and last_id', async () => {
    const { body } = await call(emulator, permissionsPath(withSize(0)));
    expect(body).toEqual({
      object: 'list',
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
  });

  it('filters by project_id before paging', async () => {
    const name = withSize(250);
    const target = permissions[name]?.[17] as CheckpointPermission;
    const { body } = await call(
      emulator,
      permissionsPath(name, `project_id=${target.project_id}&limit=100`),
    );
    expect(body.data).toEqual([target]);
    expect(body.has_more).toBe(false);
    const none = await call(emulator, permissionsPath(name, 'project_id=proj_nobody'));
    expect(none.body.data).toEqual([]);
  });

  it('reaches a checkpoint whose name holds / ? # % and spaces, percent-encoded', async () => {
    const name = Object.keys(permissions).find((key) => key.includes(' eval/50%#1?'));
    expect(name).toBeDefined();
    const { status, body } = await call(emulator, permissionsPath(name as string, 'limit=100'));
    expect(status).toBe(200);
    expect(idsOf(body.data)).toEqual(idsOf(permissions[name as string] ?? []).reverse());
  });

  it('reaches it with the official SDK encoding too: colons raw, / as %2F, space as %20', async () => {
    const name = Object.keys(permissions).find((key) => key.includes(' eval/50%#1?')) as string;
    const sdkEncoded = name.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]+/g, encodeURIComponent);
    expect(sdkEncoded).toContain(':acme:q3%20eval%2F50%25%231%3F:');
    const { body } = await call(
      emulator,
      `/fine_tuning/checkpoints/${sdkEncoded}/permissions?limit=100`,
    );
    expect(body.data).toHaveLength(permissions[name]?.length ?? -1);
  });

  it.each([
    ['limit=0', 'limit', 'integer_below_min_value'],
    ['limit=101', 'limit', 'integer_above_max_value'],
    ['limit=abc', 'limit', 'invalid_type'],
    ['order=sideways', 'order', 'invalid_value'],
    ['after=cp_neverSeenHere', 'after', 'invalid_value'],
  ])('rejects %s with a 400 naming %s', async (query, param, code) => {
    const response = await call(emulator, permissionsPath(withSize(11), query));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: { message: expect.any(String), type: 'invalid_request_error', param, code },
    });
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('answers 404 for an unknown checkpoint', async () => {
    const response = await call(emulator, permissionsPath('ft:gpt-4o-mini:acme:nope:x'));
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({
      type: 'invalid_request_error',
      param: 'fine_tuned_model_checkpoint',
      message: expect.stringContaining('ft:gpt-4o-mini:acme:nope:x'),
    });
  });
});

describe('checkpoint names that look like paths or queries', () => {
  const names = {
    'ft:x': 1,
    'ft:x/permissions': 2,
    'ft:x?limit=1': 3,
    'ft:x#fragment': 4,
    'ft:100%': 5,
    'ft:with space': 6,
    'ft:%2F': 7,
  };
  let tricky: Emulator;
  beforeAll(async () => {
    tricky = await startEmulator({ dataset: { checkpoints: names } });
  });
  afterAll(() => tricky.close());

  it.each(Object.entries(names))('%s reaches its own resource', async (name, count) => {
    const { status, body } = await call(tricky, permissionsPath(name, 'limit=100'));
    expect(status).toBe(200);
    expect(body.data).toHaveLength(count);
  });

  it('answers 400 for a malformed escape', async () => {
    const response = await call(tricky, '/fine_tuning/checkpoints/ft%zz/permissions');
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('percent-encoding');
  });
});

describe('writes', () => {
  let writable: Emulator;
  const name = 'ft:gpt-4o-mini-2024-07-18:acme:writes:ab12CD34:ckpt-step-10';
  const list = async (query = 'limit=100') =>
    (await call(writable, permissionsPath(name, query))).body;
  let NEW1: string;
  let NEW2: string;
  let AGAIN: string;
  beforeAll(async () => {
    writable = await startEmulator({ dataset: { checkpoints: { [name]: 12 } } });
    // Projects that exist, have no access yet and do not own the checkpoint: the ones to grant.
    const truth = writable.truth();
    const granted = new Set(truth.permissions[name]?.map((p) => p.project_id));
    [NEW1, NEW2, AGAIN] = truth.projects
      .map((project) => project.id)
      .filter((id) => !granted.has(id) && id !== truth.owners[name]) as [string, string, string];
  });
  afterAll(() => writable.close());

  it('creates permissions and lists them first (newest)', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await call(writable, permissionsPath(name), {
      method: 'POST',
      body: { project_ids: [NEW1, NEW2, NEW1] },
    });
    expect(response.status).toBe(200);
    const { data } = response.body;
    expect(response.body).toEqual({
      object: 'list',
      data: [
        {
          object: 'checkpoint.permission',
          id: expect.stringMatching(/^cp_[A-Za-z0-9]{24}$/),
          created_at: expect.any(Number),
          project_id: NEW1,
        },
        {
          object: 'checkpoint.permission',
          id: expect.stringMatching(/^cp_[A-Za-z0-9]{24}$/),
          created_at: expect.any(Number),
          project_id: NEW2,
        },
      ],
      first_id: data[0].id,
      last_id: data[1].id,
      has_more: false,
    });
    expect(data[0].created_at).toBeGreaterThanOrEqual(before);
    const listed = await list();
    expect(listed.data).toHaveLength(14);
    expect(idsOf(listed.data.slice(0, 2)).sort()).toEqual(idsOf(data).sort());
    expect(writable.truth().permissions[name]).toHaveLength(14);
  });

  it('is idempotent: a project that already has a permission gets it back', async () => {
    const first = await call(writable, permissionsPath(name), {
      method: 'POST',
      body: { project_ids: [AGAIN] },
    });
    const second = await call(writable, permissionsPath(name), {
      method: 'POST',
      body: { project_ids: [AGAIN] },
    });
    expect(second.body.data).toEqual(first.body.data);
    expect(
      (await list()).data.filter((p: CheckpointPermission) => p.project_id === AGAIN),
    ).toHaveLength(1);
  });

  it('deletes a permission, which then disappears from lists and truth', async () => {
    const [victim] = (await list('limit=1')).data;
    const response = await call(writable, `${permissionsPath(name)}/${victim.id}`, {
      method: 'DELETE',
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      object: 'checkpoint.permission',
      id: victim.id,
      deleted: true,
    });
    expect(idsOf((await list()).data)).not.toContain(victim.id);
    expect(idsOf(writable.truth().permissions[name] ?? [])).not.toContain(victim.id);
    const again = await call(writable, `${permissionsPath(name)}/${victim.id}`, {
      method: 'DELETE',
    });
    expect(again.status).toBe(404);
    expect(again.body.error.param).toBe('permission_id');
  });

  it('continues a cursor that points at a just-deleted permission (tombstone)', async () => {
    for (const order of ['descending', 'ascending'] as const) {
      const firstPage = (await list(`limit=5&order=${order}`)).data;
      const cursor = firstPage[4].id;
      await call(writable, `${permissionsPath(name)}/${cursor}`, { method: 'DELETE' });
      const rest = await list(`limit=100&order=${order}&after=${cursor}`);
      // Everything after the four survivors of the first page, nothing lost, nothing repeated.
      expect(rest.data).toEqual((await list(`limit=100&order=${order}`)).data.slice(4));
    }
  });

  it('answers 404 when deleting on an unknown checkpoint', async () => {
    const response = await call(writable, `${permissionsPath('ft:nope')}/cp_x`, {
      method: 'DELETE',
    });
    expect(response.status).toBe(404);
    expect(response.body.error.param).toBe('fine_tuned_model_checkpoint');
  });

  it.each([
    ['a missing project_ids', {}, 'project_ids', 'missing_required_parameter'],
    ['a string', { project_ids: 'proj_a' }, 'project_ids', 'invalid_type'],
    ['an empty array', { project_ids: [] }, 'project_ids', 'empty_array'],
    ['a number inside', { project_ids: ['proj_a', 7] }, 'project_ids', 'invalid_value'],
    ['an empty string inside', { project_ids: [''] }, 'project_ids', 'invalid_value'],
    ['an array body', ['proj_a'], 'project_ids', 'missing_required_parameter'],
    ['an unknown field', { project_ids: ['proj_a'], role: 'x' }, 'role', 'unknown_parameter'],
    ['invalid JSON', '{"project_ids": [', null, null],
  ])('rejects %s with a 400', async (_what, body, param, code) => {
    const before = writable.truth().permissions[name]?.length;
    const response = await call(writable, permissionsPath(name), { method: 'POST', body });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', param, code });
    expect(writable.truth().permissions[name]?.length).toBe(before);
  });

  it('answers 404 when creating on an unknown checkpoint', async () => {
    const response = await call(writable, permissionsPath('ft:nope'), {
      method: 'POST',
      body: { project_ids: ['proj_a'] },
    });
    expect(response.status).toBe(404);
  });

  it('answers 413 for a huge body', async () => {
    const response = await call(writable, permissionsPath(name), {
      method: 'POST',
      body: { project_ids: ['x'.repeat(2 << 20)] },
    });
    expect(response.status).toBe(413);
  });
});

describe('maxLimit', () => {
  it('is configurable', async () => {
    const small = await startEmulator({ maxLimit: 5 });
    try {
      const name = Object.keys(small.truth().permissions)[0] as string;
      expect((await call(small, permissionsPath(name, 'limit=5'))).status).toBe(200);
      const response = await call(small, permissionsPath(name, 'limit=6'));
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain('<= 5');
    } finally {
      await small.close();
    }
  });
});
