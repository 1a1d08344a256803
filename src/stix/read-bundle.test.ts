import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAppError } from '../errors.js'
import {
  readBundle,
  splitObjectsArray,
  type ReadEntry,
  type ReadLimits,
  type ReadSummary,
} from './read-bundle.js'

const encoder = new TextEncoder()

async function readAll(
  chunks: Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>,
  limits: ReadLimits = {},
): Promise<{ entries: ReadEntry[]; summary: ReadSummary }> {
  const entries: ReadEntry[] = []
  const reader = readBundle(chunks, limits)
  for (;;) {
    const step = await reader.next()
    if (step.done) return { entries, summary: step.value }
    entries.push(step.value)
  }
}

/** Splits `bytes` into chunks of the given sizes (cycling through them). */
function chunked(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = []
  let at = 0
  let k = 0
  while (at < bytes.length) {
    const size = Math.max(1, sizes[k++ % sizes.length] ?? 1)
    out.push(bytes.subarray(at, at + size))
    at += size
  }
  return out
}

function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

async function caughtAsync(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

const indicator =
  '{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","pattern":"[file:name = \'a\\\\\\"]b\']","name":"caf\\u00e9 ☕"}'

describe('splitObjectsArray', () => {
  it('returns each element of a bundle with its exact source text (STIX 2.1 section 8)', () => {
    const text = `{"type":"bundle","objects":[ ${indicator} ,\n  {"type":"x-custom", "n": [1, {"z": "]}"}] }\n], "id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"}`
    const result = splitObjectsArray(text)
    expect(result.hasObjects).toBe(true)
    expect(result.members).toEqual({
      type: 'bundle',
      id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
    })
    expect(result.objects.map((o) => o.raw)).toEqual([
      indicator,
      '{"type":"x-custom", "n": [1, {"z": "]}"}] }',
    ])
    expect(result.objects[0]?.value).toEqual(JSON.parse(indicator))
    expect(result.objects[1]?.location).toEqual({
      offset: Buffer.byteLength(text.slice(0, text.indexOf('{"type":"x-custom"'))),
      line: 2,
      column: 3,
    })
  })

  it('accepts a TAXII envelope with other keys before and after objects (TAXII 2.1 section 3.7)', () => {
    const result = splitObjectsArray('{"more":true,"objects":[{"a":1}],"next":"abc"}')
    expect(result.members).toEqual({ more: true, next: 'abc' })
    expect(result.objects.map((o) => o.value)).toEqual([{ a: 1 }])
  })

  it('recognises an "objects" key written with escapes', () => {
    const result = splitObjectsArray('{"obj\\u0065cts":[{"a":1}]}')
    expect(result.objects).toHaveLength(1)
  })

  it('returns no elements and hasObjects false for an envelope without objects', () => {
    expect(splitObjectsArray('{"more":false}')).toEqual({
      members: { more: false },
      hasObjects: false,
      objects: [],
    })
    expect(splitObjectsArray(' {"objects": [ ] } ').objects).toEqual([])
  })

  it('rejects a document that is not an object with an objects array', () => {
    for (const text of ['[{"a":1}]', '{"a":1}\n{"b":2}', '{"objects":{"0":{}}}']) {
      const error = caught(() => splitObjectsArray(text))
      expect(isAppError(error, 'STIX_UNUSABLE_INPUT')).toBe(true)
    }
  })

  it('names line, column, byte offset and element for structural errors', () => {
    const error = caught(() => splitObjectsArray('{"objects":[\n{"a":1},\n{"b":[1}]}'))
    expect(isAppError(error, 'STIX_INVALID_JSON')).toBe(true)
    expect((error as Error).message).toContain("'}' does not close '['")
    expect((error as Error).message).toContain('line 3, column 8 (byte 29)')
    expect((error as Error).message).toContain('element 1')
  })

  it('names the element whose content JSON.parse rejects', () => {
    const error = caught(() => splitObjectsArray('{"objects":[{"a":1},{"b":tru}]}'))
    expect(isAppError(error, 'STIX_INVALID_JSON')).toBe(true)
    expect((error as Error).message).toMatch(/^Input is not valid JSON: element 1 at line 1/)
  })

  it.each([
    ['{"objects":[{"a":1}', 'unexpected end of input'],
    ['{"objects":[{"a":1},]}', "expected an array element, found ']'"],
    ['{"objects":[{"a":1}}', "expected ',' or ']' after element 0"],
    ['{"objects":[] "x":1}', "expected ',' or '}'"],
    ['{"objects" [] }', "expected ':'"],
    ['{objects:[]}', 'expected a property name'],
    ['{"a":,"objects":[]}', 'expected a value for "a"'],
    ['{"objects":[],"objects":[]}', 'appears twice'],
    ['{"objects":[]} x', 'expected another JSON object'],
    ['', 'the input is empty'],
    ['"str"', 'expected a JSON object or array'],
    ['{"objects":["abc', 'inside a string'],
  ])('rejects %j with a message containing %j', (text, message) => {
    const error = caught(() => splitObjectsArray(text))
    expect(isAppError(error)).toBe(true)
    expect((error as Error).message).toContain(message)
  })

  it('enforces maxDepth, counted from the document root', () => {
    const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels)
    // bundle (1) > objects (2) > object (3) > the arrays of "a".
    expect(
      splitObjectsArray(`{"objects":[{"a":${nested(3)}}]}`, { maxDepth: 6 }).objects,
    ).toHaveLength(1)
    const error = caught(() =>
      splitObjectsArray(`{"objects":[{"a":${nested(4)}}]}`, { maxDepth: 6 }),
    )
    expect(isAppError(error, 'STIX_INPUT_TOO_DEEP')).toBe(true)
    expect((error as Error).message).toContain('deeper than 6 levels')
    expect((error as Error).message).toContain('element 0')
  })

  it('enforces maxObjectSize on elements and on the header', () => {
    const ok = splitObjectsArray('{"objects":[{"a":"123456"}]}', { maxObjectSize: 14 })
    expect(ok.objects).toHaveLength(1)
    const error = caught(() =>
      splitObjectsArray('{"objects":[{"a":1},{"a":"1234567"}]}', { maxObjectSize: 14 }),
    )
    expect(isAppError(error, 'STIX_UNUSABLE_INPUT')).toBe(true)
    expect((error as Error).message).toContain('element 1')
    expect((error as Error).message).toContain('limit of 14 characters')
    const header = caught(() =>
      splitObjectsArray('{"x":"a long header value","objects":[]}', { maxObjectSize: 14 }),
    )
    expect((header as Error).message).toContain('top-level object')
  })

  it('rejects invalid limits', () => {
    expect(() => splitObjectsArray('{}', { maxDepth: 0 })).toThrow(RangeError)
  })

  it('agrees with JSON.parse on generated bundles', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 6 }),
        fc.boolean(),
        (elements, pretty) => {
          const text = JSON.stringify({ type: 'bundle', objects: elements }, null, pretty ? 2 : 0)
          const result = splitObjectsArray(text)
          // fast-check's jsonValue may produce -0, which JSON text cannot carry.
          expect(result.objects.map((o) => o.value)).toEqual(
            (JSON.parse(text) as { objects: unknown[] }).objects,
          )
          for (const o of result.objects) expect(JSON.parse(o.raw)).toEqual(o.value)
        },
      ),
    )
  })
})

