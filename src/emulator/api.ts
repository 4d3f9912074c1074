import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, authorize, type Identity } from './auth.js';
import { readJson } from './body.js';
import type { FaultKind } from './chaos.js';
import { ApiProblem, invalidParam, invalidUrl } from './problem.js';
import type { Reply } from './reply.js';
import { send, sendReply, sendSlowly, sendTruncated } from './respond.js';
import { ACCESS, matchRoute, type Route } from './router.js';
import { listAuditLogs } from './routes/audit-logs.js';
import { listJobCheckpoints, listJobs, retrieveJob } from './routes/jobs.js';
import { createPermissions, deletePermission, listPermissions } from './routes/permissions.js';
import { listProjects } from './routes/projects.js';
import { splitPath } from './path-segments.js';
import type { EmulatorState } from './state.js';
import type { Stats } from './stats.js';
import { adminWrite } from './write-context.js';

/**
 * Serves one request under `/v1`, in the order a real request meets the real service:
 * network latency, routing, authentication and the key's kind, the rate limiter (401s and
 * unknown URLs spend no token), chaos (a faulted request has spent its token), then the
 * operation itself. The Host/Origin guard has run before (server.ts).
 *
 * @example
 * server.on('request', (req, res) => void handleApiRequest(state, req, res, path, query));
 */
export async function handleApiRequest(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  rawQuery: string,
): Promise<void> {
  const { stats, timers } = state;
  let faulted = false;
  stats.received();
  res.once('close', () => {
    stats.settled();
    if (!res.writableFinished && !faulted) stats.aborted();
  });

  if (state.latencyMs > 0) await timers.sleep(state.latencyMs, res);
  if (res.destroyed) return;

  const method = req.method ?? 'GET';
  const headers: Record<string, string> = { 'x-request-id': state.nextRequestId() };
  const answer = (reply: Reply): void => {
    stats.answered(reply.status);
    sendReply(res, reply, headers);
  };

  const segments = splitPath(rawPath);
  const route = segments && matchRoute(method, segments);
  if (!route) return answer(segments ? invalidUrl(method, rawPath) : malformedPath(rawPath));
  const identity = authenticate(req.headers.authorization, state.keys);
  if (identity instanceof ApiProblem) return answer(identity);
  const access = ACCESS[route.operation];
  const denied = authorize(identity, access.key, access.scope);
  if (denied) return answer(denied);

  const admission = state.admit();
  // Whether admin endpoints send `x-ratelimit-*` is an assumption; a 429 keeps its retry-after.
  if (access.key === 'project' || state.assumptions.adminRateLimitHeaders) {
    Object.assign(headers, admission.headers);
  }
  if (admission.exceeded) return answer(admission.exceeded);

  const chaos = state.rollChaos();
  if (chaos.fault && chaos.fault !== 'truncate') {
    faulted = true;
    stats.faulted();
    return injectFault(chaos.fault, chaos.shouldRetry, req, res, headers, stats);
  }
  if (chaos.latencyMs > 0) await timers.sleep(chaos.latencyMs, res);
  if (res.destroyed) return;

  let reply: Reply;
  try {
    reply = await perform(state, route, identity, rawQuery, req);
  } catch (error) {
    if (!(error instanceof ApiProblem)) throw error;
    reply = error;
  }
  if (res.destroyed) return;
  const body = JSON.stringify(reply.body);
  const allHeaders = { ...headers, ...reply.headers };

  if (chaos.fault === 'truncate') {
    faulted = true;
    stats.faulted();
    stats.answered('truncated');
    return sendTruncated(res, reply.status, allHeaders, body);
  }
  stats.answered(reply.status);
  const page = reply.status === 200 ? reply.page : undefined;
  if (page) res.once('finish', () => stats.pageServed(page));
  if (chaos.slowBodyMs > 0) {
    return sendSlowly(res, reply.status, allHeaders, body, chaos.slowBodyMs, timers);
  }
  send(res, reply.status, allHeaders, body);
}

async function perform(
  state: EmulatorState,
  route: Route,
  identity: Identity,
  rawQuery: string,
  req: IncomingMessage,
): Promise<Reply> {
  const { store, maxLimit } = state;
  const query = new URLSearchParams(rawQuery);
  // `authorize` has let only the right kind of key through; a project key names its project.
  const project = identity.kind === 'project' ? identity.projectId : '';
  switch (route.operation) {
    case 'listPermissions':
      return listPermissions(store, route.checkpoint, query, maxLimit);
    case 'createPermissions': {
      const body = await readJson(req);
      return createPermissions(store, route.checkpoint, body, adminWrite(state));
    }
    case 'deletePermission':
      return deletePermission(store, route.checkpoint, route.permissionId, adminWrite(state));
    case 'listProjects':
      return listProjects(store, query);
    case 'listAuditLogs':
      return listAuditLogs(store, query);
    case 'listJobs':
      return listJobs(store, project, query, maxLimit);
    case 'retrieveJob':
      return retrieveJob(store, project, route.jobId);
    case 'listJobCheckpoints':
      return listJobCheckpoints(store, project, route.jobId, query, maxLimit);
  }
}

/** The faults that replace the response entirely; `truncate` is applied to the real one. */
function injectFault(
  fault: Exclude<FaultKind, 'truncate'>,
  shouldRetry: boolean,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
  stats: Stats,
): void {
  switch (fault) {
    case 'reset':
      stats.answered('reset');
      // An RST, not a FIN: clients see ECONNRESET, the error a dropped connection gives.
      req.socket.resetAndDestroy();
      return;
    case 'error502Html':
      stats.answered(502);
      return send(res, 502, headers, BAD_GATEWAY_HTML, 'text/html');
    case 'error503':
      stats.answered(503);
      // OpenAI marks retryable failures with `x-should-retry`; the official SDK obeys it.
      return send(res, 503, { ...headers, 'x-should-retry': 'true' }, OVERLOADED);
    case 'error500':
      stats.answered(500);
      return send(
        res,
        500,
        shouldRetry ? { ...headers, 'x-should-retry': 'true' } : headers,
        SERVER_ERROR,
      );
  }
}

function malformedPath(rawPath: string): ApiProblem {
  return invalidParam(null, null, `Invalid URL (${rawPath}): malformed percent-encoding.`);
}

const SERVER_ERROR = JSON.stringify({
  error: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    param: null,
    code: null,
  },
});

const OVERLOADED = JSON.stringify({
  error: {
    message: 'The engine is currently overloaded, please try again later.',
    type: 'server_error',
    param: null,
    code: null,
  },
});

// What a proxy in front of the API (here Cloudflare's default page) answers when the origin fails.
const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
  '<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n' +
  '</body>\r\n</html>\r\n';
