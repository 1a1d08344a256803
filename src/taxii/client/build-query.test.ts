import { describe, expect, it } from 'vitest'
import { filterParams, queryString } from './build-query.js'

describe('filterParams and queryString (TAXII 2.1 section 3.4)', () => {
  it('writes every filter with comma-separated values and literal brackets', () => {
    const query = queryString(
      filterParams({
        addedAfter: '2026-01-01T00:00:00.000Z',
        limit: 50,
        id: ['indicator--a', 'malware--b'],
        type: 'indicator',
        version: ['first', 'last'],
        specVersion: '2.1',
      }),
    )
    expect(query).toBe(
      '?added_after=2026-01-01T00:00:00.000Z&limit=50&match[id]=indicator--a,malware--b' +
        '&match[type]=indicator&match[version]=first,last&match[spec_version]=2.1',
    )
    const parsed = new URLSearchParams(query)
    expect(parsed.get('match[id]')).toBe('indicator--a,malware--b')
  })

  it('turns a Date into an RFC 3339 UTC timestamp', () => {
    expect(filterParams({ addedAfter: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)) })).toEqual([
      ['added_after', '2026-01-02T03:04:05.006Z'],
    ])
  })

  it('percent-encodes characters that would break the query', () => {
    expect(queryString([['next', 'a+b&c=d/e']])).toBe('?next=a%2Bb%26c%3Dd%2Fe')
  })

  it('gives an empty string when there are no parameters', () => {
    expect(queryString(filterParams({}))).toBe('')
  })

  it('refuses a limit that is not a positive integer', () => {
    expect(() => filterParams({ limit: 0 })).toThrow(/limit: must be a positive integer, got 0/)
    expect(() => filterParams({ limit: 2.5 })).toThrow(RangeError)
  })

  it('refuses empty lists and values containing a comma', () => {
    expect(() => filterParams({ type: [] })).toThrow(/match\[type\]: give at least one value/)
    expect(() => filterParams({ id: 'a,b' })).toThrow(/match\[id\].*no comma/)
  })

  it('refuses an invalid Date', () => {
    expect(() => filterParams({ addedAfter: new Date(Number.NaN) })).toThrow(/addedAfter/)
  })
})