describe('readBundle', () => {
  const bundle = `\uFEFF{"id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[${indicator},{"type":"x","v":"é😀"}],"type":"bundle"}`

  it('yields objects from a bundle split into chunks at every possible byte boundary', async () => {
    const bytes = encoder.encode(bundle)
    const whole = await readAll([bytes])
    expect(whole.summary).toEqual({
      shape: 'bundle',
      count: 2,
      members: { id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', type: 'bundle' },
    })
    for (let cut = 1; cut < bytes.length; cut++) {
      const split = await readAll([bytes.subarray(0, cut), bytes.subarray(cut)])
      expect(split).toEqual(whole)
    }
    expect(await readAll(chunked(bytes, [1]))).toEqual(whole)
    expect(whole.entries[1]?.raw).toBe('{"type":"x","v":"é😀"}')
  })

  it('reports byte offsets that count UTF-8 bytes, and character columns', async () => {
    const text = '[{"v":"ééé"}, {"w":1}]'
    const { entries } = await readAll(chunked(encoder.encode(text), [3, 5]))
    expect(entries[1]?.location).toEqual({ offset: 17, line: 1, column: 15 })
    const fromText = await readAll([text.slice(0, 9), text.slice(9)])
    expect(fromText.entries[1]?.location).toEqual({ offset: 17, line: 1, column: 15 })
  })

  it('reads NDJSON, one object per line', async () => {
    const text = '{"type":"a","n":1}\n{"type":"b","n":2}\r\n\n{"type":"c","n":3}\n'
    const { entries, summary } = await readAll(chunked(encoder.encode(text), [7]))
    expect(summary.shape).toBe('ndjson')
    expect(entries.map((e) => [e.index, e.location.line])).toEqual([
      [0, 1],
      [1, 2],
      [2, 4],
    ])
  })

  it('reads a JSON array of objects and a single object', async () => {
    const array = await readAll(['[{"a":1},', '{"b":2}]'])
    expect(array.summary.shape).toBe('array')
    expect(array.entries.map((e) => e.object)).toEqual([{ a: 1 }, { b: 2 }])
    const single = await readAll(['{"type":"indicator",', '"objects":{"0":{}}}'])
    expect(single.summary.shape).toBe('object')
    expect(single.entries[0]?.raw).toBe('{"type":"indicator","objects":{"0":{}}}')
  })

  it('treats an object with objects but no type as a TAXII envelope', async () => {
    const { summary } = await readAll(['{"more":false,"objects":[]}'])
    expect(summary).toEqual({ shape: 'envelope', count: 0, members: { more: false } })
  })

  it('rejects a non-bundle object holding an objects array', async () => {
    const error = await caughtAsync(() => readAll(['{"type":"report","objects":[]}']))
    expect(isAppError(error, 'STIX_UNUSABLE_INPUT')).toBe(true)
  })

  it('rejects invalid UTF-8 and input ending inside a UTF-8 sequence', async () => {
    const bad = await caughtAsync(() => readAll([new Uint8Array([0x5b, 0xff, 0x5d])]))
    expect(isAppError(bad, 'STIX_INVALID_JSON')).toBe(true)
    expect((bad as Error).message).toContain('not valid UTF-8')
    const cut = await caughtAsync(() => readAll([new Uint8Array([0x5b, 0x22, 0xc3])]))
    expect((cut as Error).message).toContain('inside a UTF-8 sequence')
  })

  it('stops with a located error at a syntax error after yielding earlier objects', async () => {
    const seen: number[] = []
    const error = await caughtAsync(async () => {
      for await (const entry of readBundle(['{"a":1}\n{"b":2}\n{"c":3]\n'])) seen.push(entry.index)
    })
    expect(seen).toEqual([0, 1])
    expect((error as Error).message).toContain('line 3, column 7')
  })

  it('streams a 100,000-object bundle fed in uneven chunks, keeping each raw text exact', async () => {
    const object = (i: number): string =>
      JSON.stringify({
        type: 'indicator',
        id: `indicator--${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
        pattern: `[ipv4-addr:value = '10.0.${i % 256}.${i % 200}']`,
        description: 'x"\\'.repeat(i % 7),
      })
    const count = 100_000
    async function* source(): AsyncGenerator<Uint8Array> {
      await Promise.resolve()
      yield encoder.encode(
        '{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[',
      )
      let batch: string[] = []
      for (let i = 0; i < count; i++) {
        batch.push((i ? ',' : '') + object(i))
        if (batch.length === 500) {
          yield* chunked(encoder.encode(batch.join('')), [65_536, 1_000, 3])
          batch = []
        }
      }
      yield encoder.encode(batch.join('') + ']}')
    }
    let seen = 0
    const reader = readBundle(source())
    for (;;) {
      const step = await reader.next()
      if (step.done) {
        expect(step.value.count).toBe(count)
        break
      }
      if (step.value.index % 9_973 === 0) expect(step.value.raw).toBe(object(step.value.index))
      seen++
    }
    expect(seen).toBe(count)
  })

  it('agrees with JSON.parse on generated NDJSON under random chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 5 }),
        async (objects, sizes) => {
          const text = objects.map((o) => JSON.stringify(o)).join('\n')
          const { entries } = await readAll(chunked(encoder.encode(text), sizes))
          expect(entries.map((e) => e.object)).toEqual(
            objects.map((o) => JSON.parse(JSON.stringify(o)) as unknown),
          )
        },
      ),
      { numRuns: 200 },
    )
  })

  it('reads every valid bundle or array and rejects damaged input only with an AppError', async () => {
    const inserts = ['', '{', '}', '[', ']', ',', '"', '\\', ':', 'x', '\n', 'é', '\u2028']
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 4 }),
        fc.nat(),
        fc.constantFrom(...inserts),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('bundle', 'array', 'ndjson'),
        async (value, position, insert, sizes, shape) => {
          const valid =
            shape === 'bundle'
              ? JSON.stringify({ type: 'bundle', objects: [value, { a: value }] })
              : shape === 'array'
                ? JSON.stringify([{ a: value }, value])
                : `${JSON.stringify({ a: value })}\n${JSON.stringify({ b: [value] })}\n`
          const at = position % (valid.length + 1)
          const text = valid.slice(0, at) + insert + valid.slice(at)
          let parsed: unknown
          try {
            parsed = JSON.parse(text)
          } catch {
            parsed = undefined
          }
          const stillBundle =
            typeof parsed === 'object' &&
            parsed !== null &&
            Array.isArray((parsed as { objects?: unknown }).objects) &&
            (parsed as { type?: unknown }).type === 'bundle'
          const readers = [
            { streaming: true, read: async () => readAll(chunked(encoder.encode(text), sizes)) },
            { streaming: false, read: () => Promise.resolve(splitObjectsArray(text)) },
          ]
          for (const { streaming, read } of readers) {
            try {
              const result = await read()
              if (Array.isArray(parsed) && 'entries' in result) {
                expect(result.entries.map((e) => e.object)).toEqual(parsed)
              }
              if (stillBundle) {
                const objects =
                  'entries' in result
                    ? result.entries.map((e) => e.object)
                    : result.objects.map((e) => e.value)
                expect(objects).toEqual((parsed as { objects: unknown[] }).objects)
              }
            } catch (error) {
              expect(isAppError(error)).toBe(true)
              expect(stillBundle).toBe(false)
              // A valid JSON array is always readable as a stream.
              expect(streaming && Array.isArray(parsed)).toBe(false)
            }
          }
        },
      ),
      { numRuns: 2000 },
    )
  })
})
