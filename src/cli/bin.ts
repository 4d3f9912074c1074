#!/usr/bin/env node
/*
 * The `checkpoint-permissions` binary. `--version` (or `-V`) alone is answered here, before
 * commander and the program load: it is the one call scripts make to see what is installed, and
 * it needs nothing but the version (see "CLI start-up" in docs/performance.md). Anything else,
 * `--help` included, goes through `main`, whose commander prints the same line for `--version`.
 */
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const { VERSION } = await import('../client/version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  const [{ processIO }, { main }] = await Promise.all([import('./io.js'), import('./main.js')]);
  process.exitCode = await main(argv, processIO());
}
