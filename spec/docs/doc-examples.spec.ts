import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Every example of a doc comment in src/ type-checks: a ```ts block, or an `@example` written
 * without a fence (TypeDoc shows both as code). The examples are the API reference, and one that
 * no longer compiles teaches a call that no longer exists. Each becomes a module (virtual:
 * nothing is written to disk) beside the file it documents, importing that file's exports, the
 * public API and RxJS (and, in the emulator, the internals it names); the free variables examples
 * lean on (`client`, `checkpoint`, `store`, ...) are declared once in a shared ambient preamble.
 * All of them compile in one `ts.createProgram`.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');
/** Where the virtual files live: inside the repository, so that `rxjs` and friends resolve. */
const VIRTUAL = join(ROOT, 'spec', 'docs', '.doc-examples');
const PREAMBLE = join(VIRTUAL, 'preamble.d.ts');

const index = (path: string): string => JSON.stringify(join(SRC, path).replace(/\.ts$/, '.js'));

/**
 * The names examples use without defining them, as a script (global) declaration file. An
 * example that defines one of these itself shadows it: examples are modules.
 */
const preamble = `
declare const client: import(${index('index.ts')}).Client;
declare const checkpoint: string;
declare const checkpoints: string[];
declare const ids: string[];
declare const emulator: import(${index('emulator/index.ts')}).Emulator;
declare const scheduler: import('rxjs').SchedulerLike;
declare const testScheduler: import('rxjs/testing').TestScheduler;
declare const signal: AbortSignal;
declare const page: import(${index('resources/permission.ts')}).PermissionPage;
declare const store: import(${index('emulator/data/store.ts')}).Store;
declare const state: import(${index('emulator/data/state.ts')}).EmulatorState;
declare const writeContext: import(${index('emulator/routes/permissions.ts')}).WriteContext;
declare const req: import('node:http').IncomingMessage;
declare const res: import('node:http').ServerResponse;
declare const server: import('node:http').Server;
declare const timers: import(${index('emulator/faults/timers.ts')}).Timers;
declare const keys: import(${index('emulator/http/auth.ts')}).KnownKeys;
declare const chaos: import(${index('emulator/faults/chaos.ts')}).ResolvedChaos;
declare const random: import(${index('emulator/data/prng.ts')}).Random;
declare const decision: import(${index('emulator/faults/request-bucket.ts')}).RequestDecision;
declare const limit: import(${index('emulator/faults/rate-limit.ts')}).ResolvedRateLimit;
declare const event: import(${index('emulator/index.ts')}).AuditLogEvent;
declare const actor: import(${index('emulator/index.ts')}).AuditLogActor;
declare const a: import(${index('emulator/data/page.ts')}).SortKey;
declare const b: import(${index('emulator/data/page.ts')}).SortKey;
declare const sorted: import(${index('emulator/index.ts')}).CheckpointPermission[];
declare const id: string;
declare const name: string;
declare const projectsByKey: Map<string, string>;
declare const text: string;
declare const query: URLSearchParams;
declare const rawPath: string;
declare const rawQuery: string;
declare const OpenAI: typeof import('openai').default;
declare const controller: AbortController;
declare const truncateSync: typeof import('node:fs').truncateSync;
declare const options: { client?: import(${index('index.ts')}).Client };
declare const spec: import(${index('internal/http/send-request.ts')}).RequestSpec<unknown>;
declare function listSpec(after: string | undefined): import(${index('internal/http/send-request.ts')}).RequestSpec<import(${index('resources/permission.ts')}).PermissionPage>;
declare function fetchPage(after: string | undefined): import('rxjs').Observable<import(${index('resources/permission.ts')}).PermissionPage>;
declare const request$: import('rxjs').Observable<unknown>;
declare const attempt$: import('rxjs').Observable<unknown>;
declare const transport: import(${index('internal/http/send-request.ts')}).Transport;
declare const sendRequest$: typeof import(${index('internal/http/send-request.ts')}).sendRequest$;
declare const origin: string;
declare const headers: Record<string, string>;
declare const agent: import('undici').Dispatcher;
declare const body: unknown;
declare const jobId: string;
declare const lastSeenId: string;
declare const allowed: Set<string>;
declare const allow: import(${index('index.ts')}).AuditOptions['allow'];
declare const record: import(${index('audit/audit-record.ts')}).AuditRecord;
declare const records: import(${index('audit/audit-record.ts')}).AuditRecord[];
declare const summary: import(${index('index.ts')}).AuditSummary;
declare const deleted: string[];
declare const journal: import(${index('audit/progress-journal.ts')}).ProgressJournal;
declare const bytesWritten: number;
declare const written: number;
declare function write(record: unknown): Promise<void>;
declare function ticket(record: unknown): Promise<void>;
declare function slowWork(value: unknown): Promise<void>;
declare const db: { insert(record: unknown): Promise<void> };
declare const e: unknown;
declare const error: import(${index('errors.ts')}).APIError;
declare function log(...values: unknown[]): void;
declare const policy: import(${index('internal/retry/retry-policy.ts')}).RetryPolicy;
declare const context: import(${index('internal/retry/plan-retry.ts')}).RetryContext;
declare const attempt: number;
declare const elapsedMs: number;
declare const startedAt: number;
declare function sleep(ms: number): Promise<void>;
declare function tryAgain(): void;
declare function retryLater(): void;
declare function work(this: import('rxjs').SchedulerAction<unknown>): void;
declare const pauseMs: number;
declare const now: number;
declare const quiet: boolean;
declare const path: string;
declare const ExitCode: typeof import(${index('cli/exit-codes.ts')}).ExitCode;
declare const processIO: typeof import(${index('cli/io.ts')}).processIO;
declare const Option: typeof import('commander').Option;
declare const readFileSync: typeof import('node:fs').readFileSync;
declare const writeFileSync: typeof import('node:fs').writeFileSync;
declare const createReadStream: typeof import('node:fs').createReadStream;
declare function save(value: unknown): void;
declare function send(): void;
declare const saved: import(${index('audit/change-state.ts')}).WatchState;
declare const watchState: import(${index('audit/change-state.ts')}).WatchState;
declare const changeState: import(${index('audit/change-state.ts')}).ChangeState;
declare let coverage: import(${index('audit/discovery-event.ts')}).DiscoveryCoverage;
declare const change: import(${index('audit/permission-changes.ts')}).PermissionChange;
declare let lastOk: number;
declare let exitCode: number;
declare const result: { archived: Parameters<typeof import(${index('cli/commands/audit.ts')}).archivedTable>[0] };
declare const warn: import(${index('cli/key-files.ts')}).Warn;
declare const metrics: Parameters<typeof import(${index('cli/watch/metrics-server.ts')}).serveMetrics>[0];
declare const scope: Parameters<typeof import(${index('cli/watch/state-file.ts')}).writeWatchStateFile>[1];
declare const url: string;
declare const projects: import(${index('resources/project.ts')}).Project[];
declare const vault: { get(name: string): string | undefined };
declare const send$: import('rxjs').Observable<import(${index('internal/http/send-request.ts')}).HttpResponse<unknown>>;
declare const limiter: import(${index('internal/schedule/limiter.ts')}).Limiter;
declare const redis: import(${index('internal/schedule/store/redis-store.ts')}).RedisCommandSender;
declare const requestSummary: import(${index('errors.ts')}).RequestSummary;
`;

interface Example {
  /** The documented file, relative to the repository. */
  readonly source: string;
  /** 1-based line of the block's opening fence in the source. */
  readonly line: number;
  /** The module compiled: the import of the file's exports, then the block. */
  readonly code: string;
  /** How many lines precede the block in `code`. */
  readonly prefixLines: number;
  readonly path: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every example inside a `/** … *\/` comment of `text`, with the line just before its code: a
 * ```ts block, or the body of an `@example` tag written without a fence (TypeDoc shows that as
 * code too), which runs to the next tag or the end of the comment.
 */
