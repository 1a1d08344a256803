import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkTimestamp,
  compareTimestamps,
  isBase64,
  isHex,
  isIpv4Cidr,
  isIpv6Cidr,
  isLanguageTag,
  isTypeName,
  uuidVersionAt,
} from './formats.js'

describe('checkTimestamp (2.16)', () => {
  it('returns the number of fraction digits', () => {
    expect(checkTimestamp('2016-01-20T12:31:12Z')).toBe(0)
    expect(checkTimestamp('2016-01-20T12:31:12.123Z')).toBe(3)
    expect(checkTimestamp('2016-12-31T23:59:60.5Z')).toBe(1)
  })

  it('rejects impossible dates', () => {
    expect(checkTimestamp('2015-02-29T00:00:00Z')).toBe(-1)
    expect(checkTimestamp('2000-02-29T00:00:00Z')).toBe(0)
    expect(checkTimestamp('1900-02-29T00:00:00Z')).toBe(-1)
    expect(checkTimestamp('2016-04-31T00:00:00Z')).toBe(-1)
  })

  it('agrees with Date on every well-formed millisecond timestamp', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (d) => checkTimestamp(d.toISOString()) === 3,
      ),
    )
  })

  it('orders like the instants they denote', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        (a, b) =>
          Math.sign(compareTimestamps(a.toISOString(), b.toISOString())) ===
          Math.sign(a.getTime() - b.getTime()),
      ),
    )
    expect(compareTimestamps('2016-01-01T00:00:00Z', '2016-01-01T00:00:00.000Z')).toBe(0)
    expect(compareTimestamps('2016-01-01T00:00:00.1Z', '2016-01-01T00:00:00.09Z')).toBeGreaterThan(
      0,
    )
  })
})

describe('uuidVersionAt (2.9)', () => {
  it('reads the version of RFC 4122 UUIDs', () => {
    expect(uuidVersionAt('x--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', 3)).toBe(4)
    expect(uuidVersionAt('x--ff26c055-6336-5bc5-b98d-13d6226742dd', 3)).toBe(5)
    expect(uuidVersionAt('x--ff26c055-6336-5bc5-098d-13d6226742dd', 3)).toBe(0)
    expect(uuidVersionAt('x--ff26c055-6336-5bc5-b98d-13d6226742d', 3)).toBe(-1)
    expect(uuidVersionAt('x--ff26c055-6336-5bc5-b98d-13d6226742dg', 3)).toBe(-1)
  })

  it('accepts every random UUID', () => {
    fc.assert(fc.property(fc.uuid({ version: 4 }), (u) => uuidVersionAt(u, 0) === 4))
  })
})

describe('addresses (6.8, 6.9)', () => {
  it('accepts every IPv4 address and prefix', () => {
    fc.assert(
      fc.property(
        fc.ipV4(),
        fc.integer({ min: 0, max: 32 }),
        (ip, p) => isIpv4Cidr(ip) && isIpv4Cidr(`${ip}/${p}`),
      ),
    )
  })

  it('accepts every IPv6 address', () => {
    fc.assert(fc.property(fc.ipV6(), (ip) => isIpv6Cidr(ip)))
  })
})

describe('names and encodings', () => {
  it('checks hex, base64 and type names', () => {
    expect(isHex('00ff')).toBe(true)
    expect(isHex('00FF')).toBe(false)
    expect(isBase64('')).toBe(true)
    expect(isBase64('YWJj')).toBe(true)
    expect(isBase64('YWI=')).toBe(true)
    expect(isBase64('YW==x')).toBe(false)
    expect(isBase64('Y===')).toBe(false)
    expect(isTypeName('x-acme-thing')).toBe(true)
    expect(isTypeName('x--acme')).toBe(false)
  })

  it('round-trips base64 from Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => isBase64(Buffer.from(bytes).toString('base64'))),
    )
  })

  it('checks RFC 5646 language tags', () => {
    for (const tag of [
      'en',
      'en-US',
      'zh-Hant-TW',
      'de-CH-1901',
      'x-private',
      'sr-Latn-RS',
      'es-419',
    ])
      expect(isLanguageTag(tag)).toBe(true)
    for (const tag of ['', '12', 'en_US', 'e', 'en-', 'english language'])
      expect(isLanguageTag(tag)).toBe(false)
  })
})
