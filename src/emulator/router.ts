/**
 * The API operations the emulator serves, with their decoded path parameters.
 *
 * @example
 * const route: Route = { operation: 'listPermissions', checkpoint: 'ft:gpt-4o-mini:acme:x:ab12CD34' };
 */
export type Route =
  | { operation: 'listPermissions' | 'createPermissions'; checkpoint: string }
  | { operation: 'deletePermission'; checkpoint: string; permissionId: string }
  | { operation: 'listJobs' }
  | { operation: 'retrieveJob' | 'listJobCheckpoints'; jobId: string };

/**
 * Maps a method and decoded path segments to an operation; `undefined` means OpenAI's
 * "Invalid URL" 404, which it also answers for a known path with the wrong method.
 *
 * @example
 * matchRoute('GET', ['v1', 'fine_tuning', 'jobs']); // { operation: 'listJobs' }
 */
export function matchRoute(method: string, segments: readonly string[]): Route | undefined {
  const [version, area, collection, id, child, childId, ...rest] = segments;
  if (version !== 'v1' || area !== 'fine_tuning' || rest.length > 0 || id === '') return undefined;

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