function examplesIn(text: string): Array<{ line: number; code: string }> {
  const examples: Array<{ line: number; code: string }> = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = text.slice(0, comment.index).split('\n').length;
    const lines = comment[0].split('\n').map((line) => line.replace(/^\s*\*( |$)/, ''));
    let open: { line: number; code: string[]; fenced: boolean } | undefined;
    const close = (): void => {
      const code = open?.code.join('\n').trim();
      if (open && code) examples.push({ line: open.line, code: open.code.join('\n') });
      open = undefined;
    };
    lines.forEach((line, i) => {
      const trimmed = line.trim();
      if (open?.fenced) {
        if (trimmed === '```') close();
        else open.code.push(line);
      } else if (/^```ts$/.test(trimmed)) {
        close();
        open = { line: startLine + i, code: [], fenced: true };
      } else if (
        open &&
        (trimmed.startsWith('@') || trimmed.endsWith('*/') || trimmed.startsWith('```'))
      ) {
        close();
        if (trimmed === '@example') open = { line: startLine + i, code: [], fenced: false };
      } else if (open) open.code.push(line);
      else if (trimmed === '@example') open = { line: startLine + i, code: [], fenced: false };
    });
    close();
  }
  return examples;
}

/** The names a module's text exports: its own declarations and its re-export lists. */
function exportedNames(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const names = new Set<string>();
  for (const [, name] of text.matchAll(
    /^export (?:declare )?(?:default )?(?:async )?(?:function\*?|const|let|class|abstract class|interface|type|enum) ([\w$]+)/gm,
  )) {
    names.add(name!);
  }
  for (const [, list] of text.matchAll(/^export (?:type )?\{([^}]*)\}/gm)) {
    for (const item of list!.split(',')) {
      const name = item
        .trim()
        .split(/\s+as\s+/)
        .at(-1)
        ?.replace(/^type\s+/, '');
      if (name) names.add(name);
    }
  }
  return names;
}

