import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Library from '../../src/index.js';

const BUILT = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

if (!existsSync(BUILT)) {
  throw new Error('The benchmarks measure the built package: run `npm run build` first.');
}

/**
 * The library under test, as users get it: the compiled `dist/` of `npm run build`, not the
 * TypeScript sources through tsx's loader (whose transform costs the sources about a fifth of
 * their speed per page, which users never pay). Typed from the sources, which `dist/` mirrors.
 */
export const library = (await import(pathToFileURL(BUILT).href)) as typeof Library;
