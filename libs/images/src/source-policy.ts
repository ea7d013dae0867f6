import { ForbiddenError } from '#libs/errors';
import { messageExcerpt } from './message-excerpt.js';

const toRegExp = (pattern: string) =>
  new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`);

/**
 * Which source images may be extended: a list of patterns where `*` matches
 * any run of characters. An empty list allows every (valid) source.
 */
export class SourcePolicy {
  private readonly rules: { pattern: string; regexp: RegExp }[];

  constructor(allowlist: string | undefined) {
    this.rules = (allowlist ?? '')
      .split(',')
      .map((pattern) => pattern.trim())
      .filter(Boolean)
      .map((pattern) => ({ pattern, regexp: toRegExp(pattern) }));
  }

  /** Throws ForbiddenError naming the rule when `source` is not allowed. */
  check(source: string): void {
    if (this.rules.length === 0 || this.rules.some((rule) => rule.regexp.test(source))) return;
    throw new ForbiddenError(
      `Source ${messageExcerpt(source)} is not allowed: SOURCE_ALLOWLIST admits only ${this.rules.map((r) => r.pattern).join(', ')}`,
    );
  }
}
