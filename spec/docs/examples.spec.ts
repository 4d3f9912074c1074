import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditInto } from '../../docs/examples/backpressure-process.js';
import { auditToFile } from '../../docs/examples/backpressure-pull.js';
import { twoAuditsOneBudget } from '../../docs/examples/custom-limiter.js';
import { auditOrganization } from '../../docs/examples/discover.js';
import { countPermissions } from '../../docs/examples/fan-out.js';
import { permissionIdsOrNone } from '../../docs/examples/handle-errors.js';
import { projectsWithAccess } from '../../docs/examples/readme.js';
import { resumableAudit } from '../../docs/examples/resume.js';
import { listWithRetryLog } from '../../docs/examples/retry-events.js';
import type { PermissionRecord } from '../../src/audit/audit-record.js';
import { createClient } from '../../src/client/create-client.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { AuthenticationError } from '../../src/errors.js';

/**
 * Every example in the docs runs here, against the emulator, and is checked against its ground
 * truth. The examples read OPENAI_ADMIN_KEY / OPENAI_BASE_URL as a user's program would.
 */
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 3 });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(() => {
  emulator.setChaos({});
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function useEmulator(): void {
  vi.stubEnv('OPENAI_ADMIN_KEY', emulator.adminKey);
  vi.stubEnv('OPENAI_BASE_URL', emulator.url);
}

const truth = () => emulator.truth().permissions;
const checkpoints = () => Object.keys(truth());
const line = (p: { id: string; project_id: string; created_at: number }) =>
  `${p.id} ${p.project_id} ${p.created_at}`;

describe('docs/examples', () => {
  it('readme.ts: projectsWithAccess', async () => {
    useEmulator();
    const [checkpoint, permissions] = Object.entries(truth()).find(
      ([, list]) => list.length > 100,
    )!;
    expect(await projectsWithAccess(checkpoint)).toEqual(
      new Set(permissions.map((p) => p.project_id)),
    );
  });

  it('handle-errors.ts: an unknown checkpoint has none; a bad key is explained and rethrown', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const client = createClient({ adminAPIKey: emulator.adminKey, baseURL: emulator.url });
    const [checkpoint, permissions] = Object.entries(truth())[0]!;
    expect((await permissionIdsOrNone(client, checkpoint)).sort()).toEqual(
      permissions.map((p) => p.id).sort(),
    );
    expect(await permissionIdsOrNone(client, 'ft:gpt-4o-mini-2024-07-18:acme:gone:x')).toEqual([]);
    const wrong = createClient({ adminAPIKey: 'sk-admin-wrong', baseURL: emulator.url });
    await expect(permissionIdsOrNone(wrong, checkpoint)).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^401: /));
    await Promise.all([client.close(), wrong.close()]);
  });

  it('discover.ts: auditOrganization audits what discovery finds and reports what it cannot see', async () => {
    useEmulator();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const t = emulator.truth();
    const { summary, coverage } = await auditOrganization(emulator.projectKeys);
    const keyed = new Set(Object.keys(emulator.projectKeys));
    const logged = new Set(
      t.auditLog.flatMap((e) =>
        e.type === 'checkpoint.permission.created'
          ? [e['checkpoint.permission.created']!.data.fine_tuned_model_checkpoint]
          : [],
      ),
    );
    const found = t.checkpoints
      .map((c) => c.fine_tuned_model_checkpoint)
      .filter((c) => logged.has(c) || keyed.has(t.owners[c]!));
    const archived = new Set(t.projects.filter((p) => p.status === 'archived').map((p) => p.id));
    const granted = found.flatMap((c) => t.permissions[c] ?? []);
    expect(summary).toMatchObject({
      checkpoints: { ok: found.length, failed: 0 },
      permissions: granted.length,
      archived: granted.filter((p) => archived.has(p.project_id)).length,
    });
    const keyless = t.projects.filter((p) => !keyed.has(p.id));
    expect(coverage.projectsWithoutKey.map((p) => p.id)).toEqual(keyless.map((p) => p.id));
    expect(warn).toHaveBeenCalledTimes(keyless.length);
  });

  it('fan-out.ts: countPermissions', async () => {
    useEmulator();
    const counts = await countPermissions(checkpoints());
    expect(counts).toEqual(new Map(Object.entries(truth()).map(([c, list]) => [c, list.length])));
  });

  it('backpressure-process.ts: auditInto a slow store', async () => {
    useEmulator();
    const stored: PermissionRecord[] = [];
    const store = {
      insert: async (r: PermissionRecord) =>
        void (await new Promise((ok) => setTimeout(ok, 0)), stored.push(r)),
    };
    const summary = await auditInto(store, checkpoints());
    const expected = Object.values(truth()).flat();
    expect(stored.map(line).sort()).toEqual(expected.map(line).sort());
    expect(summary).toMatchObject({
      permissions: expected.length,
      checkpoints: { ok: checkpoints().length, failed: 0 },
    });
  });

  it('backpressure-pull.ts: auditToFile', async () => {
    useEmulator();
    const path = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.jsonl');
    await auditToFile(checkpoints(), path);
    const written = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PermissionRecord);
    expect(written.map(line).sort()).toEqual(Object.values(truth()).flat().map(line).sort());
  });

  it('retry-events.ts: listWithRetryLog logs each retry and still lists everything', async () => {
    useEmulator();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    emulator.setChaos({ error503: 0.4, seed: 9 });
    const [checkpoint, permissions] = Object.entries(truth()).find(
      ([, list]) => list.length > 200,
    )!;
    const result = await listWithRetryLog(checkpoint);
    expect(result.permissions).toBe(permissions.length);
    expect(result.retries.length).toBeGreaterThan(0);
    expect(
      result.retries.every((r) => r.reason === 'x-should-retry: true' && r.status === 503),
    ).toBe(true);
  });

  it('custom-limiter.ts: two audits share one budget', async () => {
    useEmulator();
    const all = checkpoints();
    const half = Math.ceil(all.length / 2);
    const result = await twoAuditsOneBudget(all.slice(0, half), all.slice(half));
    expect(result.checkpoints).toBe(all.length);
    expect(result.limiter.ratePerSecond).toBeLessThanOrEqual(10);
  });

  it('resume.ts: a second run skips what the first committed, and finishes what it did not', async () => {
    useEmulator();
    const dir = mkdtempSync(join(tmpdir(), 'resume-'));
    const [big, small] = [
      Object.entries(truth()).find(([, l]) => l.length > 200)!,
      Object.entries(truth()).find(([, l]) => l.length === 11)!,
    ];
    // A crashed run left the first page of `big` written and committed.
    const firstPage = big[1].slice(0, 100);
    const output = join(dir, 'audit.jsonl');
    const state = join(dir, 'state.jsonl');
    writeFileSync(
      output,
      firstPage
        .map((p) => `${JSON.stringify({ type: 'permission', checkpoint: big[0], ...p })}\n`)
        .join(''),
    );
    writeFileSync(
      state,
      `${JSON.stringify({ checkpoint: big[0], after: firstPage.at(-1)!.id })}\n`,
    );
    await resumableAudit([big[0], small[0]], output, state);
    await resumableAudit([big[0], small[0]], output, state); // everything done: writes nothing
    const written = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PermissionRecord);
    expect(written.map(line).sort()).toEqual([...big[1], ...small[1]].map(line).sort());
  });
});

