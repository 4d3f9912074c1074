import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Docs examples import the package by name, as users do; run them against the sources.
    alias: [
      {
        find: /^rx-checkpoint-permissions\/emulator$/,
        replacement: source('./src/emulator/index.ts'),
      },
      { find: /^rx-checkpoint-permissions$/, replacement: source('./src/index.ts') },
    ],
  },
  test: {
    include: ['spec/**/*.spec.ts', 'docs/examples/**/*.spec.ts'],
    // Loopback servers and child processes: give the slow CI machine room, never a reason to flake.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // The CLI entry point only wires argv to commands; it is covered by the end-to-end specs that
      // spawn the built binary, which v8 coverage of this process cannot see.
      exclude: ['src/cli/bin.ts'],
      thresholds: { lines: 90, statements: 90, functions: 90, branches: 80 },
      reporter: ['text-summary', 'json-summary'],
    },
  },
});
