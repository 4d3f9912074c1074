import type { IncomingHttpHeaders } from 'node:http';
import { ApiProblem } from './problem.js';

/**
 * The names a client on this machine reaches the emulator by. It binds 127.0.0.1 only, so any
 * other `Host` (`evil.example:4010` after a DNS rebinding) means a browser was tricked into it.
 */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/**
 * Guards every request, API and control alike, against a web page the user happens to visit:
 * without it, a page could read `truth` through DNS rebinding or flip chaos with a cross-site
 * form post. It answers the refusal to send, or `undefined` to let the request through:
 * - a `Host` that is not `127.0.0.1:<port>`, `localhost:<port>` or `[::1]:<port>`: 403
 *   `forbidden_host`;
 * - an `Origin` that is not the emulator's own (`http://` and one of those hosts; `null`
 *   included): 403 `forbidden_origin`. Non-browser clients (the SDK, curl, Node's fetch) send
 *   no `Origin` at all.
 *
 * @example
 * const refusal = guardRequest(req.headers, 4010);
 * if (refusal) return sendReply(res, refusal, headers);
 */
export function guardRequest(headers: IncomingHttpHeaders, port: number): ApiProblem | undefined {
  const allowed = LOOPBACK_NAMES.map((name) => `${name}:${port}`);
  const host = (headers.host ?? '').toLowerCase();
  if (!allowed.includes(host)) {
    return forbidden(
      'forbidden_host',
      `The Host header ${JSON.stringify(headers.host ?? '')} is not this emulator's address; ` +
        `it answers only ${allowed.join(', ')}. Reach it by the URL it printed.`,
    );
  }
  const origin = headers.origin;
  if (origin !== undefined && !allowed.some((name) => origin.toLowerCase() === `http://${name}`)) {
    return forbidden(
      'forbidden_origin',
      `Requests from the web origin ${JSON.stringify(origin)} are refused: only the emulator's ` +
        `own origin (http://127.0.0.1:${port}) may call it. Call it from a program, not a web page.`,
    );
  }
  return undefined;
}

/**
 * Control routes that take a body take JSON only: `text/plain`, forms and multipart are what a
 * cross-site page can post without a CORS preflight. Answers a 415, or `undefined` for JSON.
 *
 * @example
 * const refusal = requireJson(req.headers); // undefined for 'application/json; charset=utf-8'
 */
export function requireJson(headers: IncomingHttpHeaders): ApiProblem | undefined {
  const type = headers['content-type'];
  const mediaType = type?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/json') return undefined;
  return new ApiProblem(415, {
    message:
      `Unsupported content type ${JSON.stringify(type ?? '')}: the emulator's control routes ` +
      "take a JSON body with 'Content-Type: application/json'.",
    type: 'invalid_request_error',
    code: 'unsupported_media_type',
  });
}

function forbidden(code: string, message: string): ApiProblem {
  return new ApiProblem(403, { message, type: 'invalid_request_error', code });
}
