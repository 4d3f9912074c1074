import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts'],
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
