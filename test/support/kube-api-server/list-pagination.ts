import type { StoredObject } from './kube-object.js';
import { statusErrors } from './kube-status.js';

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

export interface Page {
  items: readonly StoredObject[];
  continueToken?: string;
  remainingItemCount?: number;
}

/**
 * `limit` / `continue` paging over items already in key order. The token has
 * the real server's shape (base64 JSON with the revision and the next key);
 * it expires, with 410, once the store is compacted past that revision.
 */
export function paginate(items: readonly StoredObject[], query: URLSearchParams, currentRevision: number, compactedRevision: number, countRemaining: boolean): Page {
  const limit = Number(query.get('limit') ?? 0);
  const token = query.get('continue');
  let remaining = items;
  let revision = currentRevision;
  if (token) {
    const parsed = decode(token);
    if (parsed.rv < compactedRevision) {
      throw statusErrors.expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      );
    }
    remaining = items.filter((item) => keyOf(item) >= parsed.start);
    revision = parsed.rv;
  }
  if (!Number.isInteger(limit) || limit <= 0 || remaining.length <= limit) return { items: remaining };
  const page = remaining.slice(0, limit);
  const next: ContinueToken = { v: 'meta.k8s.io/v1', rv: revision, start: `${keyOf(page[page.length - 1])}\u0000` };
  return {
    items: page,
    continueToken: Buffer.from(JSON.stringify(next)).toString('base64url'),
    remainingItemCount: countRemaining ? remaining.length - limit : undefined,
  };
}

function decode(token: string): ContinueToken {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'rv' in parsed && 'start' in parsed && typeof parsed.rv === 'number' && typeof parsed.start === 'string') {
      return { v: 'meta.k8s.io/v1', rv: parsed.rv, start: parsed.start };
    }
  } catch {
    // fall through to the same error the real server gives for a garbled token
  }
  throw statusErrors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function keyOf(item: StoredObject): string {
  return `${item.metadata.namespace ?? ''}/${item.metadata.name}`;
}