/** Each name the given modules export, and the first module (in path order) exporting it. */
function exportsOf(files: readonly string[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const file of [...files].sort()) {
    for (const name of exportedNames(file)) if (!owners.has(name)) owners.set(name, file);
  }
  return owners;
}

const ALL_FILES = sourceFiles(SRC);
const EMULATOR_EXPORTS = exportsOf(ALL_FILES.filter((file) => file.includes('/emulator/')));
const PUBLIC = exportedNames(join(SRC, 'index.ts'));
/** The names the preamble declares: an example means those, never a module's export of the name. */
const AMBIENT = new Set(
  [...preamble.matchAll(/^declare (?:const|let|function) ([\w$]+)/gm)].map(([, name]) => name!),
);
/**
 * The library's internals (its modules, not the public surface, which the package import gives):
 * the building blocks no longer exported are still what a reader of their neighbours knows.
 */
const LIBRARY_EXPORTS = new Map(
  [
    ...exportsOf(
      ALL_FILES.filter((file) => !file.includes('/emulator/') && file !== join(SRC, 'index.ts')),
    ),
  ].filter(([name]) => !PUBLIC.has(name)),
);
const EMULATOR = exportedNames(join(SRC, 'emulator', 'index.ts'));
const RXJS = new Set(Object.keys(await import('rxjs')));

/**
 * The imports an example gets for free, as its reader assumes them: the documented file's own
 * exports, then the package's public API, its emulator's, and RxJS. A name the example declares
 * or imports itself is left out.
 */
function importsFor(file: string, code: string): string[] {
  const taken = new Set<string>();
  const declared = /\b(?:const|let|var|function|class|interface|type)\s+([\w$]+)/g;
  for (const [, name] of code.matchAll(declared)) taken.add(name!);
  for (const [, list] of code.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const item of list!.split(','))
      taken.add(
        item
          .trim()
          .split(/\s+as\s+/)
          .at(-1)!,
      );
  }
  const from = (names: Iterable<string>, module: string): string => {
    const fresh = [...names].filter((name) => !taken.has(name));
    fresh.forEach((name) => taken.add(name));
    return fresh.length === 0 ? '' : `import { ${fresh.join(', ')} } from '${module}';`;
  };
  // Internals a reader of this file knows: used by name, exported by a module of its side (the
  // emulator's, or the library's beyond its public API).
  const layer = file.includes('/emulator/') ? EMULATOR_EXPORTS : LIBRARY_EXPORTS;
  const internal = new Map<string, string[]>();
  for (const [name, owner] of layer) {
    if (
      owner === file ||
      AMBIENT.has(name) ||
      !new RegExp(`(?<![\\w$.])${name.replace('$', '\\$')}(?![\\w$])`).test(code)
    )
      continue;
    internal.set(owner, [...(internal.get(owner) ?? []), name]);
  }
  const relativeTo = (owner: string): string => {
    const path = relative(dirname(file), owner).replace(/\.ts$/, '.js');
    return path.startsWith('.') ? path : `./${path}`;
  };
  return [
    from(exportedNames(file), `./${basename(file, '.ts')}.js`),
    ...[...internal].map(([owner, names]) => from(names, relativeTo(owner))),
    from(PUBLIC, 'rx-checkpoint-permissions'),
    from(EMULATOR, 'rx-checkpoint-permissions/emulator'),
    from(RXJS, 'rxjs'),
  ];
}

