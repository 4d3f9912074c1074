import { encodePathSegment } from '../internal/http/url.js';

/** `/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions` (spec paths section). */
export function permissionsPath(checkpoint: string): string {
  return `/fine_tuning/checkpoints/${encodePathSegment(checkpoint)}/permissions`;
}

/** `/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions/{permission_id}`. */
export function permissionPath(checkpoint: string, permissionId: string): string {
  return `${permissionsPath(checkpoint)}/${encodePathSegment(permissionId)}`;
}

/** `/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints`. */
export function jobCheckpointsPath(jobId: string): string {
  return `/fine_tuning/jobs/${encodePathSegment(jobId)}/checkpoints`;
}
