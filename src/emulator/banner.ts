import { CONTROL_PREFIX } from './control.js';
import type { Emulator } from './server.js';

/**
 * The text the CLI's `checkpoint-permissions emulator` prints once the emulator listens: its URL,
 * its key, and the environment that points the library (or the official SDK) at it.
 *
 * @example
 * console.log(formatEmulatorBanner(await startEmulator({ port: 4010 })));
 * // OpenAI API emulator listening on http://127.0.0.1:4010/v1
 * // Admin API key: sk-admin-emulator
 * // Stats:         http://127.0.0.1:4010/__emulator/stats
 * //
 * // Point a client at it:
 * //   OPENAI_BASE_URL=http://127.0.0.1:4010/v1 OPENAI_ADMIN_KEY=sk-admin-emulator checkpoint-permissions …
 */
export function formatEmulatorBanner(emulator: Pick<Emulator, 'url' | 'apiKey'>): string {
  const origin = emulator.url.replace(/\/v1$/, '');
  return [
    `OpenAI API emulator listening on ${emulator.url}`,
    `Admin API key: ${emulator.apiKey}`,
    `Stats:         ${origin}${CONTROL_PREFIX}/stats`,
    '',
    'Point a client at it:',
    `  OPENAI_BASE_URL=${emulator.url} OPENAI_ADMIN_KEY=${emulator.apiKey} checkpoint-permissions …`,
    '',
  ].join('\n');
}
