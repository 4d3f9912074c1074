import type { Identity } from './auth.js';

/**
 * The API operations the emulator serves, with their decoded path parameters.
 *
 * @example
 * const route: Route = { operation: 'listPermissions', checkpoint: 'ft:gpt-4o-mini:acme:x:ab12CD34' };
 */
export type Route =
  | { operation: 'listPermissions' | 'createPermissions'; checkpoint: string }
  | { operation: 'deletePermission'; checkpoint: string; permissionId: string }
  | { operation: 'listJobs' | 'listProjects' | 'listAuditLogs' }
  | { operation: 'retrieveJob' | 'listJobCheckpoints'; jobId: string };

/**
 * Which kind of key each operation takes, and the scope a 401 names when the other kind tries
 * (see docs/emulator.md, "Keys"): the admin key for the permission endpoints and
 * `/organization/*`, a project key for the jobs endpoints.
 *
 * @example
 * ACCESS.listJobs; // { key: 'project', scope: 'api.fine_tuning.jobs.read' }
 */
export const ACCESS: Readonly<
  Record<Route['operation'], { readonly key: Identity['kind']; readonly scope: string }>
> = {
  listPermissions: { key: 'admin', scope: 'api.fine_tuning.checkpoints.read' },
  createPermissions: { key: 'admin', scope: 'api.fine_tuning.checkpoints.write' },
  deletePermission: { key: 'admin', scope: 'api.fine_tuning.checkpoints.write' },
  listProjects: { key: 'admin', scope: 'api.organization.projects.read' },
  listAuditLogs: { key: 'admin', scope: 'api.organization.audit_logs.read' },
  listJobs: { key: 'project', scope: 'api.fine_tuning.jobs.read' },
  retrieveJob: { key: 'project', scope: 'api.fine_tuning.jobs.read' },
  listJobCheckpoints: { key: 'project', scope: 'api.fine_tuning.checkpoints.read' },
};

/**
 * Maps a method and decoded path segments to an operation; `undefined` means OpenAI's
 * "Invalid URL" 404, which it also answers for a known path with the wrong method.
 *
 * @example
 * matchRoute('GET', ['v1', 'fine_tuning', 'jobs']); // { operation: 'listJobs' }
 */
export function matchRoute(method: string, segments: readonly string[]): Route | undefined {
  const [version, area, collection, id, child, childId, ...rest] = segments;
  if (version !== 'v1' || rest.length > 0 || id === '') return undefined;

  if (area === 'organization' && method === 'GET' && id === undefined) {
    if (collection === 'projects') return { operation: 'listProjects' };
    if (collection === 'audit_logs') return { operation: 'listAuditLogs' };
    return undefined;
  }
  if (area !== 'fine_tuning') return undefined;

  if (collection === 'jobs' && method === 'GET' && childId === undefined) {
    if (id === undefined) return { operation: 'listJobs' };
    if (child === undefined) return { operation: 'retrieveJob', jobId: id };
    if (child === 'checkpoints') return { operation: 'listJobCheckpoints', jobId: id };
  }

  if (collection === 'checkpoints' && id !== undefined && child === 'permissions') {
    if (childId === undefined && method === 'GET') {
      return { operation: 'listPermissions', checkpoint: id };
    }
    if (childId === undefined && method === 'POST') {
      return { operation: 'createPermissions', checkpoint: id };
    }
    if (childId && method === 'DELETE') {
      return { operation: 'deletePermission', checkpoint: id, permissionId: childId };
    }
  }
  return undefined;
}
