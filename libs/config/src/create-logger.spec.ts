import { createLogger } from './create-logger.js';
import { loadConfig } from './load-config.js';

describe('createLogger', () => {
  const capture = (write: () => void): string => {
    const original = process.stdout.write.bind(process.stdout);
    let out = '';
    process.stdout.write = ((chunk: string) => {
      out += chunk;
      return true;
    }) as typeof process.stdout.write;
    try {
      write();
    } finally {
      process.stdout.write = original;
    }
    return out;
  };

  it('writes one JSON object a line with LOG_FORMAT=json', () => {
    const out = capture(() => createLogger(loadConfig({ LOG_FORMAT: 'json' })).log('build 1 succeeded', 'RunBuildUseCase'));
    const entry = JSON.parse(out.trim()) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'log', message: 'build 1 succeeded', context: 'RunBuildUseCase' });
  });

  it('writes text for people by default', () => {
    const out = capture(() => createLogger(loadConfig({})).log('hello', 'Test'));
    expect(() => JSON.parse(out.trim())).toThrow();
    expect(out).toContain('hello');
  });
});
