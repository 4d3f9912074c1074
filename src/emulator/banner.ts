import { CONTROL_PREFIX } from './control.js';
import type { Emulator } from './server.js';

/**
 * The text the CLI's `checkpoint-permissions emulator` prints once the emulator listens: its URL,
 * its admin key and project keys (the emulator's own, not secrets), and the environment that
 * points the library (or the official SDK) at it.
 *
 * @example
 * console.log(formatEmulatorBanner(await startEmulator({ port: 4010 })));
 * // OpenAI API emulator listening on http://127.0.0.1:4010/v1
 * // Admin API key: sk-admin-emulator
 * // Project keys:  proj_… sk-proj-…   (3 of 4 owning projects; discovery cannot see the others)
 * // Stats:         http://127.0.0.1:4010/__emulator/stats
 * //
 * // Point a client at it:
 * //   OPENAI_BASE_URL=http://127.0.0.1:4010/v1 OPENAI_ADMIN_KEY=sk-admin-emulator OPENAI_API_KEY=sk-proj-… checkpoint-permissions …
 */
export function formatEmulatorBanner(
  emulator: Pick<Emulator, 'url'> & Partial<Pick<Emulator, 'adminKey' | 'apiKey' | 'projectKeys'>>,
): string {
  const origin = emulator.url.replace(/\/v1$/, '');
  const adminKey = emulator.adminKey ?? emulator.apiKey;
  const keys = Object.entries(emulator.projectKeys ?? {});
  const firstKey = keys[0]?.[1];
  return [
    `OpenAI API emulator listening on ${emulator.url}`,
    `Admin API key: ${adminKey}`,
    ...keys.map(
      ([project, key], index) =>
        `${index === 0 ? 'Project keys: ' : '              '} ${project} ${key}`,
    ),
    `Stats:         ${origin}${CONTROL_PREFIX}/stats`,
    '',
    'Point a client at it:',
    `  OPENAI_BASE_URL=${emulator.url} OPENAI_ADMIN_KEY=${adminKey}` +
      `${firstKey === undefined ? '' : ` OPENAI_API_KEY=${firstKey}`} checkpoint-permissions …`,
    '',
  ].join('\n');
}
