/**
 * Quickstart: start the emulator, page through one checkpoint's permissions with plain `fetch`,
 * and check the result against the emulator's ground truth.
 *
 * Run it with `npx tsx docs/examples/emulator-quickstart.ts`.
 */
import { pathToFileURL } from 'node:url';
import { datasetOf, startEmulator } from 'rx-checkpoint-permissions/emulator';

const CHECKPOINT = 'ft:gpt-4o-mini-2024-07-18:acme:support-bot:ab12CD34:ckpt-step-1000';

interface Page {
  data: { id: string; project_id: string }[];
  last_id: string | null;
  has_more: boolean;
}

/** Lists every permission of {@link CHECKPOINT} and returns what it saw. */
export async function main(): Promise<{ listed: number; matchesTruth: boolean; pages: number }> {
  // One checkpoint with 25 generated permissions; the same seed always generates the same ones.
  const emulator = await startEmulator({ seed: 7, dataset: datasetOf({ [CHECKPOINT]: 25 }) });
  try {
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const query = new URLSearchParams({ limit: '10', ...(after && { after }) });
      const url = `${emulator.url}/fine_tuning/checkpoints/${encodeURIComponent(CHECKPOINT)}/permissions?${query}`;
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${emulator.adminKey}` },
      });
      const page = (await response.json()) as Page;
      ids.push(...page.data.map((permission) => permission.id));
      after = page.has_more ? page.last_id : null;
    } while (after);

    // The list is newest first by default; the truth is oldest first.
    const truth = emulator.truth().permissions[CHECKPOINT] ?? [];
    const matchesTruth =
      ids.join() ===
      truth
        .map((permission) => permission.id)
        .reverse()
        .join();
    return { listed: ids.length, matchesTruth, pages: emulator.stats().pagesServed };
  } finally {
    await emulator.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await main()); // { listed: 25, matchesTruth: true, pages: 3 }
}
