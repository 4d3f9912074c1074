import type { Emulator } from '../../src/emulator/index.js';

/** A response read in full: status, headers and the body parsed as JSON when it is JSON. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index into bodies freely
  body: any;
}

/**
 * The key the real API takes on a path: a project key for the jobs endpoints (the key of the
 * job's own project when the path names a job that has one, else the first project key), the
 * admin key everywhere else.
 */
export function keyFor(emulator: Emulator, path: string): string {
  const job = /^\/fine_tuning\/jobs(?:\/([^/?]+))?/.exec(path);
  if (!job) return emulator.adminKey;
  const owner = job[1] === undefined ? undefined : emulator.truth().jobOwners[job[1]];
  return (owner && emulator.projectKeys[owner]) ?? firstProjectKey(emulator);
}

/** The first project key an emulator issued. */
export function firstProjectKey(emulator: Emulator): string {
  const key = Object.values(emulator.projectKeys)[0];
  if (key === undefined) throw new Error('the emulator issued no project key');
  return key;
}

/** Options of {@link call}: `key: null` sends no Authorization header; by default {@link keyFor}. */
export interface CallOptions {
  method?: string;
  key?: string | null;
  body?: unknown;
  signal?: AbortSignal;
}

/** Calls the emulator with global fetch, a client that shares no code with the library. */
export async function call(
  emulator: Emulator,
  path: string,
  { method = 'GET', key = keyFor(emulator, path), body, signal }: CallOptions = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.startsWith('application/json');
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: isJson ? JSON.parse(text) : undefined,
  };
}

/** The path of a checkpoint's permissions, the name percent-encoded as one segment. */
export function permissionsPath(checkpoint: string, query = ''): string {
  return `/fine_tuning/checkpoints/${encodeURIComponent(checkpoint)}/permissions${query && `?${query}`}`;
}

/** The origin (no `/v1`) of an emulator, for the control routes. */
export function originOf(emulator: Emulator): string {
  return emulator.url.replace(/\/v1$/, '');
}

/** Polls until `check` passes, for counters that settle an event-loop turn after a response. */
export async function eventually(check: () => void, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}
