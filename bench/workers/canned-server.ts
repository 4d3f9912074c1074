/**
 * Child-process entry for the rig's floor: a bare `node:http` server that answers each page
 * request with a body read from the emulator beforehand, after the same latency. No routing,
 * authentication, rate limiting, chaos or serialization per request: as little server CPU as an
 * HTTP answer can cost. Bare undici loops against it show what this machine allows at all,
 * whatever the client and server (scenario 2).
 *
 * The parent sends `{ emulator, checkpoints, limit, latencyMs }`; this process starts an
 * emulator in itself, reads every page of every checkpoint the way `undici-loop.ts` will ask
 * for it, closes the emulator, and serves those bodies by URL. It exits when the parent
 * disconnects.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { startEmulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { countPages, type RawPage } from '../peers/target.js';

export interface CannedServerRequest {
  readonly emulator: EmulatorOptions;
  readonly checkpoints: readonly string[];
  readonly limit: number;
  readonly latencyMs: number;
}

/** Every page body, keyed by path and query as the undici loop requests it. */
async function readAllPages(setup: CannedServerRequest): Promise<Map<string, string>> {
  const emulator = await startEmulator(setup.emulator);
  const agent = new Agent();
  const bodies = new Map<string, string>();
  try {
    for (const checkpoint of setup.checkpoints) {
      await countPages(emulator, checkpoint, setup.limit, async (url, headers) => {
        const response = await request(url, { headers, dispatcher: agent });
        const body = await response.body.text();
        bodies.set(url.slice(new URL(url).origin.length), body);
        return JSON.parse(body) as RawPage;
      });
    }
  } finally {
    await agent.close();
    await emulator.close();
  }
  return bodies;
}

process.once('message', (setup: CannedServerRequest) => {
  void (async () => {
    const bodies = await readAllPages(setup);
    const server = createServer((req, res) => {
      const body = bodies.get(req.url ?? '');
      setTimeout(() => {
        if (body === undefined) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      }, setup.latencyMs);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    process.send?.({ url: `http://127.0.0.1:${port}/v1`, apiKey: 'sk-canned' });
    process.once('disconnect', () => server.close());
  })().catch((error: unknown) => {
    process.send?.({ error: error instanceof Error ? error.message : String(error) });
    process.disconnect();
  });
});
