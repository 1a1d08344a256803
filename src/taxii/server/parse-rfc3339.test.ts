import { describe, expect, it } from 'vitest'
import { parseRfc3339, timestampMicros } from './parse-rfc3339.js'

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
