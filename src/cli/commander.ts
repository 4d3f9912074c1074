import { createRequire } from 'node:module';
import type * as ExtraTypings from '@commander-js/extra-typings';

/**
 * Commander's runtime, loaded with `require`, typed by `@commander-js/extra-typings` (whose
 * runtime is this same module: one `Command` class, one `CommanderError`). Importing it as ESM
 * goes through two ESM wrappers and the CommonJS export lexer, which cost `--help` about 12 ms
 * of CPU, a tenth of its start-up (see "CLI start-up" in docs/performance.md). The command
 * definitions, loaded only when their command runs, import `@commander-js/extra-typings`.
 *
 * @example
 * ```ts
 * const program = new commander.Command('checkpoint-permissions').option('--debug');
 * ```
 */
export const commander = createRequire(import.meta.url)('commander') as typeof ExtraTypings;
