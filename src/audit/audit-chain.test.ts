import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AuditRecord } from '../store/store.js'
import { microsToTimestamp } from '../store/timestamps.js'
import canonicalizeModule from 'canonicalize'
import {
  AuditChainVerifier,
  GENESIS_HASH,
  auditHash,
  auditHashInput,
  canonicalJson,
  sealAuditRecords,
  type AuditAnchor,
  type AuditBreak,
  type UnsealedAuditRecord,
} from './audit-chain.js'

// The library itself, as the reference (CommonJS default export; see audit-chain.ts).
const loaded: unknown = canonicalizeModule
const canonicalize = (
  typeof loaded === 'function' ? loaded : (loaded as { default: unknown }).default
) as (input: unknown) => string | undefined

const T0 = 1_767_225_600_000_000

function unsealed(n: number, overrides: Partial<UnsealedAuditRecord> = {}): UnsealedAuditRecord {
  return {
    ts: microsToTimestamp(T0 + n),
    tsMicros: T0 + n,
    actorKind: 'user',
    actorId: `user-${n % 3}`,
    action: n % 2 ? 'read' : 'write',
    objectIds: `["indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}"]`,
    collectionId: n % 4 ? 'c1' : null,
    outcome: 'success',
    details: `{"n":${n}}`,
    ...overrides,
  }
}

const chain = (length: number): AuditRecord[] =>
  sealAuditRecords(
    Array.from({ length }, (_, i) => unsealed(i + 1)),
    undefined,
  )

/** Verifies `records` fed in pages of `pageSize`, as AuditLog.verify does. */
function verify(
  records: readonly AuditRecord[],
  pageSize = 3,
  anchors: AuditAnchor[] = [],
): AuditBreak | { ok: true; entries: number; head: AuditAnchor | undefined } {
  const verifier = new AuditChainVerifier(anchors)
  for (let start = 0; start < records.length; start += pageSize) {
    const page = records.slice(start, start + pageSize)
    const next = records.slice(start + pageSize, start + 2 * pageSize)
    const broken = verifier.check(page, next)
    if (broken) return broken
  }
  return verifier.finish() ?? { ok: true, entries: verifier.entries, head: verifier.head }
}

describe('canonicalJson (RFC 8785)', () => {
  const primitive = fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  )
  const key = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.nat().map(String),
    fc.constant('__proto__'),
  )

  it('agrees with the canonicalize library on arrays of primitives and flat objects (the fast path)', () => {
    fc.assert(
      fc.property(fc.array(primitive), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value))
      }),
    )
    fc.assert(
      fc.property(fc.array(fc.tuple(key, primitive)), (pairs) => {
        const value: Record<string, unknown> = {}
        for (const [k, v] of pairs)
          Object.defineProperty(value, k, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          })
        expect(canonicalJson(value)).toBe(canonicalize(value))
      }),
    )
  })

  it('sorts integer-like keys as strings and leaves nested values to the library', () => {
    expect(canonicalJson({ '10': 1, '9': 2, b: -0, a: 'é' })).toBe('{"10":1,"9":2,"a":"é","b":0}')
    expect(canonicalJson({ b: [2, 1], a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":[2,1]}')
  })
})

describe('auditHashInput', () => {
  it('is RFC 8785 canonical JSON: sorted keys, JSON texts kept as strings, null kept', () => {
    const input = auditHashInput({
      seq: 7,
      ts: '2026-01-01T00:00:00.000001Z',
      actorKind: 'key',
      actorId: 'k\u00e9y',
      action: 'read',
      objectIds: '["a--1"]',
      collectionId: null,
      outcome: 'denied',
      details: '{"why":"tlp"}',
      prevHash: GENESIS_HASH,
    })
    expect(input).toBe(
      '{"action":"read","actor_id":"k\u00e9y","actor_kind":"key","collection_id":null,' +
        '"details":"{\\"why\\":\\"tlp\\"}","object_ids":"[\\"a--1\\"]","outcome":"denied",' +
        `"prev_hash":"${GENESIS_HASH}","seq":7,"ts":"2026-01-01T00:00:00.000001Z"}`,
    )
  })

  it('hashes with SHA-256 over the UTF-8 of that text, as lower-case hex', () => {
    const [record] = chain(1)
    if (!record) throw new Error('no record')
    const expected = createHash('sha256')
      .update(Buffer.from(auditHashInput(record)))
      .digest('hex')
    expect(record.hash).toBe(expected)
    expect(record.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(auditHash(record)).toBe(expected)
  })
})

describe('sealAuditRecords', () => {
  it('numbers a new log from 1 and links entry 1 to the genesis value', () => {
    const records = chain(3)
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3])
    expect(records[0]?.prevHash).toBe(GENESIS_HASH)
    expect(records[1]?.prevHash).toBe(records[0]?.hash)
    expect(records[2]?.prevHash).toBe(records[1]?.hash)
  })

  it('continues after the last stored entry', () => {
    const first = chain(2)
    const more = sealAuditRecords([unsealed(3)], first[1])
    expect(more).toMatchObject([{ seq: 3, prevHash: first[1]?.hash }])
    expect(verify([...first, ...more])).toMatchObject({ ok: true, entries: 3 })
  })

  it('gives equal entries at different places different hashes', () => {
    const records = sealAuditRecords([unsealed(1), unsealed(1)], undefined)
    expect(records[0]?.hash).not.toBe(records[1]?.hash)
  })
})

