import { ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { RUNTIME_KINDS } from '#libs/runtimes';
import { VALIDATION_OPTIONS } from '../../http/validation.pipe.js';
import { StartBuildDto } from './start-build.dto.js';

const metadata = { type: 'body' as const, metatype: StartBuildDto, data: '' };
/** class-validator alone, as every request went before the quick check. */
const fullPipe = new ValidationPipe(VALIDATION_OPTIONS);
const fullAnswer = (value: unknown): Promise<unknown> => fullPipe.transform(value, metadata).catch((error: Error) => error);

const text = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom('', '\u{FE0F}', 'a'.repeat(255), 'a'.repeat(256), 'a'.repeat(257), 'bench:tag', 'openserverless/runtime-base:local'),
);
const anything = fc.oneof(text, fc.boolean(), fc.constant(null), fc.integer(), fc.constantFrom(...RUNTIME_KINDS), fc.array(fc.string(), { maxLength: 2 }));
const field = (name: string, values: fc.Arbitrary<unknown>) => fc.option(fc.tuple(fc.constant(name), values), { nil: undefined });
/** Bodies near the quick path's edges: every field of the right type, lengths and characters around the limits. */
const plausible = fc
  .record(
    {
      source: fc.oneof(fc.string({ minLength: 0, maxLength: 257 }), text),
      target: fc.oneof(fc.string({ minLength: 0, maxLength: 258 }), text),
      kind: fc.oneof(fc.constantFrom(...RUNTIME_KINDS), fc.string({ maxLength: 7 })),
      file: fc.oneof(fc.base64String(), fc.string()),
      force: fc.boolean(),
    },
    { requiredKeys: ['source', 'target', 'kind'] },
  )
  .map((value) => value as unknown);
const random = fc
  .tuple(
    field('source', fc.oneof(text, anything)),
    field('target', fc.oneof(text, anything)),
    field('kind', fc.oneof(fc.constantFrom(...RUNTIME_KINDS), anything)),
    field('file', fc.oneof(fc.base64String(), anything)),
    field('force', fc.oneof(fc.boolean(), anything)),
    field('extra', anything),
    field('__proto__', fc.constant({ polluted: true })),
  )
  .map((entries) => Object.fromEntries(entries.filter((e) => e !== undefined)) as unknown);
/** As the JSON body parser hands them over (structuredClone would make objects of another realm here). */
const copy = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const body = fc.oneof(plausible, random).map(copy);

describe('StartBuildDto.passedAsIs', () => {
  it('passes only what class-validator passes, as the same instance', async () => {
    let passed = 0;
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const quick = StartBuildDto.passedAsIs(copy(value));
        if (quick === undefined) return;
        passed++;
        const full = await fullAnswer(copy(value));
        expect(full).toBeInstanceOf(StartBuildDto);
        expect(quick).toBeInstanceOf(StartBuildDto);
        expect(Object.entries(quick)).toEqual(Object.entries(full as StartBuildDto));
      }),
      { numRuns: 3_000 },
    );
    // The property says nothing unless the generator reaches the quick path often enough.
    expect(passed).toBeGreaterThan(100);
  });

  it('passes the requests clients send', () => {
    const request = { source: 'apache/openserverless-runtime-python:v3.12-2506091954', target: 'devel:python-2bdf', kind: 'python' };
    expect(StartBuildDto.passedAsIs(request)).toBeInstanceOf(StartBuildDto);
    expect(StartBuildDto.passedAsIs({ ...request, file: 'cmVxdWVzdHMK', force: true })).toMatchObject({ file: 'cmVxdWVzdHMK', force: true });
  });

  it('leaves anything it is not sure of to class-validator', () => {
    const request = { source: 'a', target: 'b:c', kind: 'python' };
    for (const value of [null, [], 'text', { ...request, kind: 'cobol' }, { ...request, force: 'true' }, { ...request, file: null }, { ...request, other: 1 }]) {
      expect(StartBuildDto.passedAsIs(value)).toBeUndefined();
    }
    expect(StartBuildDto.passedAsIs({ ...request, source: 'é' })).toBeUndefined();
  });
});
