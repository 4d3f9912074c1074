/**
 * Child-process entry that holds one contender of scenario 1 and times it on request. Each
 * contender lives in its own process so that none pays for another's garbage or JIT state: in
 * one shared process, a contender timed after the official SDK inherited the SDK's heap and
 * its CPU per page varied by a third from run to run.
 *
 * Protocol: the parent sends a {@link SequentialSetup}; this process answers `{ ready: true }`,
 * then answers each `{ run }` with a {@link RunResult}, and exits when the parent disconnects.
 */
import { datasetOf, startEmulator } from '../../src/emulator/index.js';
import {
  sequentialContender,
  type SequentialContenderName,
} from '../peers/sequential-contenders.js';
import type { Target } from '../peers/target.js';
import { timed } from '../support/timing.js';

export interface SequentialSetup {
  readonly contender: SequentialContenderName;
  /** The emulator to read from; absent: start one in this process, with `permissions`. */
  readonly target?: Target;
  readonly checkpoint: string;
  readonly permissions: number;
  readonly limit: number;
}

export interface RunResult {
  readonly pages: number;
  readonly ms: number;
  readonly cpuMs: number;
}

process.once('message', (setup: SequentialSetup) => {
  void (async () => {
    const emulator = setup.target
      ? undefined
      : await startEmulator({ dataset: datasetOf({ [setup.checkpoint]: setup.permissions }) });
    const target = setup.target ?? (emulator as Target);
    const contender = sequentialContender(setup.contender, target, setup.checkpoint, setup.limit);
    process.on('message', (message: unknown) => {
      if (typeof message !== 'object' || message === null || !('run' in message)) return;
      timed(contender.read).then(
        ({ value, ms, cpuMs }) => process.send?.({ pages: value, ms, cpuMs }),
        (error: unknown) => process.send?.({ error: String(error) }),
      );
    });
    process.once('disconnect', () => {
      void contender.close().then(() => emulator?.close());
    });
    process.send?.({ ready: true });
  })().catch((error: unknown) => {
    process.send?.({ error: String(error) });
    process.disconnect();
  });
});
