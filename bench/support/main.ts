import { pathToFileURL } from 'node:url';
import { publish, type ScenarioReport } from './report.js';

/**
 * Runs a scenario when its file is the program (`npx tsx bench/scenarios/sequential.ts`), and
 * does nothing when it is imported. A failure sets a non-zero exit code; a missed goal does not,
 * because a benchmark reports figures rather than passing or failing.
 *
 * @example
 * ```ts
 * await runIfMain(import.meta.url, run);
 * ```
 */
export async function runIfMain(url: string, run: () => Promise<ScenarioReport>): Promise<void> {
  if (url !== pathToFileURL(process.argv[1] ?? '').href) return;
  try {
    await publish(await run());
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
