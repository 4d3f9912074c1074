import { permissionPages } from '../../resources/permission-pages.js';
import { clientFromFlags } from '../client-from-flags.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { csv, jsonl } from '../output/formats.js';
import { OutputClosedError, streamSink } from '../output/sink.js';
import type { ListFlags } from '../definitions/list.js';

/**
 * `checkpoint-permissions list <checkpoint>`: every permission of one checkpoint, a page at a
 * time, each page requested only once the previous one is written.
 */
export async function listCommand(
  checkpoint: string,
  flags: ListFlags,
  io: CliIO,
): Promise<ExitCode> {
  const client = clientFromFlags(flags, io.env, (line) => void io.stderr.write(line));
  const sink = streamSink(io.stdout);
  const format = flags.format === 'csv' ? csv() : jsonl(false);
  try {
    if (format.header) await sink.write(format.header);
    const pages = permissionPages(checkpoint, {
      client,
      ...(flags.projectId ? { projectId: flags.projectId } : {}),
      ...(flags.order ? { order: flags.order } : {}),
      ...(flags.limit ? { limit: flags.limit } : {}),
      ...(flags.maxPages ? { maxPages: flags.maxPages } : {}),
    });
    for await (const page of pages) {
      const text = page.data
        .map((p) =>
          format.line({
            type: 'permission',
            checkpoint,
            id: p.id,
            project_id: p.project_id,
            created_at: p.created_at,
            allowed: undefined,
            project_name: null,
            project_status: null,
            archived: false,
          }),
        )
        .join('');
      if (text) await sink.write(text);
    }
    return ExitCode.Clean;
  } catch (error) {
    if (error instanceof OutputClosedError) return ExitCode.Clean;
    throw error;
  } finally {
    await sink.close();
    await client.close();
  }
}
