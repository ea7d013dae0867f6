import { Test } from '@nestjs/testing';
import { RUNTIME_KINDS, RuntimeRegistry, RuntimesModule } from './index.js';

describe('RuntimesModule', () => {
  it('provides a registry that serves every kind', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RuntimesModule] }).compile();
    const registry = moduleRef.get(RuntimeRegistry);
    expect(RUNTIME_KINDS.map((kind) => registry.get(kind).kind)).toEqual([...RUNTIME_KINDS]);
    await moduleRef.close();
  });
});
