/**
 * The official `openai` SDK against a rate-limited emulator: past the burst of 10 requests it
 * gets 429s with `retry-after-ms`, waits that long, retries, and still lists every permission of
 * every checkpoint its project keys can see (a project without a key stays invisible).
 *
 * Run it with `npx tsx docs/examples/emulator-openai-sdk.ts`.
 */
import { pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import { startEmulator } from 'rx-checkpoint-permissions/emulator';

/** Lists the permissions of every seeded checkpoint through the SDK, under a rate limit. */
export async function main(): Promise<{
  checkpoints: number;
  listed: number;
  rateLimited: number;
}> {
  const emulator = await startEmulator({
    seed: 3,
    rateLimit: { requestsPerMinute: 6000, burst: 10 }, // 100 requests/s after a burst of 10
  });
  // As the SDK's docs say: `adminAPIKey` (the admin key) for the permission endpoints, `apiKey`
  // (a project key) for the jobs endpoints, which list that project's jobs only.
  const clients = Object.values(emulator.projectKeys).map(
    (projectKey) =>
      new OpenAI({
        apiKey: projectKey,
        adminAPIKey: emulator.adminKey,
        baseURL: emulator.url,
        maxRetries: 10,
      }),
  );
  try {
    const checkpoints = [];
    for (const client of clients) {
      for await (const job of client.fineTuning.jobs.list()) {
        for await (const checkpoint of client.fineTuning.jobs.checkpoints.list(job.id)) {
          checkpoints.push(checkpoint.fine_tuned_model_checkpoint);
        }
      }
    }
    let listed = 0;
    for (const checkpoint of checkpoints) {
      for await (const _permission of clients[0]!.fineTuning.checkpoints.permissions.list(
        checkpoint,
      )) {
        listed++;
      }
    }
    return { checkpoints: checkpoints.length, listed, rateLimited: emulator.stats().rateLimited };
  } finally {
    await emulator.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await main());
}
