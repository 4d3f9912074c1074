import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApiRequest } from './api.js';
import type { CheckpointPermission } from './api-types.js';
import { grant, revoke } from './routes/permissions.js';
import { colleague } from './write-context.js';
import type { ChaosSettings } from './chaos.js';
import { CONTROL_PREFIX, handleControlRequest } from './control.js';
import { loadDataset, type Dataset } from './dataset.js';
import { validateDataset } from './validate-dataset.js';
import { materialize } from './materialize.js';
import { resolveOptions, type EmulatorOptions, type ResolvedOptions } from './options.js';
import { ApiProblem, invalidUrl } from './problem.js';
import { deriveSeed, mulberry32 } from './prng.js';
import type { RateLimitSettings } from './rate-limit.js';
import { guardRequest } from './request-guard.js';
import { sendReply } from './respond.js';
import { seedOrganization } from './seed.js';
import { EmulatorState } from './state.js';
import type { EmulatorStats } from './stats.js';
import { Store } from './store.js';
import type { Truth } from './truth.js';

/**
 * A running emulator: where it listens, how to observe it, and how to steer it mid-test.
 *
 * @example
 * const emulator = await startEmulator();
 * const [projectKey] = Object.values(emulator.projectKeys);
 * const client = new OpenAI({ apiKey: projectKey, adminAPIKey: emulator.adminKey, baseURL: emulator.url });
 * await emulator.close();
 */
export interface Emulator {
  /** The base URL including `/v1`, e.g. `http://127.0.0.1:43121/v1`: a client's `baseURL`. */
  readonly url: string;
  /** The admin key: it opens the permission endpoints, `/organization/projects` and `/organization/audit_logs`. */
  readonly adminKey: string;
  /** @deprecated The old name of `adminKey`, which no longer opens the jobs endpoints. */
  readonly apiKey: string;
  /**
   * Project id -> its project key (`sk-proj-…`), for the projects that have one: each opens
   * `GET /fine_tuning/jobs` (and a job, and its checkpoints) for its own project only.
   */
  readonly projectKeys: Readonly<Record<string, string>>;
  /**
   * Grants a project access to a checkpoint as a colleague in the dashboard would: the API's
   * rules (owning project, unknown project, re-grant), and an audit event whose actor is that
   * colleague's session, attributed to the checkpoint's owning project.
   *
   * @throws ApiProblem with the status and body the API would answer.
   */
  grant(checkpoint: string, projectId: string): CheckpointPermission;
  /**
   * Deletes a permission as a colleague in the dashboard would, with its audit event.
   *
   * @throws ApiProblem 404 for an unknown checkpoint or permission.
   */
  revoke(checkpoint: string, permissionId: string): CheckpointPermission;
  /** A copy of the counters. */
  stats(): EmulatorStats;
  /** Zeroes the counters (`inFlight` stays: it is the present, not history). */
  resetStats(): void;
  /** A deep copy of the data served now, writes included. */
  truth(): Truth;
  /** Replaces the chaos settings and restarts the chaos PRNG from their seed. */
  setChaos(chaos: ChaosSettings): void;
  /** Replaces the rate limit (`false`: unlimited, no headers), starting from a full bucket. */
  setRateLimit(rateLimit: RateLimitSettings | false): void;
  /** Replaces the latency added to every API request. */
  setLatency(ms: number): void;
  /** Stops listening, destroys every open connection and cancels every pending timer. */
  close(): Promise<void>;
}

/**
 * Starts a local HTTP server that behaves like the OpenAI API on the fine-tuning checkpoint
 * permission, job and job checkpoint endpoints and the organization's projects and audit log,
 * closely enough for the official `openai` SDK: an admin key, a key per project, projects that
 * own their jobs.
 * It binds 127.0.0.1 only.
 *
 * @throws ConfigError for a bad option (naming it); DatasetError for a bad dataset.
 * @example
 * const emulator = await startEmulator({ seed: 7, rateLimit: { requestsPerMinute: 600 } });
 * const [projectKey] = Object.values(emulator.projectKeys); // its own project's jobs only
 * const res = await fetch(`${emulator.url}/fine_tuning/jobs`, {
 *   headers: { authorization: `Bearer ${projectKey}` },
 * });
 * await emulator.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const settings = resolveOptions(options);
  const org = materialize(await datasetFor(settings), settings.seed);
  const state = new EmulatorState(
    settings,
    new Store(org, mulberry32(deriveSeed(settings.seed, 'ids'))),
  );

  let port = 0;
  const server = createServer((req, res) => {
    route(state, port, req, res).catch((error: unknown) => internalError(state, res, error));
  });
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => {
      server.close();
      reject(error);
    };
    server.once('error', fail);
    server.listen(settings.port, '127.0.0.1', () => {
      server.off('error', fail);
      resolve();
    });
  });
  ({ port } = server.address() as AddressInfo);

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    adminKey: settings.adminKey,
    apiKey: settings.adminKey,
    projectKeys: Object.fromEntries(state.store.projectKeys),
    grant: (checkpoint, projectId) =>
      grant(
        state.store,
        checkpoint,
        [projectId],
        colleague(state, checkpoint),
      )[0] as CheckpointPermission,
    revoke: (checkpoint, permissionId) =>
      revoke(state.store, checkpoint, permissionId, colleague(state, checkpoint)),
    stats: () => state.stats.snapshot(),
    resetStats: () => state.stats.reset(),
    truth: () => state.store.truth(),
    setChaos: (chaos) => state.setChaos(chaos),
    setRateLimit: (rateLimit) => state.setRateLimit(rateLimit),
    setLatency: (ms) => state.setLatency(ms),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets would hold `server.close` (and a test process) open until they idle out.
        server.closeAllConnections();
        state.timers.cancelAll();
      })),
  };
}

async function datasetFor(settings: ResolvedOptions): Promise<Dataset> {
  const { dataset, auditLogSince } = settings;
  const chosen =
    typeof dataset === 'string'
      ? await loadDataset(dataset)
      : dataset
        ? validateDataset(dataset)
        : seedOrganization(settings.organization);
  return auditLogSince === undefined ? chosen : { ...chosen, audit_log_since: auditLogSince };
}

async function route(
  state: EmulatorState,
  port: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // Before anything else, so a refused request has no effect and is not counted.
  const refusal = guardRequest(req.headers, port);
  if (refusal) return sendReply(res, refusal, { 'x-request-id': state.nextRequestId() });
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
  if (path === '/v1' || path.startsWith('/v1/')) {
    return handleApiRequest(state, req, res, path, query);
  }
  if (path.startsWith(`${CONTROL_PREFIX}/`)) return handleControlRequest(state, req, res, path);
  sendReply(res, invalidUrl(req.method ?? 'GET', path), { 'x-request-id': state.nextRequestId() });
}

/** A bug in the emulator, not a chaos fault: answer a 500 that says so, if still possible. */
function internalError(state: EmulatorState, res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  state.stats.answered(500);
  const message = `The emulator failed: ${error instanceof Error ? error.message : String(error)}`;
  const problem = new ApiProblem(500, { message, type: 'server_error' });
  sendReply(res, problem, { 'x-request-id': state.nextRequestId() });
}
