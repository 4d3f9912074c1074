import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Help } from '@commander-js/extra-typings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARY } from '../../src/cli/help-text.js';
import { COMMANDS } from '../../src/cli/program.js';
import { processIO } from '../../src/cli/io.js';

// The built binary in a child process: run `npm run build` first (the test script does).
const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

let dir: string;
/** `--import` this to have the child print (to stderr) every module it loads. */
let tracer: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-start-up-'));
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `export async function load(url, context, next) {
  process._rawDebug('loaded ' + url);
  return next(url, context);
}\n`,
  );
  tracer = join(dir, 'trace.mjs');
  writeFileSync(
    tracer,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The modules `node dist/cli/bin.js …args` loads, as file URLs; it must exit `exitCode`. */
function modulesLoadedBy(args: readonly string[], exitCode = 0): string[] {
  const result = spawnSync(process.execPath, ['--import', tracer, BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  expect(result.status).toBe(exitCode);
  return result.stderr
    .split('\n')
    .filter((line) => line.startsWith('loaded '))
    .map((line) => line.slice('loaded '.length));
}

/** The package's version, as `--version` must print it. */
const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const HANDLERS_AND_CLIENT =
  /\/dist\/cli\/commands\/|\/node_modules\/(rxjs|undici|cli-progress|prom-client|redis)\//;

describe('start-up', () => {
  it.each(['--version', '-V'])(
    '%s prints the version from the binary itself: no commander, no program, no dependency',
    (flag) => {
      const result = spawnSync(process.execPath, [BIN, flag], { encoding: 'utf8' });
      expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
        status: 0,
        stdout: `${PACKAGE_VERSION}\n`,
        stderr: '',
      });
      const loaded = modulesLoadedBy([flag]);
      expect(
        loaded.filter((url) => /\/node_modules\/|\/dist\/cli\/(main|program)\.js$/.test(url)),
      ).toEqual([]);
    },
  );

  // Commander itself is required (src/cli/commander.ts), out of sight of the loader hook: what
  // it sees is that the ESM wrappers of @commander-js/extra-typings are not imported.
  it('--help loads the program, no command definition, ESM commander wrapper, handler, RxJS or HTTP client', () => {
    const loaded = modulesLoadedBy(['--help']);
    expect(loaded.some((url) => url.endsWith('/dist/cli/program.js'))).toBe(true);
    expect(
      loaded.filter(
        (url) =>
          /\/dist\/cli\/definitions\/|\/node_modules\/@commander-js\//.test(url) ||
          HANDLERS_AND_CLIENT.test(url),
      ),
    ).toEqual([]);
  });

  it.each(['audit --help', 'help audit'])(
    '%s loads the audit definition only, no handler, RxJS or HTTP client',
    (command) => {
      const loaded = modulesLoadedBy(command.split(' '));
      const definitions = loaded.filter((url) => url.includes('/dist/cli/definitions/'));
      expect(definitions.some((url) => url.endsWith('/definitions/audit.js'))).toBe(true);
      expect(
        definitions.filter((url) =>
          /\/definitions\/(list|watch|diff|emulator|demo)\.js$/.test(url),
        ),
      ).toEqual([]);
      expect(loaded.filter((url) => HANDLERS_AND_CLIENT.test(url))).toEqual([]);
    },
  );

  it('loads the handler of the command that runs, and not the others', () => {
    const loaded = modulesLoadedBy(['diff', join(dir, 'nope.jsonl'), '-'], 66);
    const handlers = loaded.filter((url) => url.includes('/dist/cli/commands/'));
    expect(handlers.some((url) => url.endsWith('/commands/diff.js'))).toBe(true);
    expect(handlers.filter((url) => /\/commands\/(watch|emulator|demo)\.js$/.test(url))).toEqual(
      [],
    );
  });
});

// The program's help lists every command from its entry in COMMANDS, without its definition:
// each entry must say what commander would say from the definition itself.
describe('the list of commands in the program’s help', () => {
  it.each(Object.keys(COMMANDS) as Array<keyof typeof COMMANDS>)(
    '%s is listed as its definition would be',
    async (name) => {
      const definition = await COMMANDS[name].load(processIO(), () => undefined);
      expect({
        name: definition.name(),
        term: new Help().subcommandTerm(definition),
        description: definition.description(),
      }).toEqual({ name, term: COMMANDS[name].term, description: SUMMARY[name] });
    },
  );
});
