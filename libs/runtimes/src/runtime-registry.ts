import { Inject, Injectable } from '@nestjs/common';
import { InvalidInputError } from '#libs/errors';
import { messageExcerpt } from '#libs/images';
import { RUNTIME_KINDS, type RuntimeKind, isRuntimeKind } from './runtime-kind.js';
import type { RuntimeStrategy } from './runtime-strategy.js';

/** Injection token for the list of strategies the registry is built from. */
export const RUNTIME_STRATEGIES = Symbol('RUNTIME_STRATEGIES');

/** The one strategy of each kind, checked once at boot. */
@Injectable()
export class RuntimeRegistry {
  private readonly byKind: ReadonlyMap<RuntimeKind, RuntimeStrategy>;

  constructor(@Inject(RUNTIME_STRATEGIES) strategies: readonly RuntimeStrategy[]) {
    const byKind = new Map<RuntimeKind, RuntimeStrategy>();
    for (const strategy of strategies) {
      if (!isRuntimeKind(strategy.kind)) {
        throw new Error(`A runtime strategy declares unknown kind ${messageExcerpt(String(strategy.kind))}.`);
      }
      if (byKind.has(strategy.kind)) throw new Error(`Runtime kind "${strategy.kind}" has two strategies.`);
      byKind.set(strategy.kind, strategy);
    }
    const missing = RUNTIME_KINDS.filter((kind) => !byKind.has(kind));
    if (missing.length > 0) throw new Error(`Runtime kinds without a strategy: ${missing.join(', ')}.`);
    this.byKind = byKind;
  }

  get(kind: string): RuntimeStrategy {
    const strategy = isRuntimeKind(kind) ? this.byKind.get(kind) : undefined;
    if (strategy === undefined) {
      throw new InvalidInputError(
        `Unsupported kind ${messageExcerpt(String(kind))}. Supported kinds: ${RUNTIME_KINDS.join(', ')}.`,
        'UnsupportedKind',
      );
    }
    return strategy;
  }

  kinds(): readonly RuntimeKind[] {
    return RUNTIME_KINDS;
  }
}
