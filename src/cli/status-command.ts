/**
 * `byokit status`: keys per KEK id and per state, across every tenant.
 *
 * @module
 */
import type { KeyringStatus } from '../vault/rotation.js';
import { STORED_KEY_STATES } from '../store/types.js';

/** The status as a table, one KEK a line, with what the operator can do about each. */
export function formatStatus(status: KeyringStatus): string {
  const header = ['KEK', 'keys', ...STORED_KEY_STATES, 'note'];
  const rows = status.keks.map((kek) => [
    kek.kekId ?? '(none)',
    String(kek.keys),
    ...STORED_KEY_STATES.map((state) => String(kek.byState[state])),
    kek.primary
      ? 'primary'
      : !kek.inKeyring
        ? "not in the keyring: these keys can't be opened"
        : kek.keys === 0
          ? 'unused: can leave the keyring'
          : 'in use: run byokit rotate',
  ]);
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const summary =
    status.notOnPrimary === 0
      ? `${status.keys} keys, all under the primary KEK ${status.primaryKekId}.`
      : `${status.keys} keys, ${status.notOnPrimary} not under the primary KEK ${status.primaryKekId}${status.unreadable > 0 ? ` (${status.unreadable} can't be opened with this keyring)` : ''}.`;
  return [line(header), ...rows.map(line), '', summary].join('\n');
}
