/**
 * The emulator refuses what a web page could send it (CSRF, DNS rebinding): a foreign `Host`, a
 * foreign `Origin`, and a control-route body that is not JSON. Raw `node:http` requests, because
 * `fetch` will not let a test set `Host`.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';

interface Raw {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index into bodies freely
  body: any;
}

let emulator: Emulator;
let port: number;

/** Sends one request with exactly these headers (`host` defaults to what a client would send). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers, setHost: !('host' in headers) },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const admin = (): Record<string, string> => ({ authorization: `Bearer ${emulator.apiKey}` });
const json = { 'content-type': 'application/json' };

beforeAll(async () => {
  emulator = await startEmulator();
  port = Number(new URL(emulator.url).port);
});
afterAll(() => emulator.close());

describe('Host must name the emulator itself', () => {
  it.each(['127.0.0.1', 'localhost', '[::1]'])('accepts %s:port', async (name) => {
    const api = await raw('GET', '/v1/organization/projects', {
      ...admin(),
      host: `${name}:${port}`,
    });
    expect(api.status).not.toBe(403);
    const control = await raw('GET', '/__emulator/stats', { host: `${name}:${port}` });
    expect(control.status).toBe(200);
  });

  it.each([
    ['a rebinding name', () => `evil.example:${port}`],
    ['another port', () => `127.0.0.1:${port + 1}`],
    ['no port', () => '127.0.0.1'],
    ['a name that ends like loopback', () => `localhost.evil.example:${port}`],
  ])(
    'refuses %s with a 403 in the OpenAI error shape, on API and control routes',
    async (_, host) => {
      for (const [path, headers] of [
        ['/v1/fine_tuning/checkpoints/x/permissions', admin()],
        ['/__emulator/truth', {}],
      ] as const) {
        const response = await raw('GET', path, { ...headers, host: host() });
        expect(response.status).toBe(403);
        expect(response.body).toEqual({
          error: {
            message: expect.stringMatching(/Host header .* is not this emulator's address/),
            type: 'invalid_request_error',
            param: null,
            code: 'forbidden_host',
          },
        });
      }
    },
  );

  it('refuses a request without Host', async () => {
    const response = await raw('GET', '/__emulator/truth', { host: '' });
    expect(response.status).toBe(403);
  });
});

describe('Origin, when sent, must be the emulator’s own', () => {
  it('accepts its own origin', async () => {
    const response = await raw('GET', '/__emulator/stats', { origin: `http://127.0.0.1:${port}` });
    expect(response.status).toBe(200);
  });

  it.each([
    'https://evil.example',
    'null',
    `http://127.0.0.1:${port + 1}`,
    `https://127.0.0.1:${port}`,
  ])('refuses Origin %s on control and API routes, before any effect', async (origin) => {
    const before = emulator.truth();
    const chaos = await raw('POST', '/__emulator/chaos', { ...json, origin }, '{"error503":1}');
    expect(chaos.status).toBe(403);
    expect(chaos.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'forbidden_origin',
      message: expect.stringContaining(origin),
    });
    const truth = await raw('GET', '/__emulator/truth', { origin });
    expect(truth.status).toBe(403);
    const api = await raw('GET', '/v1/fine_tuning/jobs', { ...admin(), origin });
    expect(api.status).toBe(403);
    // The refused chaos setting never took effect.
    expect((await raw('GET', '/__emulator/stats', {})).status).toBe(200);
    expect(emulator.truth()).toEqual(before);
    const jobs = await raw('GET', '/v1/organization/projects', admin());
    expect(jobs.status).not.toBe(503);
  });
});

describe('control routes with a body take JSON only', () => {
  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'refuses %s with a 415 and changes nothing',
    async (type) => {
      const response = await raw(
        'POST',
        '/__emulator/latency',
        { 'content-type': type },
        '{"ms":5000}',
      );
      expect(response.status).toBe(415);
      expect(response.body.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'unsupported_media_type',
        message: expect.stringContaining('application/json'),
      });
      const latency = await raw('POST', '/__emulator/latency', json, '{"ms":0}');
      expect(latency.body).toEqual({ ms: 0 });
    },
  );

  it('refuses a body without a content type', async () => {
    const response = await raw('POST', '/__emulator/chaos', {}, '{}');
    expect(response.status).toBe(415);
  });

  it('accepts application/json with a charset', async () => {
    const response = await raw(
      'POST',
      '/__emulator/chaos',
      { 'content-type': 'application/json; charset=utf-8' },
      '{}',
    );
    expect(response.status).toBe(200);
  });
});

describe('control routes without a body', () => {
  it('POST /__emulator/reset-stats needs no content type', async () => {
    const response = await raw('POST', '/__emulator/reset-stats', {});
    expect(response.status).toBe(200);
    expect(response.body.requests).toBe(0);
  });
});
