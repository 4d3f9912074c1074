import type { ServerResponse } from 'node:http';
import type { Timers } from '../faults/timers.js';

/**
 * What a route handler answers: a status and a JSON body, plus what the statistics need to know
 * about list pages.
 *
 * @example
 * const reply: Reply = { status: 200, body: page, page: { permissions: true, items: 10 } };
 */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Set on list-endpoint pages, counted in `pagesServed` once fully written. */
  readonly page?: { readonly permissions: boolean; readonly items: number };
}

const SLOW_BODY_CHUNKS = 4;

/**
 * Writes a complete response with an exact `content-length`, in one piece.
 *
 * @example
 * send(res, 200, { 'x-request-id': id }, JSON.stringify(body));
 */
export function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
  contentType = 'application/json',
): void {
  const payload = Buffer.from(body);
  res.writeHead(status, withLength(headers, payload, contentType));
  res.end(payload);
}

/**
 * Sends a {@link Reply} as JSON, its own headers added to `headers`.
 *
 * @example
 * sendReply(res, invalidUrl('GET', '/nope'), { 'x-request-id': id });
 */
export function sendReply(
  res: ServerResponse,
  reply: Reply,
  headers: Record<string, string>,
): void {
  send(res, reply.status, { ...headers, ...reply.headers }, JSON.stringify(reply.body));
}

/**
 * Writes a response in a few chunks spread over `ms`, as a slow network or a busy proxy would.
 * Stops quietly if the client leaves.
 *
 * @example
 * await sendSlowly(res, 200, headers, JSON.stringify(page), 200, timers);
 */
export async function sendSlowly(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
  ms: number,
  timers: Timers,
): Promise<void> {
  const payload = Buffer.from(body);
  res.writeHead(status, withLength(headers, payload, 'application/json'));
  const size = Math.ceil(payload.length / SLOW_BODY_CHUNKS);
  for (let offset = 0; offset < payload.length; offset += size) {
    if (offset > 0) await timers.sleep(ms / (SLOW_BODY_CHUNKS - 1), res);
    if (res.destroyed) return;
    res.write(payload.subarray(offset, offset + size));
  }
  res.end();
}

/**
 * Sends the headers with the full `content-length`, about half the body, then destroys the
 * socket: the client sees a body that ends early, like a connection cut mid-response.
 *
 * @example
 * sendTruncated(res, 200, headers, JSON.stringify(page));
 */
export function sendTruncated(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  const payload = Buffer.from(body);
  res.writeHead(status, withLength(headers, payload, 'application/json'));
  res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => res.socket?.destroy());
}

function withLength(
  headers: Record<string, string>,
  payload: Buffer,
  contentType: string,
): Record<string, string> {
  return { ...headers, 'content-type': contentType, 'content-length': String(payload.length) };
}
