import { describe, expect, it } from 'vitest';
import { requestIds } from '../../../src/emulator/http/request-id.js';

describe('requestIds', () => {
  it('makes unique req_ ids of 32 hex digits', () => {
    const next = requestIds();
    const ids = Array.from({ length: 1000 }, next);
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(1000);
  });

  it('differs between emulators', () => {
    expect(requestIds()()).not.toBe(requestIds()());
  });
});
