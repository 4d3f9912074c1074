/**
 * Child-process entry that serves one emulator for a benchmark. The parent (see
 * `support/bench-emulator.ts`) sends the emulator options over IPC, gets back the URL and key,
 * and steers or observes the emulator through its control routes. Running the server in its own
 * process gives it its own core: on a 2-core machine an in-process emulator would take CPU time
 * from the client being measured, and its dataset would count in the client's memory.
 *
 * The emulator closes (and this process exits) when the parent disconnects, even if the parent
 * crashed, so no benchmark leaves a server behind.
 */
import { startEmulator, type EmulatorOptions } from '../../src/emulator/index.js';

process.once('message', (options: EmulatorOptions) => {
  startEmulator(options).then(
    (emulator) => {
      process.send?.({ url: emulator.url, apiKey: emulator.apiKey });
      process.once('disconnect', () => void emulator.close());
    },
    (error: unknown) => {
      process.send?.({ error: error instanceof Error ? error.message : String(error) });
      process.disconnect();
    },
  );
});
