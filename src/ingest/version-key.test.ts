import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { instantKey, parseRfc3339, timestampMicros, versionKey } from './version-key.js'

describe('parseRfc3339', () => {
  it('parses UTC timestamps of any precision and checks calendar fields', () => {
    expect(parseRfc3339('2024-02-29T23:59:59.5Z', { utcOnly: true })).toEqual({
      epochSeconds: Date.UTC(2024, 1, 29, 23, 59, 59) / 1000,
      fraction: '5',
    })
    expect(parseRfc3339('2023-02-29T00:00:00Z', { utcOnly: true })).toBeUndefined()
    expect(parseRfc3339('2023-04-31T00:00:00Z', { utcOnly: true })).toBeUndefined()
    expect(parseRfc3339('2023-01-01T00:00:00', { utcOnly: true })).toBeUndefined()
    expect(parseRfc3339('2023-01-01T00:00:00+02:00', { utcOnly: true })).toBeUndefined()
  })

  it('applies numeric offsets when they are allowed', () => {
    const ts = parseRfc3339('2023-01-01T02:00:00+02:00', { utcOnly: false })
    expect(ts?.epochSeconds).toBe(Date.UTC(2023, 0, 1) / 1000)
  })

  it('rounds sub-microsecond digits down for added_after', () => {
    const ts = parseRfc3339('1970-01-01T00:00:01.0000019Z', { utcOnly: true })
    expect(ts && timestampMicros(ts)).toBe(1_000_001)
  })
})

describe('versionKey', () => {
  it('gives equal instants equal keys and keeps non-timestamps', () => {
    expect(versionKey('2016-01-01T01:01:01Z')).toBe('2016-01-01T01:01:01.000000000')
    expect(versionKey('2016-01-01T01:01:01.100Z')).toBe(versionKey('2016-01-01T01:01:01.1Z'))
    expect(versionKey('')).toBe('')
    expect(versionKey('v7')).toBe('v7')
  })

  it('orders keys as time orders instants (property)', () => {
    const instant = fc.date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    })
    fc.assert(
      fc.property(instant, instant, fc.nat(999), fc.nat(999), (a, b, ua, ub) => {
        const ta = `${a.toISOString().slice(0, 23)}${String(ua).padStart(3, '0')}Z`
        const tb = `${b.toISOString().slice(0, 23)}${String(ub).padStart(3, '0')}Z`
        const ka = versionKey(ta)
        const kb = versionKey(tb)
        const byTime = a.getTime() - b.getTime() || ua - ub
        expect(Math.sign(ka.localeCompare(kb, 'en'))).toBe(Math.sign(byTime))
      }),
    )
  })

  it('round-trips through instantKey for years before 100', () => {
    const ts = parseRfc3339('0042-03-04T05:06:07.89Z', { utcOnly: true })
    expect(ts && instantKey(ts)).toBe('0042-03-04T05:06:07.890000000')
  })
})
