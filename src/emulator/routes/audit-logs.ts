import type { AuditLogEvent } from '../api-types.js';
import { actorEmail, actorIds, type AuditLogEntry } from '../audit-log.js';
import { listResponse, slicePage } from '../page.js';
import { invalidParam } from '../problem.js';
import { parseLimit } from '../query.js';
import type { Reply } from '../reply.js';
import type { Store } from '../store.js';

const EVENT_TYPES = ['checkpoint.permission.created', 'checkpoint.permission.deleted'] as const;
const BOUNDS = ['gt', 'gte', 'lt', 'lte'] as const;

/**
 * `GET /v1/organization/audit_logs` (admin key), as the spec declares it: newest first; `limit` 1
 * to 100, 20 by default; `after` (older than that event) or `before` (newer than it); and the
 * filters `event_types[]`, `effective_at[gt|gte|lt|lte]`, `resource_ids[]` (the permission id),
 * `project_ids[]` (the project the action is attributed to), `actor_ids[]`, `actor_emails[]`.
 * Array filters are read as openai-node sends them (`event_types[]=a&event_types[]=b`), and also
 * without the brackets. Only events the `auditLogDelayMs` fault no longer hides are listed.
 *
 * @throws ApiProblem 400 naming the bad parameter.
 * @example
 * listAuditLogs(store, new URLSearchParams('event_types[]=checkpoint.permission.created&limit=5'));
 */
export function listAuditLogs(store: Store, query: URLSearchParams): Reply {
  const limit = parseLimit(query, 20, 100);
  const filter = filterOf(query);
  const visible = store.auditLog.visible();
  const cursorOf = (name: 'after' | 'before'): AuditLogEntry | undefined => {
    const id = query.get(name) || undefined;
    if (id === undefined) return undefined;
    const entry = visible.find((candidate) => candidate.event.id === id);
    if (!entry) {
      throw invalidParam(
        name,
        'invalid_value',
        `Invalid '${name}': no audit log event with ID '${id}'.`,
      );
    }
    return entry;
  };
  const after = cursorOf('after');
  const before = cursorOf('before');
  if (after && before) {
    throw invalidParam('before', 'invalid_value', "Pass 'after' or 'before', not both.");
  }
  const keep = (entry: AuditLogEntry): boolean => filter(entry.event);
  // Newest first: `after` walks towards older events; `before` takes the newer ones next to it.
  const page = before
    ? reversed(slicePage(visible, { after: before, limit, order: 'ascending', filter: keep }))
    : slicePage(visible, { after, limit, order: 'descending', filter: keep });
  const body = listResponse({
    data: page.data.map((entry) => entry.event),
    has_more: page.has_more,
  });
  return { status: 200, body, page: { permissions: false, items: page.data.length } };
}

function reversed<T>(page: { data: T[]; has_more: boolean }): { data: T[]; has_more: boolean } {
  return { data: [...page.data].reverse(), has_more: page.has_more };
}

function filterOf(query: URLSearchParams): (event: AuditLogEvent) => boolean {
  const list = (name: string): string[] | undefined => {
    const values = [...query.getAll(`${name}[]`), ...query.getAll(name)];
    return values.length > 0 ? values : undefined;
  };
  const types = list('event_types');
  const unknown = types?.find((type) => !(EVENT_TYPES as readonly string[]).includes(type));
  if (unknown !== undefined && !/^[a-z_.]+$/.test(unknown)) {
    throw invalidParam(
      'event_types',
      'invalid_value',
      `Invalid value for 'event_types': '${unknown}' is not an audit log event type.`,
    );
  }
  const bounds = BOUNDS.flatMap((bound) => {
    const raw = query.get(`effective_at[${bound}]`);
    if (raw === null) return [];
    if (!/^\d+$/.test(raw)) {
      throw invalidParam(
        `effective_at[${bound}]`,
        'invalid_type',
        `Invalid type for 'effective_at[${bound}]': expected an integer (Unix seconds), but got '${raw}' instead.`,
      );
    }
    return [[bound, Number(raw)] as const];
  });
  const resources = list('resource_ids');
  const projects = list('project_ids');
  const actors = list('actor_ids');
  const emails = list('actor_emails');
  return (event) =>
    (!types || types.includes(event.type)) &&
    bounds.every(([bound, at]) => within(event.effective_at, bound, at)) &&
    (!resources || resources.includes(resourceOf(event))) &&
    (!projects || projects.includes(event.project.id)) &&
    (!actors || actorIds(event.actor).some((id) => actors.includes(id))) &&
    (!emails || emails.includes(actorEmail(event.actor) ?? ''));
}

function within(value: number, bound: (typeof BOUNDS)[number], at: number): boolean {
  switch (bound) {
    case 'gt':
      return value > at;
    case 'gte':
      return value >= at;
    case 'lt':
      return value < at;
    case 'lte':
      return value <= at;
  }
}

/** The target of a checkpoint permission event: the permission. */
function resourceOf(event: AuditLogEvent): string {
  return (
    event['checkpoint.permission.created']?.id ?? event['checkpoint.permission.deleted']?.id ?? ''
  );
}
