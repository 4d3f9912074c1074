/**
 * Child-process entry that holds one contender of scenario 2 and times one fan-out per
 * `{ run: concurrency }` message. Like scenario 1's, each contender has a process of its own,
 * so that none pays for another's garbage or JIT state.
 */
import {
  fanOutRead,
  type FanOutContenderName,
  type FanOutWork,
} from '../peers/fan-out-contenders.js';
import type { Target } from '../peers/target.js';
import { timed } from '../support/timing.js';

export interface FanOutSetup {
  readonly contender: FanOutContenderName;
  readonly target: Target;
  readonly work: FanOutWork;
}

export interface FanOutRun {
  readonly permissions: number;
  readonly ms: number;
  readonly cpuMs: number;
}

process.once('message', (setup: FanOutSetup) => {
  process.on('message', (message: unknown) => {
    const concurrency = (message as { run?: unknown } | null)?.run;
    if (typeof concurrency !== 'number') return;
    timed(() => fanOutRead(setup.contender, setup.target, setup.work, concurrency)).then(
      ({ value, ms, cpuMs }) => process.send?.({ permissions: value, ms, cpuMs }),
      (error: unknown) => process.send?.({ error: String(error) }),
    );
  });
  process.send?.({ ready: true });
});
