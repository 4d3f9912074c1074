import { ACTORS } from './audit-log.js';
import type { WriteContext } from './routes/permissions.js';
import type { EmulatorState } from './state.js';

/**
 * A write through the API: by the admin key, attributed to the default project, as the spec says
 * of Admin API key actions.
 *
 * @example
 * createPermissions(state.store, name, body, adminWrite(state));
 */
export function adminWrite(state: EmulatorState): WriteContext {
  return {
    now: Math.floor(Date.now() / 1000),
    actor: ACTORS.adminKey,
    project: state.store.defaultProjectId,
    auditLogDelayMs: state.chaos.auditLogDelayMs,
    assumptions: state.assumptions,
  };
}

/**
 * A write by a colleague in the dashboard (`emulator.grant`, `emulator.revoke` and their control
 * routes): a session actor, attributed to the checkpoint's owning project.
 *
 * @example
 * grant(state.store, name, ['proj_x'], colleague(state, name));
 */
export function colleague(state: EmulatorState, checkpoint: string): WriteContext {
  return {
    now: Math.floor(Date.now() / 1000),
    actor: ACTORS.dashboard,
    project: state.store.ownerOfCheckpoint(checkpoint) ?? state.store.defaultProjectId,
    auditLogDelayMs: state.chaos.auditLogDelayMs,
    assumptions: state.assumptions,
  };
}
