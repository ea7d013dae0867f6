import type { FailureReason } from '#libs/errors';
import { INSTALL_MARKER } from './install-script.js';

/** Reasons the install step itself reports (declared, with their meaning, in the failure catalogue). */
export const INSTALL_FAILURE_REASONS = ['InstallFailed', 'NotExtendible'] as const satisfies readonly FailureReason[];
export type InstallFailureReason = (typeof INSTALL_FAILURE_REASONS)[number];

export interface InstallFailure {
  reason: InstallFailureReason;
  message: string;
}

// BuildKit's plain progress prefixes a step's output with `#<step> <seconds> `.
const MARKER_LINE = new RegExp(`(?:^|\\s)${INSTALL_MARKER} (${INSTALL_FAILURE_REASONS.join('|')}): (.+)$`);

/**
 * The install step's own verdict in a failed build's log: its last marker
 * line. It only names the reason of a build that failed anyway; it can never
 * turn a build into a retry or a success.
 */
export function installFailureIn(lines: readonly string[]): InstallFailure | null {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const match = MARKER_LINE.exec(lines[i]);
    if (match) return { reason: match[1] as InstallFailureReason, message: match[2].trim() };
  }
  return null;
}
