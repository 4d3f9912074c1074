import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { auditPermissions, createClient } from 'rx-checkpoint-permissions';

/**
 * Streams an audit to a JSON-lines file with Node streams. `pipeline` pulls from the audit only
 * as fast as the file takes the lines: a slow disk slows the requests, it does not fill memory.
 */
export async function auditToFile(checkpoints: readonly string[], path: string): Promise<void> {
  const client = createClient();
  try {
    const toLines = new Transform({
      objectMode: true,
      transform(record, _encoding, done) {
        done(null, record.type === 'permission' ? `${JSON.stringify(record)}\n` : undefined);
      },
    });
    await pipeline(
      Readable.from(auditPermissions(checkpoints, { client })),
      toLines,
      createWriteStream(path),
    );
  } finally {
    await client.close();
  }
}
