import { describe, expect, it } from 'vitest';
import { main as openaiSdk } from '../../docs/examples/emulator-openai-sdk.js';
import { main as quickstart } from '../../docs/examples/emulator-quickstart.js';
import { seedOrganization } from '../../src/emulator/index.js';

describe('docs/examples', () => {
  it('emulator-quickstart.ts lists 25 permissions in 3 pages, as the truth says', async () => {
    expect(await quickstart()).toEqual({ listed: 25, matchesTruth: true, pages: 3 });
  });

  it('emulator-openai-sdk.ts lists everything its project keys see despite 429s, thanks to the SDK retries', async () => {
    const dataset = seedOrganization({ seed: 3 });
    const keyed = new Set(
      (dataset.projects ?? []).flatMap((p) => (typeof p === 'object' && p.api_key ? [p.id] : [])),
    );
    const checkpoints = (dataset.jobs ?? [])
      .filter((job) => keyed.has(job.project_id ?? ''))
      .flatMap((job) => job.checkpoints ?? []);
    const total = checkpoints.reduce(
      (sum, checkpoint) =>
        sum + (Array.isArray(checkpoint.permissions) ? checkpoint.permissions.length : 0),
      0,
    );
    const result = await openaiSdk();
    expect(result).toMatchObject({ checkpoints: checkpoints.length, listed: total });
    expect(result.rateLimited).toBeGreaterThan(0);
  });
});
