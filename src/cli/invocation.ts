import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where this copy of the tool runs from: a clone of its repository (sources present, run with
 * `npm run …` or tsx) or an installed package (only `dist/`, run with `npx`).
 */
export type Installation = 'clone' | 'installed';

/** The package root: `src/cli/` and `dist/cli/` are both two levels below it. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A clone has the sources (`src/cli/bin.ts`); the published package ships only `dist/`.
 *
 * @example
 * ```ts
 * installation(); // 'clone' under `npm run demo`, 'installed' under `npx checkpoint-permissions`
 * ```
 */
export function installation(root: string = PACKAGE_ROOT): Installation {
  return existsSync(`${root}/src/cli/bin.ts`) ? 'clone' : 'installed';
}

/** Commands that have an npm script of their own in a clone (see package.json). */
const SCRIPTS: Readonly<Record<string, string>> = { demo: 'demo', emulator: 'emulator' };

/**
 * How to run `checkpoint-permissions <args>` where the tool is: every hint the tool prints must
 * work when pasted. In a clone the binary is not on the PATH, so a hint names the npm script
 * (`npm run emulator`) or tsx; installed, `npx` finds the binary.
 *
 * @example
 * ```ts
 * howToRun('emulator', 'clone'); // 'npm run emulator'
 * howToRun('audit --all', 'clone'); // 'npx tsx src/cli/bin.ts audit --all'
 * howToRun('emulator', 'installed'); // 'npx checkpoint-permissions emulator'
 * ```
 */
export function howToRun(args: string, where: Installation = installation()): string {
  if (where === 'installed') return `npx checkpoint-permissions ${args}`;
  return SCRIPTS[args] ? `npm run ${SCRIPTS[args]}` : `npx tsx src/cli/bin.ts ${args}`;
}

/**
 * Where to read about the CLI: its guide in a clone; in an installed package, which ships no
 * `docs/`, the README that npm always includes.
 *
 * @example
 * ```ts
 * whereToRead('installed'); // 'node_modules/rx-checkpoint-permissions/README.md'
 * ```
 */
export function whereToRead(where: Installation = installation()): string {
  return where === 'clone' ? 'docs/cli.md' : 'node_modules/rx-checkpoint-permissions/README.md';
}
