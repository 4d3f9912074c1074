import { describe, expect, it } from 'vitest';
import { formatEmulatorBanner } from '../../src/emulator/banner.js';

describe('formatEmulatorBanner', () => {
  it('prints the URL, the key, the stats route and the environment to use', () => {
    const banner = formatEmulatorBanner({
      url: 'http://127.0.0.1:4010/v1',
      apiKey: 'sk-admin-emulator',
    });
    expect(banner).toBe(
      [
        'OpenAI API emulator listening on http://127.0.0.1:4010/v1',
        'Admin API key: sk-admin-emulator',
        'Stats:         http://127.0.0.1:4010/__emulator/stats',
        '',
        'Point a client at it:',
        '  OPENAI_BASE_URL=http://127.0.0.1:4010/v1 OPENAI_ADMIN_KEY=sk-admin-emulator checkpoint-permissions …',
        '',
      ].join('\n'),
    );
  });
});
