import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP server whose every response a test scripts, for transport-level specs. */
export interface ScriptedServer {
  readonly url: string;
  /** Requests received, in order. */
  readonly requests: IncomingMessage[];
  /** Resolves when the server sees the client close a request's connection before the response ended. */
  nextAbort(): Promise<void>;
  close(): Promise<void>;
}

export async function startScriptedServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<ScriptedServer> {
  const requests: IncomingMessage[] = [];
  const abortWaiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    requests.push(req);
    res.on('close', () => {
      if (!res.writableFinished) abortWaiters.shift()?.();
    });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    nextAbort: () => new Promise((resolve) => abortWaiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Replies with JSON. */
export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