describe('AuditChainVerifier', () => {
  it('accepts an intact chain whatever the page size, and reports its head', () => {
    const records = chain(10)
    for (const size of [1, 2, 3, 10, 50]) {
      expect(verify(records, size)).toEqual({
        ok: true,
        entries: 10,
        head: { seq: 10, hash: records[9]?.hash },
      })
    }
    expect(verify([])).toEqual({ ok: true, entries: 0, head: undefined })
  })

  it('names an entry whose field was edited (reason edited)', () => {
    const records = chain(10)
    records[4] = { ...records[4]!, actorId: 'mallory' }
    expect(verify(records)).toMatchObject({ seq: 5, reason: 'edited' })
  })

  it('names an edit of the indexed time alone (reason edited)', () => {
    const records = chain(5)
    records[2] = { ...records[2]!, tsMicros: records[2]!.tsMicros - 1 }
    expect(verify(records)).toMatchObject({ seq: 3, reason: 'edited' })
  })

  it('names the entry after one edited and re-hashed (reason relinked)', () => {
    const records = chain(10)
    const edited = { ...records[4]!, outcome: 'success', details: '{"n":0}' }
    records[4] = { ...edited, hash: auditHash(edited) }
    expect(verify(records)).toMatchObject({ seq: 6, reason: 'relinked' })
  })

  it('names the first deleted entry (reason missing), also at the start', () => {
    const records = chain(10)
    expect(verify([...records.slice(0, 3), ...records.slice(6)])).toMatchObject({
      seq: 4,
      reason: 'missing',
      message: 'entries 4 to 6 are missing (deleted)',
    })
    expect(verify(records.slice(1))).toMatchObject({ seq: 1, reason: 'missing' })
  })

  it('names a deletion hidden by renumbering the rest (reason relinked)', () => {
    const records = chain(10)
    const renumbered = [
      ...records.slice(0, 3),
      ...records.slice(4).map((r) => ({ ...r, seq: r.seq - 1 })),
    ]
    expect(verify(renumbered)).toMatchObject({ seq: 4, reason: 'relinked' })
  })

  it('names swapped entries (reason reordered), also across a page boundary', () => {
    const records = chain(10)
    const swap = (i: number): AuditRecord[] => {
      const copy = records.slice()
      const [a, b] = [copy[i]!, copy[i + 1]!]
      copy[i] = { ...b, seq: a.seq }
      copy[i + 1] = { ...a, seq: b.seq }
      return copy
    }
    expect(verify(swap(3), 3)).toMatchObject({ seq: 4, reason: 'reordered' })
    // Entries 3 and 4 straddle pages of 3: the lookahead page names it.
    expect(verify(swap(2), 3)).toMatchObject({ seq: 3, reason: 'reordered' })
  })

  it('detects removed newest entries only with an anchor (reason truncated)', () => {
    const records = chain(10)
    const head = { seq: 10, hash: records[9]!.hash }
    expect(verify(records.slice(0, 8))).toMatchObject({ ok: true })
    expect(verify(records.slice(0, 8), 3, [head])).toMatchObject({ seq: 10, reason: 'truncated' })
    expect(verify(records, 3, [head])).toMatchObject({ ok: true, entries: 10 })
  })

  it('detects a chain rebuilt after an anchor was taken (reason rewritten)', () => {
    const records = chain(6)
    const anchor = { seq: 4, hash: records[3]!.hash }
    const rebuilt = [
      ...records.slice(0, 3),
      ...sealAuditRecords([unsealed(40), unsealed(50), unsealed(60)], records[2]),
    ]
    expect(verify(rebuilt)).toMatchObject({ ok: true })
    expect(verify(rebuilt, 3, [anchor])).toMatchObject({ seq: 4, reason: 'rewritten' })
  })

  it('keeps returning the first break once found', () => {
    const records = chain(6)
    records[1] = { ...records[1]!, action: 'delete' }
    const verifier = new AuditChainVerifier()
    const first = verifier.check(records.slice(0, 3))
    expect(first).toMatchObject({ seq: 2 })
    expect(verifier.check(records.slice(3))).toBe(first)
    expect(verifier.finish()).toBe(first)
    expect(verifier.entries).toBe(1)
  })

  it('detects any single changed field or removed entry at that entry (property)', () => {
    const fields = [
      'seq',
      'ts',
      'actorKind',
      'actorId',
      'action',
      'objectIds',
      'collectionId',
      'outcome',
      'details',
      'prevHash',
      'hash',
    ] as const
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.nat(),
        fc.constantFrom(...fields, 'delete' as const),
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 7 }),
        (length, pick, field, text, pageSize) => {
          const records = chain(length)
          const i = pick % length
          const original = records[i]!
          if (field === 'delete') {
            records.splice(i, 1)
            const result = verify(records, pageSize)
            // Removing the newest entry is what only an anchor can show.
            if (i === length - 1) return 'ok' in result
            return 'reason' in result && result.seq === i + 1
          }
          const changed: AuditRecord =
            field === 'seq'
              ? { ...original, seq: original.seq + length + 1 }
              : { ...original, [field]: `${String(original[field])}${text}` }
          records[i] = changed
          const result = verify(records, pageSize)
          return 'reason' in result && result.seq === i + 1
        },
      ),
      { numRuns: 500 },
    )
  })
})
