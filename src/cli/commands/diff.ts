import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { AuditOutputError, readAuditLines } from '../../report/audit-lines.js';
import { changed, diffAudits, type AuditSource } from '../../report/diff.js';
import { CliError, fileErrorReason } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { OutputClosedError, streamSink } from '../output/sink.js';
import { groupedDiffOutput, jsonlDiffOutput, type DiffOutput } from '../report/diff-output.js';
import type { DiffFlags } from '../definitions/diff.js';

/**
 * `checkpoint-permissions diff OLD NEW`: what changed between two audits' JSONL outputs. Exits
 * 0 when nothing did, 1 when something did; 66 when a file cannot be read, 65 when one is not
 * an audit output or was cut short. NEW may be `-` (stdin), so an audit can pipe straight in;
 * OLD is read twice, so it must be a file.
 */
export async function diffCommand(
  oldPath: string,
  newPath: string,
  flags: DiffFlags,
  io: CliIO,
): Promise<ExitCode> {
  // stdin is read only after OLD: an error it meets before then (EIO, a closed pipe) must not
  // crash the process as an unhandled 'error' event. Reading it later rethrows it (66).
  if (newPath === '-') io.stdin.on('error', () => undefined);
  if (oldPath === '-')
    throw new CliError(
      ExitCode.Usage,
      'OLD cannot be - (stdin): diff reads it twice. Give the older audit as a file; NEW may be -.',
    );
  await readable(oldPath, 'OLD');
  if (newPath !== '-') await readable(newPath, 'NEW');
  const sink = streamSink(io.stdout);
  const output: DiffOutput =
    flags.format === 'jsonl'
      ? jsonlDiffOutput(sink)
      : groupedDiffOutput(sink, flags.format, {
          old: oldPath,
          new: newPath === '-' ? 'stdin' : newPath,
        });
  try {
    const summary = await diffAudits(source(oldPath, io), source(newPath, io), (change) =>
      output.change(change),
    );
    await output.end(summary);
    await sink.close();
    return changed(summary) ? ExitCode.Violations : ExitCode.Clean;
  } catch (error) {
    if (error instanceof OutputClosedError) return ExitCode.Clean;
    if (error instanceof AuditOutputError)
      throw new CliError(
        ExitCode.DataError,
        `${error.message}. Give diff two outputs of \`audit --format jsonl\`.`,
        { cause: error },
      );
    throw error;
  }
}

/** A file that cannot be opened is said before anything is printed: 66, with the argument named. */
async function readable(path: string, which: 'OLD' | 'NEW'): Promise<void> {
  try {
    await access(path);
  } catch (error) {
    throw new CliError(
      ExitCode.NoInput,
      `Cannot read ${path}: ${fileErrorReason(error, 'no such file')}. Check the ${which} path given to diff.`,
      { cause: error },
    );
  }
}

function source(path: string, io: CliIO): AuditSource {
  return () =>
    path === '-'
      ? guarded('stdin', readAuditLines(io.stdin, 'stdin'))
      : guarded(path, readAuditLines(createReadStream(path), path));
}

/** A read that fails (a directory, an I/O error, a closed stdin) is an input error, not a bug. */
async function* guarded<T>(name: string, lines: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* lines;
  } catch (error) {
    if (error instanceof AuditOutputError) throw error;
    throw new CliError(
      ExitCode.NoInput,
      `Cannot read ${name}: ${fileErrorReason(error, 'no such file')}.`,
      { cause: error },
    );
  }
}
