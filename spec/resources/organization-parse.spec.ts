import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ProtocolError } from '../../src/errors.js';
import { parseAuditLogPage } from '../../src/resources/audit-log-event.js';
import { parseProjectsPage } from '../../src/resources/project.js';

interface Excerpt {
  components: { schemas: Record<string, object> };
}

// The organization excerpt is the source of truth for these shapes.
const excerpt = parse(
  readFileSync('/work/shared/reference/openai-openapi-organization-excerpt.yaml', 'utf8'),
) as Excerpt;

function validator(schema: string): (body: unknown) => boolean {
  const ajv = new Ajv({ strict: false, validateFormats: false });
  for (const [name, s] of Object.entries(excerpt.components.schemas)) {
    ajv.addSchema(s, `#/components/schemas/${name}`);
  }
  const validate = ajv.getSchema(`#/components/schemas/${schema}`);
  if (!validate) throw new Error(`no schema ${schema}`);
  return (body) => validate(body) as boolean;
}

const PROJECT = {
  id: 'proj_abc',
  object: 'organization.project',
  name: 'Project example',
  created_at: 1711471533,
  archived_at: null,
  status: 'active',
};
const projects = (...data: unknown[]): unknown => ({
  object: 'list',
  data,
  first_id: 'proj_abc',
  last_id: 'proj_xyz',
  has_more: false,
});

const CREATED = {
  id: 'audit_log-1',
  type: 'checkpoint.permission.created',
  effective_at: 1720804090,
  project: { id: 'proj_default', name: 'Default project' },
  actor: { type: 'api_key', api_key: { id: 'key_1', type: 'service_account' } },
  'checkpoint.permission.created': {
    id: 'cp_1',
    data: {
      project_id: 'proj_b',
      fine_tuned_model_checkpoint: 'ft:gpt-4o-mini:acme:w:ckpt-step-1',
    },
  },
};
const DELETED = {
  id: 'audit_log-2',
  type: 'checkpoint.permission.deleted',
  effective_at: 1720804100,
  'checkpoint.permission.deleted': { id: 'cp_1' },
};
const events = (...data: unknown[]): unknown => ({
  object: 'list',
  data,
  first_id: null,
  last_id: null,
  has_more: false,
});

describe('parseProjectsPage', () => {
  it.each([
    ['a full project', PROJECT],
    ['an archived one', { ...PROJECT, status: 'archived', archived_at: 1711500000 }],
    ['only the required fields', { id: 'proj_1', object: 'organization.project', created_at: 1 }],
    ['a null name and status', { ...PROJECT, name: null, status: null }],
    ['fields it does not know', { ...PROJECT, residency: 'GLOBAL', external_key_id: null }],
  ])('accepts %s, as the spec’s schema does', (_name, project) => {
    const body = projects(project);
    expect(validator('ProjectListResponse')(body)).toBe(true);
    expect(parseProjectsPage(body, 'req_1').data).toEqual([project]);
  });

  it.each<[string, unknown, string]>([
    ['no id', { ...PROJECT, id: undefined }, 'data[0].id'],
    ['another object type', { ...PROJECT, object: 'project' }, 'data[0].object'],
    ['created_at as text', { ...PROJECT, created_at: '2024-01-01' }, 'data[0].created_at'],
    ['a numeric name', { ...PROJECT, name: 42 }, 'data[0].name'],
    ['archived_at as text', { ...PROJECT, archived_at: 'yesterday' }, 'data[0].archived_at'],
    ['a numeric status', { ...PROJECT, status: 1 }, 'data[0].status'],
  ])('refuses %s with a ProtocolError naming the field', (_name, project, field) => {
    expect(validator('ProjectListResponse')(projects(project))).toBe(false);
    let error: unknown;
    try {
      parseProjectsPage(projects(project), 'req_1');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).field).toBe(field);
    expect((error as ProtocolError).requestID).toBe('req_1');
  });
});

describe('parseAuditLogPage', () => {
  it.each([
    ['a permission created', CREATED],
    ['a permission deleted', DELETED],
    [
      'another event type, passed through',
      { id: 'a', type: 'project.created', effective_at: 1, 'project.created': { id: 'p' } },
    ],
    ['a null actor', { ...DELETED, actor: null }],
  ])('accepts %s, as the spec’s schema does', (_name, event) => {
    const body = events(event);
    expect(validator('ListAuditLogsResponse')(body)).toBe(true);
    expect(parseAuditLogPage(body, undefined).data).toEqual([event]);
  });

  it.each<[string, unknown, string]>([
    ['no id', { ...CREATED, id: undefined }, 'data[0].id'],
    ['no type', { ...CREATED, type: undefined }, 'data[0].type'],
    ['effective_at as text', { ...CREATED, effective_at: '1720804090' }, 'data[0].effective_at'],
    [
      'a created event whose payload is not an object',
      { ...CREATED, 'checkpoint.permission.created': 'cp_1' },
      'data[0].checkpoint.permission.created',
    ],
    [
      'a created event without the checkpoint it granted',
      {
        ...CREATED,
        'checkpoint.permission.created': { id: 'cp_1', data: { project_id: 'proj_b' } },
      },
      'data[0].checkpoint.permission.created.data.fine_tuned_model_checkpoint',
    ],
    [
      'a created event whose grantee is not a string',
      {
        ...CREATED,
        'checkpoint.permission.created': {
          id: 'cp_1',
          data: { project_id: 7, fine_tuned_model_checkpoint: 'ft:x' },
        },
      },
      'data[0].checkpoint.permission.created.data.project_id',
    ],
  ])('refuses %s with a ProtocolError naming the field', (_name, event, field) => {
    let error: unknown;
    try {
      parseAuditLogPage(events(event), undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).field).toBe(field);
  });
});
