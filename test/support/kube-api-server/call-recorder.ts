export type KubeVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'unknown';

export interface RecordedCall {
  method: string;
  path: string;
  query: string;
  verb: KubeVerb;
  status: number;
}

/** Every request the server answered, in order, for assertions on what a client actually did. */
export class CallRecorder {
  readonly calls: RecordedCall[] = [];

  record(call: RecordedCall): void {
    this.calls.push(call);
  }

  countsByVerb(): Record<KubeVerb, number> {
    const counts: Record<KubeVerb, number> = { get: 0, list: 0, watch: 0, create: 0, update: 0, patch: 0, delete: 0, deletecollection: 0, unknown: 0 };
    for (const call of this.calls) counts[call.verb]++;
    return counts;
  }

  clear(): void {
    this.calls.length = 0;
  }
}
