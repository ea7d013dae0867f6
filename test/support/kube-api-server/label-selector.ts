import { statusErrors } from './kube-status.js';

type Requirement =
  | { operator: 'exists' | 'notExists'; key: string }
  | { operator: 'equals' | 'notEquals'; key: string; value: string }
  | { operator: 'in' | 'notIn'; key: string; values: string[] };

/** A parsed `labelSelector` query: equality- and set-based requirements, all of which must hold. */
export class LabelSelector {
  private constructor(private readonly requirements: Requirement[]) {}

  static parse(text: string | null | undefined): LabelSelector {
    if (!text || !text.trim()) return new LabelSelector([]);
    return new LabelSelector(splitRequirements(text).map(parseRequirement));
  }

  get isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** One `key=value` the selector requires, if any: a label index can narrow the candidates to it. */
  get equality(): { key: string; value: string } | undefined {
    const found = this.requirements.find((requirement) => requirement.operator === 'equals');
    return found?.operator === 'equals' ? { key: found.key, value: found.value } : undefined;
  }

  matches(labels: Record<string, string> | undefined): boolean {
    const set = labels ?? {};
    return this.requirements.every((requirement) => holds(requirement, set));
  }
}

function holds(requirement: Requirement, labels: Record<string, string>): boolean {
  const present = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'exists':
      return present;
    case 'notExists':
      return !present;
    case 'equals':
      return present && value === requirement.value;
    case 'notEquals':
      return !present || value !== requirement.value;
    case 'in':
      return present && requirement.values.includes(value);
    case 'notIn':
      return !present || !requirement.values.includes(value);
  }
}

/** Splits on commas that are not inside a `(…)` value set. */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim());
}

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VALUE = String.raw`(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?`;
const patterns: [RegExp, (match: RegExpMatchArray) => Requirement][] = [
  [new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`), (m) => ({ operator: m[3] === 'in' ? 'in' : 'notIn', key: m[1], values: m[4].split(',').map((v) => v.trim()) })],
  [new RegExp(`^(${KEY})\\s*!=\\s*(${VALUE})$`), (m) => ({ operator: 'notEquals', key: m[1], value: m[3] })],
  [new RegExp(`^(${KEY})\\s*==?\\s*(${VALUE})$`), (m) => ({ operator: 'equals', key: m[1], value: m[3] })],
  [new RegExp(`^!\\s*(${KEY})$`), (m) => ({ operator: 'notExists', key: m[1] })],
  [new RegExp(`^(${KEY})$`), (m) => ({ operator: 'exists', key: m[1] })],
];

function parseRequirement(text: string): Requirement {
  for (const [pattern, build] of patterns) {
    const match = text.match(pattern);
    if (match) return build(match);
  }
  throw statusErrors.badRequest(`unable to parse requirement: found '${text}', expected: in, notin, =, ==, !=, gt, lt`);
}
