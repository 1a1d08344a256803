import { describe, expect, it } from 'vitest'
import { isAppError } from '../../errors.js'
import { parseTaxiiQuery, type EndpointKind } from './query-params.js'

function parse(query: string, endpoint: EndpointKind = 'objects') {
  return parseTaxiiQuery(new URLSearchParams(query), endpoint)
}

function errorOf(query: string, endpoint: EndpointKind = 'objects') {
  try {
    parse(query, endpoint)
  } catch (error) {
    if (isAppError(error)) return error
    throw error
  }
  throw new Error(`expected ${query} to be refused`)
}

describe('parseTaxiiQuery (TAXII 2.1 sections 3.4, 3.4.1)', () => {
  it('parses every filter of Get Objects together', () => {
    const q = parse(
      'added_after=2026-01-02T03:04:05.123456789Z&limit=5&next=abc&match[id]=a--1,b--2&match[type]=indicator&match[version]=first,2016-01-01T01:01:01.1Z,last&match[spec_version]=2.0,2.1',
    )
    expect(q.addedAfter?.micros).toBe(Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + 123456)
    expect(q.limit).toBe(5)
    expect(q.next).toBe('abc')
    expect(q.ids).toEqual(['a--1', 'b--2'])
    expect(q.types).toEqual(['indicator'])
    expect(q.specVersions).toEqual(['2.0', '2.1'])
    expect(q.versions?.match).toEqual({
      kind: 'union',
      parts: [
        { kind: 'first' },
        { kind: 'last' },
        { kind: 'exact', keys: ['2016-01-01T01:01:01.100000000'] },
      ],
    })
  })

  it('keeps a single keyword as itself', () => {
    expect(parse('match[version]=all').versions?.match).toEqual({ kind: 'all' })
    expect(parse('match[version]=2016-01-01T01:01:01Z').versions?.match).toEqual({
      kind: 'exact',
      keys: ['2016-01-01T01:01:01.000000000'],
    })
  })

  it('refuses the same instant written twice (section 3.4.1: no duplicate versions)', () => {
    expect(errorOf('match[version]=2016-01-01T01:01:01Z,2016-01-01T01:01:01.000Z').code).toBe(
      'TAXII_BAD_PARAMETER',
    )
  })

  it('caps huge limits to a safe integer instead of failing', () => {
    expect(parse('limit=99999999999999999999999').limit).toBe(Number.MAX_SAFE_INTEGER)
  })

  it('ignores match fields the specification does not define', () => {
    expect(parse('match[x_foo]=1&match[]=2')).toEqual({})
  })

  it.each<[string, EndpointKind, string]>([
    ['match[type]=indicator', 'object', 'match[type]'],
    ['match[id]=x', 'versions', 'match[id]'],
    ['match[version]=all', 'versions', 'match[version]'],
    ['limit=3', 'delete', 'limit'],
    ['added_after=2026-01-01T00:00:00Z', 'plain', 'added_after'],
    ['next=', 'objects', 'next'],
    ['added_after=2026-01-01T00:00:00+01:00', 'objects', 'added_after'],
    ['added_after=2026-01-01T24:00:00Z', 'objects', 'added_after'],
    ['added_after=2026-01-01T23:59:60Z', 'objects', 'added_after'],
    ['match[type]=a&match[type]=b', 'objects', 'match[type]'],
    ['LIMIT=3', 'objects', 'LIMIT'],
    ['distribution=community', 'objects', 'distribution'],
    ['anonymous=true', 'plain', 'anonymous'],
    ['groups=finance', 'delete', 'groups'],
    ['recipients=Acme', 'manifest', 'recipients'],
    ['distribution=public', 'add-objects', 'distribution'],
    ['distribution=groups', 'add-objects', 'distribution'],
    ['distribution=community&groups=finance', 'add-objects', 'groups'],
    ['anonymous=yes', 'add-objects', 'anonymous'],
    ['recipients=a,,b', 'add-objects', 'recipients'],
    ['limit=3', 'add-objects', 'limit'],
  ])('refuses %s on %s naming %s', (query, endpoint, parameter) => {
    const error = errorOf(query, endpoint)
    expect(error.code).toBe('TAXII_BAD_PARAMETER')
    expect(error.details?.['parameter']).toBe(parameter)
    expect(error.detail).toContain(parameter)
  })
})

describe('parseTaxiiQuery on Add Objects (docs/sharing.md, publishing parameters)', () => {
  it('reads distribution, groups, recipients and anonymous', () => {
    expect(
      parse('groups=finance,g-2,finance&recipients=Acme&anonymous=false', 'add-objects').sharing,
    ).toEqual({
      scope: 'groups',
      groups: ['finance', 'g-2'],
      recipients: ['Acme'],
      anonymous: false,
    })
    expect(parse('distribution=federation&anonymous=true', 'add-objects').sharing).toEqual({
      scope: 'federation',
      anonymous: true,
    })
    expect(parse('', 'add-objects').sharing).toBeUndefined()
  })
})
