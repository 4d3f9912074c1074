/**
 * The probe of issue 11, item 3, in real time: a server answers the first request with a 429
 * that gives no `retry-after`, and the next with a 200. Prints what `onRetry` said the wait would
 * be and the gap the server saw between the two attempts. Before the limiter and the policy
 * agreed on the wait, the event said 250 ms while the gap was about 2 s.
 *
 *   npx tsx bench/retry-wait-probe.ts [defaultCooldown ms]   # default: 2000
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type RetryEvent } from '../src/index.js';

const cooldown = Number(process.argv[2] ?? 2_000);
const arrivals: number[] = [];
const server = createServer((req, res) => {
  arrivals.push(performance.now());
  const status = arrivals.length === 1 ? 429 : 200;
  const body = status === 429 ? { error: { message: 'slow down' } } : { ok: true };
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const events: RetryEvent[] = [];
const client = createClient({
  adminAPIKey: 'sk-admin-probe',
  baseURL: `http://127.0.0.1:${port}/v1`,
  rateLimit: { defaultCooldown: cooldown },
  onRetry: (event) => events.push(event),
});
await client.request({ method: 'GET', path: '/probe', parse: (body) => body });
await client.close();
server.close();

const gap = arrivals[1]! - arrivals[0]!;
console.log(
  `onRetry delayMs: ${events[0]!.delayMs} ms; real gap between attempts: ${gap.toFixed(0)} ms ` +
    `(defaultCooldown ${cooldown} ms)`,
);
