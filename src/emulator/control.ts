import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJson } from './body.js';
import type { ChaosSettings } from './chaos.js';
import type { RateLimitSettings } from './rate-limit.js';
import { ApiProblem, invalidParam, invalidUrl } from './problem.js';
import { grant, revoke } from './routes/permissions.js';
import { colleague } from './write-context.js';
import { requireJson } from './request-guard.js';
import { sendReply } from './respond.js';
import type { EmulatorState } from './state.js';

/**
 * The prefix of the control routes. They live outside `/v1`, need no key, and are never rate
 * limited, delayed, faulted or counted, so a test can always observe and steer the emulator.
 *
 * @example
 * await fetch(`${origin}${CONTROL_PREFIX}/stats`);
 */
export const CONTROL_PREFIX = '/__emulator';

/**
 * Serves a control route:
 * - `GET /__emulator/stats`, `GET /__emulator/truth`;
 * - `POST /__emulator/chaos` (ChaosSettings), `POST /__emulator/rate-limit` (RateLimitSettings or
 *   `false`), `POST /__emulator/latency` (`{ "ms": 20 }`), `POST /__emulator/reset-stats`;
 * - `POST /__emulator/grant` (`{ checkpoint, project_id }`) and `POST /__emulator/revoke`
 *   (`{ checkpoint, permission_id }`): `emulator.grant` and `revoke`, acting as a colleague in
 *   the dashboard; they answer the permission, or the API's error.
 * Each POST answers the settings now in force. Bad settings get a 400 naming the field; a body
 * that is not `application/json` gets a 415 (see {@link requireJson}).
 *
 * @example
 * // curl -X POST localhost:4010/__emulator/chaos -H 'content-type: application/json' -d '{"error503":0.1}'
 * await handleControlRequest(state, req, res, '/__emulator/chaos');
 */
export async function handleControlRequest(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const headers = { 'x-request-id': state.nextRequestId() };
  const request = `${req.method ?? 'GET'} ${path.slice(CONTROL_PREFIX.length)}`;
  try {
    if (hasBody(req)) {
      const refusal = requireJson(req.headers);
      if (refusal) throw refusal;
    }
    sendReply(res, { status: 200, body: await control(state, request, req) }, headers);
  } catch (error) {
    // The setters throw a ConfigError naming the bad field: the caller's mistake.
    const message = (error as Error).message;
    const problem =
      error instanceof ApiProblem
        ? error
        : new ApiProblem(400, { message, type: 'invalid_request_error' });
    sendReply(res, problem, headers);
  }
}

async function control(
  state: EmulatorState,
  request: string,
  req: IncomingMessage,
): Promise<unknown> {
  switch (request) {
    case 'GET /stats':
      return state.stats.snapshot();
    case 'GET /truth':
      return state.store.truth();
    // The setters validate what they are given, so a cast from the parsed JSON is safe here.
    case 'POST /chaos':
      state.setChaos((await readJson(req)) as ChaosSettings);
      return state.chaos;
    case 'POST /rate-limit':
      state.setRateLimit((await readJson(req)) as RateLimitSettings | false);
      return state.rateLimit ?? false;
    case 'POST /latency': {
      const { ms } = ((await readJson(req)) ?? {}) as { ms: number };
      state.setLatency(ms);
      return { ms: state.latencyMs };
    }
    case 'POST /grant': {
      const { checkpoint, project_id } = fields(await readJson(req), ['checkpoint', 'project_id']);
      return grant(state.store, checkpoint, [project_id], colleague(state, checkpoint))[0];
    }
    case 'POST /revoke': {
      const body = fields(await readJson(req), ['checkpoint', 'permission_id']);
      const { checkpoint, permission_id } = body;
      return revoke(state.store, checkpoint, permission_id, colleague(state, checkpoint));
    }
    case 'POST /reset-stats':
      state.stats.reset();
      return state.stats.snapshot();
    default:
      throw invalidUrl(req.method ?? 'GET', req.url ?? '');
  }
}

/** The named string fields of a control body, or a 400 naming the first one missing. */
function fields<K extends string>(body: unknown, names: readonly K[]): Record<K, string> {
  const object = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  for (const name of names) {
    if (typeof object[name] !== 'string' || object[name] === '') {
      throw invalidParam(
        name,
        'missing_required_parameter',
        `Missing required parameter: '${name}'.`,
      );
    }
  }
  return object as Record<K, string>;
}

/** Whether a request carries a body: `POST /__emulator/reset-stats` needs none. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
