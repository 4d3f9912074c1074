import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ProtocolError } from '../../src/errors.js';
import { ShapeCheck } from '../../src/internal/http/shape.js';
import { parsePermission, parsePermissionPage } from '../../src/resources/permission.js';

interface OpenAPIExcerpt {
  paths: Record<string, Record<string, { 'x-oaiMeta': { examples: { response: string } } }>>;
  components: { schemas: Record<string, { 'x-oaiMeta'?: { example?: string } }> };
}

const spec = parse(
  readFileSync(new URL('../fixtures/openai-openapi-excerpt.yaml', import.meta.url), 'utf8'),
) as OpenAPIExcerpt;
const PERMISSIONS_PATH = '/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions';

/** The spec's examples are JSON written by hand; the list one has a trailing comma after `data`. */
function exampleJSON(text: string): unknown {
  return JSON.parse(text.replace(/,(\s*[\]}])/g, '$1'));
}

// The list example of `listFineTuningCheckpointPermissions`, written out by hand (without the
// excerpt's trailing comma). The first test checks that it is the excerpt's example.
const LIST_EXAMPLE = {
  object: 'list',
  data: [
    {
      object: 'checkpoint.permission',
      id: 'cp_zc4Q7MP6XxulcVzj4MZdwsAB',
      created_at: 1721764867,
      project_id: 'proj_abGMw1llN8IrBb6SvvY5A1iH',
    },
    {
      object: 'checkpoint.permission',
      id: 'cp_enQCFmOTGj3syEpYVhBRLTSy',
      created_at: 1721764800,
      project_id: 'proj_iqGMw1llN8IrBb6SvvY5A1oF',
    },
  ],
  first_id: 'cp_zc4Q7MP6XxulcVzj4MZdwsAB',
  last_id: 'cp_enQCFmOTGj3syEpYVhBRLTSy',
  has_more: false,
};

const PERMISSION = {
  object: 'checkpoint.permission',
  id: 'cp_1',
  created_at: 1712211699,
  project_id: 'proj_1',
};

function listOf(...data: unknown[]): Record<string, unknown> {
  return { object: 'list', data, first_id: null, last_id: null, has_more: false };
}

function permissionWithout(key: string): Record<string, unknown> {
  const item: Record<string, unknown> = { ...PERMISSION };
  delete item[key];
  return item;
}

describe('the spec excerpt examples', () => {
  const list = spec.paths[PERMISSIONS_PATH];

  it('the hand-written list example is the excerpt’s', () => {
    const text = list?.get?.['x-oaiMeta'].examples.response ?? '';
    expect(exampleJSON(text)).toEqual(LIST_EXAMPLE);
  });

  it('parsePermissionPage accepts the list example as it is', () => {
    const body = structuredClone(LIST_EXAMPLE);
    const page = parsePermissionPage(body, 'req_1');
    expect(page).toBe(body);
    expect(page.data.map((p) => p.project_id)).toEqual([
      'proj_abGMw1llN8IrBb6SvvY5A1iH',
      'proj_iqGMw1llN8IrBb6SvvY5A1oF',
    ]);
    expect(page.has_more).toBe(false);
    expect(page.last_id).toBe('cp_enQCFmOTGj3syEpYVhBRLTSy');
  });

  it('parsePermissionPage accepts the create example (the same list schema)', () => {
    const body = exampleJSON(list?.post?.['x-oaiMeta'].examples.response ?? '');
    expect(parsePermissionPage(body, undefined)).toBe(body);
  });

  it('parsePermission accepts the permission object example', () => {
    const example = spec.components.schemas.FineTuningCheckpointPermission?.['x-oaiMeta']?.example;
    const item = exampleJSON(example ?? '');
    expect(parsePermission(item, 'data[0]', new ShapeCheck())).toBe(item);
  });
});

