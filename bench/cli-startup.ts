/**
 * How long `checkpoint-permissions --version` and `--help` take to start, against a bare
 * `node -e 0`: paired runs (the three alternate, so a busy moment of the machine hits all of
 * them alike), N of each, then the medians and the ratios. Not a test: a figure for
 * docs/performance.md ("CLI start-up"); the goal is at most 1.5× `node -e 0`. The machine's load
 * average is printed before and after: the ratio grows on a busy machine, so say it with the figure.
 *
 *   npm run build && npx tsx bench/cli-startup.ts [N]   # default: 20
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const N = Number(process.argv[2] ?? 20);

const RUNS = {
  'node -e 0': ['-e', '0'],
  '--version': [BIN, '--version'],
  '--help': [BIN, '--help'],
} as const satisfies Record<string, readonly string[]>;
type Name = keyof typeof RUNS;

/** Wall time of one child process, in ms; a failed run stops the benchmark. */
function once(args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'pipe' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return ms;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The 1-minute load average, as `uptime` shows it. */
const load = (): string => loadavg()[0]!.toFixed(2);

const names = Object.keys(RUNS) as Name[];
const loadBefore = load();
const times = new Map<Name, number[]>(names.map((name) => [name, []]));
for (const name of names) once(RUNS[name]); // warm the file cache
for (let i = 0; i < N; i++) for (const name of names) times.get(name)!.push(once(RUNS[name]));

const base = median(times.get('node -e 0')!);
console.log(
  `CLI start-up, N=${N} paired runs (median wall time of a child process), load ${loadBefore} → ${load()}`,
);
for (const name of names) {
  const m = median(times.get(name)!);
  console.log(
    `${name.padEnd(10)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}× node -e 0`,
  );
}
