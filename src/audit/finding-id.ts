import { createHash } from 'node:crypto';

/**
 * The stable id of a finding (a permission outside the allow-list): the same grant gives the same
 * id in every run, on every machine, so a ticket, a diff or a `watch` event can name it. It is
 * derived only from what the finding is, never from when or how it was found:
 *
 * `"f_"` + the first 32 hex digits (128 bits, lowercase) of SHA-256 over the netstrings
 * (`<byte length>:<UTF-8 bytes>,`) of `"finding/v1"`, the checkpoint, the project id and the
 * permission id, in that order. Length prefixes make the encoding unambiguous whatever the
 * names hold (colons, commas, newlines); `finding/v1` leaves room for another derivation later.
 * A revoked and re-granted permission gets a new permission id, hence a new finding.
 *
 * @example
 * ```ts
 * findingId('ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd', 'proj_contractor', 'cp_zc4Q7MP6');
 * // 'f_' followed by 32 hex digits, the same in every run
 * ```
 */
export function findingId(checkpoint: string, projectId: string, permissionId: string): string {
  const hash = createHash('sha256');
  for (const part of ['finding/v1', checkpoint, projectId, permissionId]) {
    const bytes = Buffer.from(part, 'utf8');
    hash.update(`${bytes.length}:`).update(bytes).update(',');
  }
  return `f_${hash.digest('hex').slice(0, 32)}`;
}
