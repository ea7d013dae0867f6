import type { RuntimeStrategy } from '../runtime-strategy.js';
import { dotnetRuntimeStrategy } from './dotnet.strategy.js';
import { goRuntimeStrategy } from './go.strategy.js';
import { javaRuntimeStrategy } from './java.strategy.js';
import { nodejsRuntimeStrategy } from './nodejs.strategy.js';
import { phpRuntimeStrategy } from './php.strategy.js';
import { pythonRuntimeStrategy } from './python.strategy.js';
import { rubyRuntimeStrategy } from './ruby.strategy.js';

/**
 * Every strategy the registry serves. A new kind is one `<kind>.strategy.ts`
 * beside these plus one line here (its name also goes in RUNTIME_KINDS); the
 * registry refuses to boot when a kind has no strategy or two.
 */
export const RUNTIME_STRATEGY_LIST: readonly RuntimeStrategy[] = [
  goRuntimeStrategy,
  javaRuntimeStrategy,
  nodejsRuntimeStrategy,
  phpRuntimeStrategy,
  pythonRuntimeStrategy,
  rubyRuntimeStrategy,
  dotnetRuntimeStrategy,
];
