import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * The layers of DESIGN.md ("each a folder, each importing only downward") and what each may
 * import. A layer is a folder of src/ or a top-level file (`errors.ts`), or one of src/internal/
 * (`http`, `schedule`, `retry`, `paginate`, `timer-delay.ts`, `validate.ts`: the layers with
 * nothing public of their own but types the index re-exports); the public surface
 * (`index.ts`) re-exports the client side. Where DESIGN.md leaves the order open,
 * the table follows the code as it is:
 *
 * | layer        | may import                                                      |
 * | ------------ | --------------------------------------------------------------- |
 * | errors       | (nothing)                                                       |
 * | timer-delay  | (nothing): the clamp every timer goes through                   |
 * | validate     | errors, timer-delay: the option checks, below every layer that   |
 * |              | takes options (the client's own check lives in client/validate) |
 * | http         | errors, timer-delay                                             |
 * | schedule     | errors, timer-delay, validate, http (header parsing)            |
 * | retry        | errors, timer-delay, http, schedule                             |
 * | client       | errors, timer-delay, validate, http, schedule, retry            |
 * | paginate     | errors                                                          |
 * | resources    | errors, http, client, paginate                                  |
 * | audit        | errors, http, client, paginate, resources                       |
 * | emulator     | errors only: it shares no code with the client side, so that one |
 * |              | bug cannot hide itself on both sides of the wire                |
 * | report       | errors, client, audit: turns audit records into the CLI's HTML   |
 * |              | reports and diffs (added by the report work, above audit)       |
 * | cli          | everything below, emulator included                            |
 * | index        | the client side (not emulator, not cli)                         |
 *
 * Every layer is listed after all it may import, so the table itself has no cycle.
 */
const LAYERS: ReadonlyArray<readonly [layer: string, mayImport: readonly string[]]> = [
  ['errors', []],
  ['timer-delay', []],
  ['validate', ['errors', 'timer-delay']],
  ['http', ['errors', 'timer-delay']],
  ['schedule', ['errors', 'timer-delay', 'validate', 'http']],
  ['retry', ['errors', 'timer-delay', 'http', 'schedule']],
  ['client', ['errors', 'timer-delay', 'validate', 'http', 'schedule', 'retry']],
  ['paginate', ['errors']],
  ['resources', ['errors', 'http', 'client', 'paginate']],
  ['audit', ['errors', 'http', 'client', 'paginate', 'resources']],
  ['emulator', ['errors']],
  ['report', ['errors', 'client', 'audit']],
  [
    'cli',
    [
      'errors',
      'timer-delay',
      'validate',
      'http',
      'schedule',
      'retry',
      'client',
      'paginate',
      'resources',
      'audit',
      'emulator',
      'report',
    ],
  ],
  [
    'index',
    [
      'errors',
      'timer-delay',
      'http',
      'schedule',
      'retry',
      'client',
      'paginate',
      'resources',
      'audit',
    ],
  ],
];
const ALLOWED = new Map(LAYERS.map(([layer, mayImport]) => [layer, new Set(mayImport)]));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of every file of src/, type-only and re-exports included, as src paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts'));
    graph.set(relative(SRC, file), [...new Set(targets)]);
  }
  return graph;
}

/** Each cycle once, as `a.ts -> b.ts -> a.ts`, found by a depth-first search. */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const done = new Set<string>();
  const path: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string): void => {
    path.push(file);
    for (const target of graph.get(file) ?? []) {
      const onPath = path.indexOf(target);
      if (onPath >= 0) cycles.push([...path.slice(onPath), target].join(' -> '));
      else if (!done.has(target)) visit(target);
    }
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return cycles;
}

/** A file's layer: its folder (or top-level file) under src/, or under src/internal/. */
const layerOf = (file: string): string => {
  const [first, second] = file.split('/');
  return (first === 'internal' ? second! : first!).replace(/\.ts$/, '');
};

const graph = importGraph();

describe('imports', () => {
  it('resolve to files that exist', () => {
    const missing = [...graph].flatMap(([file, targets]) =>
      targets.filter((target) => !graph.has(target)).map((target) => `${file} -> ${target}`),
    );
    expect(missing).toEqual([]);
  });

  it('form no cycle, not even through type-only imports', () => {
    expect(cyclesOf(graph)).toEqual([]);
  });

  it('only go down the layers of DESIGN.md', () => {
    const violations = [...graph].flatMap(([file, targets]) => {
      const allowed = ALLOWED.get(layerOf(file));
      if (!allowed) return [`${file}: layer ${layerOf(file)} is not in the table`];
      return targets
        .filter((target) => layerOf(target) !== layerOf(file) && !allowed.has(layerOf(target)))
        .map((target) => `${file} -> ${target}`);
    });
    expect(violations).toEqual([]);
  });

  it('has a layer table that is itself an order (each layer after all it may import)', () => {
    const seen = new Set<string>();
    for (const [layer, mayImport] of LAYERS) {
      expect(
        mayImport.filter((lower) => !seen.has(lower)),
        layer,
      ).toEqual([]);
      seen.add(layer);
    }
  });

  it('finds a cycle and a violation when there is one (the checks cannot pass vacuously)', () => {
    const cyclic = new Map([
      ['client/a.ts', ['client/b.ts']],
      ['client/b.ts', ['client/a.ts']],
    ]);
    expect(cyclesOf(cyclic)).toEqual(['client/a.ts -> client/b.ts -> client/a.ts']);
    expect(graph.size).toBeGreaterThan(50);
    expect(ALLOWED.get('emulator')?.has(layerOf('internal/http/url.ts'))).toBe(false);
    expect(layerOf('internal/timer-delay.ts')).toBe('timer-delay');
  });
});
