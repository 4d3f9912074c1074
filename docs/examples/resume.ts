import { appendFileSync, statSync } from 'node:fs';
import { auditPermissions$, createClient, ProgressJournal } from 'rx-checkpoint-permissions';
import { lastValueFrom } from 'rxjs';

/**
 * A resumable audit into a JSON-lines file. Each page's lines are appended in one write, then
 * committed to the journal; run it again after a crash and it skips what was committed.
 * (The CLI's `--state` / `--resume` / `--output` do the same, and also cut off a page that was
 * written but not committed; see docs/cli.md.)
 */
export async function resumableAudit(
  checkpoints: readonly string[],
  output: string,
  state: string,
): Promise<void> {
  const client = createClient();
  try {
    const journal = ProgressJournal.open(state, { resume: true });
    const pending = new Map<string, string[]>();
    try {
      await lastValueFrom(
        auditPermissions$(checkpoints, {
          client,
          resume: journal.state,
          process: (record) => {
            if (record.type === 'permission') {
              pending.set(record.checkpoint, [
                ...(pending.get(record.checkpoint) ?? []),
                `${JSON.stringify(record)}\n`,
              ]);
            } else if (record.type === 'page') {
              appendFileSync(output, (pending.get(record.checkpoint) ?? []).join(''));
              pending.delete(record.checkpoint);
              journal.commit(record, statSync(output).size);
            }
            return [];
          },
        }),
        { defaultValue: undefined },
      );
    } finally {
      journal.close();
    }
  } finally {
    await client.close();
  }
}
