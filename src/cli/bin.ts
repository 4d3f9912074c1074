#!/usr/bin/env node
/*
 * The `checkpoint-permissions` binary. `--version` (or `-V`) alone is answered here, before
 * commander and the program load: it is the one call scripts make to see what is installed, and
 * it needs nothing but the version (see "CLI start-up" in docs/performance.md). Anything else,
 * `--help` included, goes through `main`, whose commander prints the same line for `--version`.
 */
// A reader that leaves before we are done (`checkpoint-permissions --help | head -2`) is the end
// of the output, not a crash: without a listener, the EPIPE of the next write would end the
// process with a stack trace. The commands that stream (`audit`, `list`) stop early on their own.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const { VERSION } = await import('../client/version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  const [{ processIO }, { main }] = await Promise.all([import('./io.js'), import('./main.js')]);
  process.exitCode = await main(argv, processIO());
}