describe('docs stay in step with their examples', () => {
  const documents = [
    'README.md',
    ...readdirSync('docs')
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const recipes = readdirSync('docs/recipes', { withFileTypes: true }).filter((f) =>
    f.name.endsWith('.md'),
  );
  documents.push(...recipes.map((f) => `docs/recipes/${f.name}`));

  it.each(documents)('%s: every TypeScript block is an example file, verbatim', (document) => {
    const text = readFileSync(document, 'utf8');
    const blocks = [...text.matchAll(/(<!-- example: (\S+) -->\n\s*)?```ts\n([\s\S]*?)```/g)];
    for (const [, marker, file, code] of blocks) {
      expect(
        marker,
        `${document}: a TypeScript block without an <!-- example: … --> marker`,
      ).toBeDefined();
      expect(code, `${document}: the block marked ${file} differs from the file`).toBe(
        readFileSync(file!, 'utf8'),
      );
    }
  });
});

describe('docs examples parse on the running Node line, as a user would paste them', () => {
  const documents = [
    'README.md',
    ...readdirSync('docs')
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
    ...readdirSync('docs/recipes')
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/recipes/${f}`),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'doc-blocks-'));

  /** Each ts/js block, types stripped but nothing downlevelled (`using` stays `using`), checked by this Node. */
  const check = (document: string): void => {
    const text = readFileSync(document, 'utf8');
    const blocks = [...text.matchAll(/```(ts|js|mjs)\n([\s\S]*?)```/g)];
    blocks.forEach(([, lang, code], i) => {
      const js =
        lang === 'ts'
          ? ts.transpileModule(code!, {
              compilerOptions: {
                module: ts.ModuleKind.ESNext,
                target: ts.ScriptTarget.ESNext,
              },
            }).outputText
          : code!;
      const file = join(dir, `${document.replaceAll('/', '_')}-${i}.mjs`);
      writeFileSync(file, js);
      try {
        execFileSync(process.execPath, ['--check', file], { stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (error) {
        const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
        throw new Error(
          `${document}, block ${i + 1}: not valid on Node ${process.versions.node}: ${stderr.split('\n').find((l) => l.startsWith('SyntaxError')) ?? stderr}`,
          { cause: error },
        );
      }
    });
  };

  for (const document of documents) it(document, () => check(document));
});
