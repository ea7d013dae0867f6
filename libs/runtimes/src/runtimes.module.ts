import { Module } from '@nestjs/common';
import { RUNTIME_STRATEGIES, RuntimeRegistry } from './runtime-registry.js';
import { RUNTIME_STRATEGY_LIST } from './strategies/index.js';

@Module({
  providers: [{ provide: RUNTIME_STRATEGIES, useValue: RUNTIME_STRATEGY_LIST }, RuntimeRegistry],
  exports: [RuntimeRegistry],
})
export class RuntimesModule {}