/** An example as the module compiled, beside the file it documents (its imports read as there). */
function exampleModule(file: string, line: number, code: string, n: number): Example {
  const prefix = [...importsFor(file, code), 'export {};'];
  return {
    source: relative(ROOT, file),
    line,
    code: [...prefix, code, ''].join('\n'),
    prefixLines: prefix.length,
    path: join(dirname(file), `${basename(file, '.ts')}.example-${n}.ts`),
  };
}

function collectExamples(): Example[] {
  return sourceFiles(SRC).flatMap((file) =>
    examplesIn(readFileSync(file, 'utf8')).map(({ line, code }, n) =>
      exampleModule(file, line, code, n),
    ),
  );
}

function compilerOptions(): ts.CompilerOptions {
  const path = join(ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(path, (file) => ts.sys.readFile(file));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, path);
  // Examples are read by people, not bundlers: a type imported without `type` is fine there.
  return { ...options, verbatimModuleSyntax: false, noEmit: true, noUnusedLocals: false };
}

/** Type-checks every example in one program; the errors, as `file:line: message`. */
function typeCheck(examples: readonly Example[]): string[] {
  const options = compilerOptions();
  const virtual = new Map<string, string>([[PREAMBLE, preamble]]);
  for (const example of examples) virtual.set(example.path, example.code);
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => virtual.has(file) || fileExists.call(host, file);
  host.readFile = (file) => virtual.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, onError, create) => {
    const text = virtual.get(file);
    return text === undefined
      ? getSourceFile.call(host, file, language, onError, create)
      : ts.createSourceFile(file, text, language, true);
  };
  const program = ts.createProgram([PREAMBLE, ...virtual.keys()], options, host);
  const byPath = new Map(examples.map((example) => [example.path, example]));
  return ts.getPreEmitDiagnostics(program).flatMap((diagnostic) => {
    const example = diagnostic.file && byPath.get(diagnostic.file.fileName);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!example || diagnostic.start === undefined) {
      return diagnostic.file?.fileName === PREAMBLE ? [`preamble: ${message}`] : [];
    }
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    return [`${example.source}:${example.line + 1 + line - example.prefixLines}: ${message}`];
  });
}

describe('doc-comment examples', () => {
  const examples = collectExamples();
  // A wrong example, compiled with the others: the spec must see it, at its line.
  const bad = exampleModule(
    join(SRC, 'internal', 'timer-delay.ts'),
    10,
    "timerDelay(0);\ntimerDelay('x');",
    99,
  );
  let errors: string[] = [];
  beforeAll(() => {
    errors = typeCheck([...examples, bad]);
  });

  it('finds the ```ts blocks of doc comments, and nothing else', () => {
    const text = [
      '/**',
      ' * Summary.',
      ' * @example',
      ' * ```ts',
      ' * const a = 1;',
      ' * ```',
      ' */',
      '// ```ts not in a doc comment ```',
    ].join('\n');
    expect(examplesIn(text)).toEqual([{ line: 4, code: 'const a = 1;' }]);
    expect(examples.length).toBeGreaterThan(100);
  });

  it('reports an example that does not compile, at its line in the source', () => {
    const own = errors.filter((error) => error.startsWith('src/internal/timer-delay.ts:12:'));
    expect(own).toEqual([
      "src/internal/timer-delay.ts:12: Argument of type 'string' is not assignable to parameter of type 'number'.",
    ]);
  });

  it('type-check, every one of them, in one program', () => {
    expect(errors.filter((error) => !error.startsWith('src/internal/timer-delay.ts:12:'))).toEqual(
      [],
    );
  });
});
