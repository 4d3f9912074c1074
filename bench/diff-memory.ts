/**
 * How much memory `checkpoint-permissions diff` needs for two big audits: generates two JSONL
 * outputs of N grants each (10,000 checkpoints, 1% of the grants changed, violations among
 * them), then runs the built CLI's `diff --format jsonl` on them in a child process and prints its
 * peak RSS and live heap. Not a test: a figure for docs/performance.md ("diff").
 *
 *   npm run build && npx tsx bench/diff-memory.ts [N ...]   # default: 100000 1000000
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

const ROOT = join(import.meta.dirname, '..');
const sizes = process.argv.slice(2).map(Number);

async function write(path: string, lines: number, changed: (i: number) => boolean): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < lines; i++) {
    const c = i % 10_000;
    const id = changed(i)
      ? `cp_new_${i.toString(36).padStart(20, '0')}`
      : `cp_${i.toString(36).padStart(24, '0')}`;
    const line = `${JSON.stringify({
      checkpoint: `ft:gpt-4o-mini-2024-07-18:acme:model-${c}:B7R9VjQd:ckpt-step-${c}`,
      id,
      project_id: `proj_${(i % 997).toString(36).padStart(24, '0')}`,
      created_at: 1_721_764_800 + i,
      allowed: i % 50 !== 0,
    })}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/**
 * The child: runs `main(['diff', …])` with stdout thrown away, then reports its own peaks. It
 * runs twice: plain, for the wall time and peak RSS; with `--expose-gc`, for the live heap.
 */
const CHILD = `
import { Writable, PassThrough } from 'node:stream';
const { main } = await import(${JSON.stringify(join(ROOT, 'dist/cli/main.js'))});
let peakHeap = 0;
// With --expose-gc: the live heap, a full GC every second (which slows the run: time it without).
const timer = globalThis.gc && setInterval(() => { globalThis.gc(); peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed); }, 1000);
const sink = new Writable({ write(_c, _e, done) { done(); } });
const started = performance.now();
const code = await main(['diff', process.argv[1], process.argv[2], '--format', 'jsonl'],
  { stdout: sink, stderr: process.stderr, stdin: new PassThrough(), env: {}, interrupted: () => new Promise(() => {}) });
clearInterval(timer);
console.log(JSON.stringify({ code, ms: Math.round(performance.now() - started), peakRss: process.resourceUsage().maxRSS * 1024, peakHeap }));
`;

interface Measured {
  readonly code: number;
  readonly ms: number;
  readonly peakRss: number;
  readonly peakHeap: number;
}

const dir = mkdtempSync(join(tmpdir(), 'diff-memory-'));
try {
  console.log('lines per file | file size | peak RSS | peak live heap | wall time');
  for (const n of sizes.length > 0 ? sizes : [100_000, 1_000_000]) {
    const [old, next] = [join(dir, `old-${n}.jsonl`), join(dir, `new-${n}.jsonl`)];
    await write(old, n, () => false);
    await write(next, n, (i) => i % 100 === 7);
    const measure = (flags: string[]): Measured => {
      const child = spawnSync(
        process.execPath,
        [...flags, '--input-type=module', '-e', CHILD, old, next],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      );
      if (child.status !== 0) throw new Error(child.stderr);
      return JSON.parse(child.stdout) as Measured;
    };
    const r = measure([]);
    const live = measure(['--expose-gc']);
    const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
    console.log(
      `${n.toLocaleString('en-US')} | ${mb(statSync(old).size)} | ${mb(r.peakRss)} | ${mb(live.peakHeap)} | ${(r.ms / 1000).toFixed(1)} s (exit ${r.code})`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
