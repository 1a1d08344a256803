import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { microsToTimestamp, timestampToMicros, toVersionKey, versionKeyOf } from './timestamps.js'

describe('toVersionKey', () => {
  it('pads the fraction to nine digits and drops the Z (STIX 2.1 section 3.2 timestamps)', () => {
    expect(toVersionKey('2016-01-01T01:01:01Z')).toBe('2016-01-01T01:01:01.000000000')
    expect(toVersionKey('2016-01-01T01:01:01.5Z')).toBe('2016-01-01T01:01:01.500000000')
    expect(toVersionKey('2016-01-01T01:01:01.123456789Z')).toBe('2016-01-01T01:01:01.123456789')
  })

  it('keeps digits beyond nanoseconds without their trailing zeros', () => {
    expect(toVersionKey('2016-01-01T01:01:01.1234567891Z')).toBe('2016-01-01T01:01:01.1234567891')
    expect(toVersionKey('2016-01-01T01:01:01.12345678900000Z')).toBe(
      '2016-01-01T01:01:01.123456789',
    )
  })

  it('gives equal keys for equal instants and returns a key unchanged', () => {
    const a = toVersionKey('2016-01-01T01:01:01Z')
    expect(toVersionKey('2016-01-01T01:01:01.000Z')).toBe(a)
    expect(toVersionKey(a ?? '')).toBe(a)
  })

  it.each([
    '2016-01-01',
    '2016-01-01T01:01:01',
    '2016-01-01T01:01:01.123',
    '2016-01-01T01:01:01+01:00',
    '2016-02-30T00:00:00Z',
    '2016-13-01T00:00:00Z',
    '2016-01-01T24:00:00Z',
    'last',
    '',
  ])('rejects %j', (value) => {
    expect(toVersionKey(value)).toBeUndefined()
  })

  it('orders keys as the instants they name, whatever the precision', () => {
    const stamp = fc
      .tuple(fc.integer({ min: 0, max: 4_000_000_000 }), fc.stringMatching(/^[0-9]{0,12}$/))
      .map(([seconds, fraction]) => {
        const base = new Date(seconds * 1000).toISOString().slice(0, 19)
        return { text: `${base}${fraction ? `.${fraction}` : ''}Z`, seconds, fraction }
      })
    fc.assert(
      fc.property(stamp, stamp, (a, b) => {
        const ka = toVersionKey(a.text) ?? ''
        const kb = toVersionKey(b.text) ?? ''
        // Compare the instants exactly as (seconds, fraction as a decimal string).
        const fa = a.fraction.replace(/0+$/, '')
        const fb = b.fraction.replace(/0+$/, '')
        const width = Math.max(fa.length, fb.length)
        const ia = `${String(a.seconds).padStart(12, '0')}${fa.padEnd(width, '0')}`
        const ib = `${String(b.seconds).padStart(12, '0')}${fb.padEnd(width, '0')}`
        expect(Math.sign(ka.localeCompare(kb, 'en'))).toBe(
          Math.sign(ia < ib ? -1 : ia > ib ? 1 : 0),
        )
        expect(ka < kb).toBe(ia < ib)
        expect(ka === kb).toBe(ia === ib)
      }),
    )
  })
})

describe('versionKeyOf', () => {
  it('keeps a version that is not a timestamp as it is', () => {
    expect(versionKeyOf('')).toBe('')
    expect(versionKeyOf('v2')).toBe('v2')
    expect(versionKeyOf('2016-01-01T01:01:01Z')).toBe('2016-01-01T01:01:01.000000000')
  })
})

describe('microsecond timestamps', () => {
  it('formats date_added with exactly six fractional digits', () => {
    expect(microsToTimestamp(0)).toBe('1970-01-01T00:00:00.000000Z')
    expect(microsToTimestamp(1_767_225_600_000_001)).toBe('2026-01-01T00:00:00.000001Z')
  })

  it('parses timestamps to microseconds, dropping digits beyond them', () => {
    expect(timestampToMicros('2026-01-01T00:00:00Z')).toBe(1_767_225_600_000_000)
    expect(timestampToMicros('2026-01-01T00:00:00.1234569Z')).toBe(1_767_225_600_123_456)
    expect(timestampToMicros('yesterday')).toBeUndefined()
  })

  it('round-trips every microsecond value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8_000_000_000_000_000 }), (micros) => {
        expect(timestampToMicros(microsToTimestamp(micros))).toBe(micros)
      }),
    )
  })
})
