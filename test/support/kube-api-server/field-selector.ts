import { recordAt, type StoredObject } from './kube-object.js';
import { statusErrors } from './kube-status.js';
import type { ResourceType } from './resource-catalog.js';

type FieldReader = (object: StoredObject) => string;

const COMMON_FIELDS: Record<string, FieldReader> = {
  'metadata.name': (object) => object.metadata.name,
  'metadata.namespace': (object) => object.metadata.namespace ?? '',
};

/** The few extra field labels each kind's real registry supports and this server models. */
const KIND_FIELDS: Record<string, Record<string, FieldReader>> = {
  Pod: {
    'status.phase': (object) => String(recordAt(object, 'status')['phase'] ?? ''),
    'spec.nodeName': (object) => String(recordAt(object, 'spec')['nodeName'] ?? ''),
  },
  Secret: { type: (object) => String(object['type'] ?? '') },
  Namespace: { 'status.phase': (object) => String(recordAt(object, 'status')['phase'] ?? '') },
};

interface FieldRequirement {
  read: FieldReader;
  value: string;
  negated: boolean;
}

/** A parsed `fieldSelector` query (`a=b`, `a==b`, `a!=b`, comma-joined). */
export class FieldSelector {
  private constructor(private readonly requirements: FieldRequirement[]) {}

  static parse(text: string | null | undefined, resource: ResourceType): FieldSelector {
    if (!text || !text.trim()) return new FieldSelector([]);
    const fields = { ...COMMON_FIELDS, ...(KIND_FIELDS[resource.kind] ?? {}) };
    return new FieldSelector(
      text.split(',').map((part) => {
        const match = part.trim().match(/^([^!=]+?)\s*(==|=|!=)\s*(.*)$/);
        if (!match) throw statusErrors.badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
        const read = fields[match[1]];
        if (!read) throw statusErrors.badRequest(`field label not supported: ${match[1]}`);
        return { read, value: match[3], negated: match[2] === '!=' };
      }),
    );
  }

  matches(object: StoredObject): boolean {
    return this.requirements.every((requirement) => (requirement.read(object) === requirement.value) !== requirement.negated);
  }
}
