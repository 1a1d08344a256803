import { describe, expect, it } from 'vitest'
import { Lexer, PatternSyntaxError, decodeBase64, parseTimestamp, type TokenKind } from './lexer.js'

function tokens(text: string): [TokenKind, string][] {
  const lx = new Lexer(text)
  const out: [TokenKind, string][] = []
  for (;;) {
    lx.next()
    if (lx.kind === 'eof') return out
    out.push([lx.kind, text.slice(lx.startOffset, lx.endOffset)])
  }
}

describe('Lexer', () => {
  it('scans every punctuation and operator token', () => {
    expect(tokens('[ ] ( ) : . , * = != < > <= >=').map(([k]) => k)).toEqual([
      '[',
      ']',
      '(',
      ')',
      ':',
      '.',
      ',',
      '*',
      '=',
      '!=',
      '<',
      '>',
      '<=',
      '>=',
    ])
  })

  it('scans hyphenated identifiers, keywords and prefixed constants', () => {
    expect(tokens("ipv4-addr:value NOT IN b'AA==' h'00' t'2020-01-01T00:00:00Z' b x")).toEqual([
      ['ident', 'ipv4-addr'],
      [':', ':'],
      ['ident', 'value'],
      ['ident', 'NOT'],
      ['ident', 'IN'],
      ['binary', "b'AA=='"],
      ['hex', "h'00'"],
      ['timestamp', "t'2020-01-01T00:00:00Z'"],
      ['ident', 'b'],
      ['ident', 'x'],
    ])
  })

  it("separates an identifier from a following quote (MATCHES'x')", () => {
    expect(tokens("MATCHES'x'")).toEqual([
      ['ident', 'MATCHES'],
      ['string', "'x'"],
    ])
  })

  it('scans numbers with sign and fraction', () => {
    const lx = new Lexer('-12 3.25 .5 -0.0')
    const seen: [TokenKind, number, boolean][] = []
    for (lx.next(); lx.kind !== 'eof'; lx.next()) seen.push([lx.kind, lx.num, lx.negative])
    expect(seen).toEqual([
      ['int', -12, true],
      ['float', 3.25, false],
      ['float', 0.5, false],
      ['float', 0, true],
    ])
  })

  it('skips every Unicode White_Space character (section 9.4)', () => {
    const ws = '\t\n\v\f\r \u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000'
    expect(tokens(`${ws}[${ws}]${ws}`).map(([k]) => k)).toEqual(['[', ']'])
  })

  it('tracks lines and columns of token starts and ends', () => {
    const lx = new Lexer("a\n  'x\ny' b")
    lx.next()
    lx.next()
    expect(lx.startPosition()).toEqual({ offset: 4, line: 2, column: 3 })
    expect(lx.endPosition()).toEqual({ offset: 9, line: 3, column: 3 })
    lx.next()
    expect(lx.startPosition()).toEqual({ offset: 10, line: 3, column: 4 })
  })

  it('throws PatternSyntaxError (caught by parsePattern) for a stray character', () => {
    const lx = new Lexer('  @')
    expect(() => lx.next()).toThrow(PatternSyntaxError)
  })
})

describe('decodeBase64', () => {
  it('decodes RFC 4648 base64 with and without padding characters', () => {
    expect(Array.from(decodeBase64('') as Uint8Array)).toEqual([])
    expect(Array.from(decodeBase64('AA==') as Uint8Array)).toEqual([0])
    expect(Array.from(decodeBase64('AAE=') as Uint8Array)).toEqual([0, 1])
    expect(Array.from(decodeBase64('AAEC') as Uint8Array)).toEqual([0, 1, 2])
    expect(new TextDecoder().decode(decodeBase64('dGhpcyBpcyBhIHRlc3Q=') as Uint8Array)).toBe(
      'this is a test',
    )
    expect(Array.from(decodeBase64('+/+/') as Uint8Array)).toEqual([0xfb, 0xff, 0xbf])
  })

  it('explains what is wrong with invalid base64', () => {
    expect(decodeBase64('AAA')).toBe('base64 length must be a multiple of 4')
    expect(decodeBase64('A-A=')).toBe("'-' at position 2 is not a base64 character")
    expect(decodeBase64('A===')).toBe("'=' at position 2 is not a base64 character")
    expect(decodeBase64('AA==AA==')).toBe("'=' at position 3 is not a base64 character")
    expect(decodeBase64('AAé=')).toBe("'é' at position 3 is not a base64 character")
  })
})

describe('parseTimestamp (STIX 2.1 section 2.16)', () => {
  it('returns epoch microseconds', () => {
    expect(parseTimestamp('1970-01-01T00:00:00Z')).toBe(0)
    expect(parseTimestamp('2016-05-12T08:17:27.000Z')).toBe(Date.UTC(2016, 4, 12, 8, 17, 27) * 1000)
    expect(parseTimestamp('2016-05-12T08:17:27.123456Z')).toBe(
      Date.UTC(2016, 4, 12, 8, 17, 27) * 1000 + 123456,
    )
    expect(parseTimestamp('0001-01-01T00:00:00Z')).toBe(-62135596800000000)
    expect(parseTimestamp('2000-02-29T23:59:59.999999999Z')).toBe(
      Date.UTC(2000, 1, 29, 23, 59, 59) * 1000 + 999999,
    )
  })

  it('accepts a leap second as the first instant of the next day (RFC 3339)', () => {
    expect(parseTimestamp('2016-12-31T23:59:60.5Z')).toBe(Date.UTC(2017, 0, 1) * 1000 + 500000)
  })

  it('rejects other shapes and out-of-range fields', () => {
    expect(parseTimestamp('2016-05-12 08:17:27Z')).toMatch(/^expected the form/)
    expect(parseTimestamp('2016-05-12T08:17:27')).toMatch(/^expected the form/)
    expect(parseTimestamp('2016-05-12T08:17:27z')).toMatch(/the time zone must be 'Z'/)
    expect(parseTimestamp('2016-05-12T08:17:27.5')).toMatch(/the time zone must be 'Z'/)
    expect(parseTimestamp('1900-02-29T00:00:00Z')).toBe('day 29 is out of range for month 2')
    expect(parseTimestamp('2016-04-31T00:00:00Z')).toBe('day 31 is out of range for month 4')
    expect(parseTimestamp('2016-00-10T00:00:00Z')).toBe('month 0 is out of range')
    expect(parseTimestamp('2016-01-10T00:60:00Z')).toBe('minute 60 is out of range')
    expect(parseTimestamp('2016-01-10T00:00:60Z')).toBe(
      'second 60 is out of range (a leap second is written 23:59:60)',
    )
    expect(parseTimestamp('2016-01-10T23:59:61Z')).toMatch(/^second 61 is out of range/)
  })
})
