import { describe, expect, it } from 'vitest';
import type { APIErrorBody } from '../../src/errors.js';
import { baseURLHint } from '../../src/internal/http/base-url-hint.js';

const ROOT = 'http://127.0.0.1:4010';
const HINT = `the API root usually ends in /v1 (got ${ROOT})`;
const invalidURL: APIErrorBody = {
  message: 'Invalid URL (GET /fine_tuning/checkpoints/ft:x/permissions)',
  type: 'invalid_request_error',
};
const missingCheckpoint: APIErrorBody = {
  message: 'Checkpoint ft:x not found',
  param: 'fine_tuned_model_checkpoint',
  code: null,
};

describe('baseURLHint', () => {
  it.each<[string, number, APIErrorBody | undefined, string, string | undefined]>([
    ['a 404 without a body, no /v1', 404, undefined, '', HINT],
    ['an "Invalid URL" 404, no /v1', 404, invalidURL, '/openai', HINT],
    ['a 404 about a checkpoint, no /v1', 404, missingCheckpoint, '', undefined],
    [
      'a 404 whose message names a checkpoint',
      404,
      { message: 'No checkpoint ft:x' },
      '',
      undefined,
    ],
    ['a 404 under /v1', 404, invalidURL, '/v1', undefined],
    ['a 404 under a proxy path ending in /v1', 404, undefined, '/proxy/openai/v1', undefined],
    ['a 400, no /v1', 400, undefined, '', undefined],
  ])('%s', (_name, status, error, basePath, expected) => {
    expect(baseURLHint(status, error, ROOT, basePath)).toBe(expected);
  });
});