describe('parsePermission', () => {
  it.each([
    ['object', { ...PERMISSION, object: 'permission' }, 'data[1].object'],
    ['object', permissionWithout('object'), 'data[1].object'],
    ['id', permissionWithout('id'), 'data[1].id'],
    ['id', { ...PERMISSION, id: 1 }, 'data[1].id'],
    ['created_at', permissionWithout('created_at'), 'data[1].created_at'],
    ['created_at', { ...PERMISSION, created_at: '1712211699' }, 'data[1].created_at'],
    ['created_at', { ...PERMISSION, created_at: 1712211699.5 }, 'data[1].created_at'],
    ['created_at', { ...PERMISSION, created_at: null }, 'data[1].created_at'],
    ['project_id', permissionWithout('project_id'), 'data[1].project_id'],
    ['project_id', { ...PERMISSION, project_id: null }, 'data[1].project_id'],
  ])('rejects a bad %s as %j', (_name, item, field) => {
    try {
      parsePermission(item, 'data[1]', new ShapeCheck('req_9'));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).field).toBe(field);
      expect((error as ProtocolError).requestID).toBe('req_9');
    }
  });

  it('keeps fields the spec does not list', () => {
    const item = { ...PERMISSION, granted_by: 'user_1' };
    expect(parsePermission(item, 'data[0]', new ShapeCheck())).toBe(item);
  });
});

// The parser must accept exactly what the spec's schema accepts: a JSON Schema validator run on
// the excerpt's own `ListFineTuningCheckpointPermissionResponse` is the judge.
describe('parsePermissionPage agrees with the excerpt’s schema', () => {
  const ajv = new Ajv({ strict: false, validateFormats: false });
  ajv.addSchema({ $id: 'openapi.json', components: spec.components });
  const validate = ajv.compile({
    $ref: 'openapi.json#/components/schemas/ListFineTuningCheckpointPermissionResponse',
  });

  const bodies: Array<[string, unknown]> = [
    ['the list example', LIST_EXAMPLE],
    ['an empty page', listOf()],
    ['one permission', listOf(PERMISSION)],
    ['no first_id/last_id', { object: 'list', data: [PERMISSION], has_more: true }],
    ['string first_id/last_id', { ...listOf(PERMISSION), first_id: 'cp_1', last_id: 'cp_1' }],
    ['extra page field', { ...listOf(PERMISSION), extra: 1 }],
    ['extra item field', listOf({ ...PERMISSION, extra: 1 })],
    ['negative created_at', listOf({ ...PERMISSION, created_at: -1 })],
    ['object "page"', { ...listOf(), object: 'page' }],
    ['no object', { data: [], has_more: false }],
    ['no data', { object: 'list', has_more: false }],
    ['no has_more', { object: 'list', data: [] }],
    ['has_more "true"', { ...listOf(), has_more: 'true' }],
    ['first_id 0', { ...listOf(), first_id: 0 }],
    ['last_id false', { ...listOf(), last_id: false }],
    ['data not an array', { ...listOf(), data: { 0: PERMISSION } }],
    ['item null', listOf(null)],
    ['item without id', listOf(permissionWithout('id'))],
    ['item without created_at', listOf(permissionWithout('created_at'))],
    ['item without project_id', listOf(permissionWithout('project_id'))],
    ['item without object', listOf(permissionWithout('object'))],
    ['item object "list"', listOf({ ...PERMISSION, object: 'list' })],
    ['item created_at fractional', listOf({ ...PERMISSION, created_at: 1.5 })],
    ['item created_at a string', listOf({ ...PERMISSION, created_at: '1' })],
    ['item id a number', listOf({ ...PERMISSION, id: 7 })],
    ['a second bad item', listOf(PERMISSION, { ...PERMISSION, project_id: 3 })],
    ['a string body', 'OK'],
    ['a null body', null],
    ['an array body', [PERMISSION]],
  ];

  it.each(bodies)('%s', (_name, body) => {
    const valid = validate(body);
    let accepted: boolean;
    try {
      expect(parsePermissionPage(body, undefined)).toBe(body);
      accepted = true;
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      accepted = false;
    }
    expect(accepted).toBe(valid);
  });
});
