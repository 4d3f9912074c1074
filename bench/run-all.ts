/**
 * `npm run bench`: every scenario, one after another, each in a fresh Node process so that one
 * scenario's JIT state, heap and open sockets cannot colour the next one's figures. Each prints
 * its tables and writes `bench/results/<scenario>.json`; this prints the goals of all of them at
 * the end. It builds the package first: the scenarios measure `dist/`, as users run it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { resultPath, verdict, type StoredResult } from './support/report.js';

const SCENARIOS = ['sequential', 'fan-out', 'rate-limit', 'memory', 'chaos'] as const;

async function runScenario(name: string): Promise<boolean> {
  const file = fileURLToPath(new URL(`./scenarios/${name}.ts`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code === 0;
}

/** Runs every scenario, then prints all their goals together. */
async function main(): Promise<void> {
  const build = spawn('npm', ['run', 'build'], { stdio: 'inherit' });
  const [built] = (await once(build, 'exit')) as [number | null];
  if (built !== 0) throw new Error('npm run build failed');
  const failed: string[] = [];
  const summary: string[] = [];
  for (const name of SCENARIOS) {
    if (!(await runScenario(name))) {
      failed.push(name);
      continue;
    }
    const result = JSON.parse(await readFile(resultPath(name), 'utf8')) as StoredResult;
    summary.push(result.title, ...result.goals.map((goal) => `  ${verdict(goal)}`));
  }
  console.log(['\n== Goals ==', ...summary].join('\n'));
  if (failed.length > 0) {
    console.error(`Scenarios that failed to run: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
