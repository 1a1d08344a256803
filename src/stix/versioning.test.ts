import { describe, expect, it } from 'vitest'
import { isAppError } from '../errors.js'
import { compareVersions, latestVersion, newVersion, nextModified, revoke } from './versioning.js'

const indicator = {
  type: 'indicator',
  spec_version: '2.1',
  id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
  created_by_ref: 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff',
  created: '2016-04-06T20:03:48.000Z',
  modified: '2016-04-06T20:03:48.000Z',
  name: 'Poison Ivy Malware',
  pattern:
    "[file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
  pattern_type: 'stix',
  valid_from: '2016-01-01T00:00:00Z',
}

function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

describe('compareVersions on timestamps', () => {
  const at = (modified: string): Record<string, unknown> => ({ modified })
  it('compares modified exactly across sub-second precisions (section 2.16)', () => {
    expect(compareVersions(at('2016-01-20T12:31:12.1Z'), at('2016-01-20T12:31:12.100Z'))).toBe(0)
    expect(compareVersions(at('2016-01-20T12:31:12Z'), at('2016-01-20T12:31:12.000Z'))).toBe(0)
    expect(compareVersions(at('2016-01-20T12:31:12.123Z'), at('2016-01-20T12:31:12.1231Z'))).toBe(
      -1,
    )
    expect(compareVersions(at('2016-01-20T12:31:12.999999999Z'), at('2016-01-20T12:31:13Z'))).toBe(
      -1,
    )
    expect(compareVersions(at('2017-01-01T00:00:00Z'), at('2016-12-31T23:59:59.999Z'))).toBe(1)
  })

  it('sorts a modified that is not a STIX timestamp before any valid one', () => {
    expect(compareVersions(at('2016-01-20T12:31:12+01:00'), at('2016-01-20T12:31:12Z'))).toBe(-1)
  })
})

describe('nextModified', () => {
  it('uses now at millisecond precision when it is later', () => {
    expect(nextModified('2016-04-06T20:03:48.000Z', '2020-01-01T00:00:00.123456Z')).toBe(
      '2020-01-01T00:00:00.123Z',
    )
    expect(nextModified('2016-04-06T20:03:48.000Z', '2020-01-01T00:00:00Z')).toBe(
      '2020-01-01T00:00:00.000Z',
    )
  })

  it('moves one millisecond past the previous modified when now is not later', () => {
    expect(nextModified('2016-04-06T20:03:48.000Z', '2016-04-06T20:03:48.000Z')).toBe(
      '2016-04-06T20:03:48.001Z',
    )
    expect(nextModified('2016-04-06T20:03:48.999Z', '2010-01-01T00:00:00Z')).toBe(
      '2016-04-06T20:03:49.000Z',
    )
    // Cutting now to milliseconds would fall before the previous value.
    expect(nextModified('2016-04-06T20:03:48.1235Z', '2016-04-06T20:03:48.1237Z')).toBe(
      '2016-04-06T20:03:48.124Z',
    )
  })
})

describe('newVersion', () => {
  it('keeps id, created and created_by_ref, applies the changes and sets modified (section 3.6)', () => {
    const next = newVersion(
      indicator,
      { name: 'Poison Ivy', description: 'added' },
      '2017-01-01T00:00:00.000Z',
    )
    expect(next).toEqual({
      ...indicator,
      name: 'Poison Ivy',
      description: 'added',
      modified: '2017-01-01T00:00:00.000Z',
    })
    expect(Object.keys(next).slice(0, 6)).toEqual(Object.keys(indicator).slice(0, 6))
    expect(indicator.name).toBe('Poison Ivy Malware')
  })

  it('removes a property whose change is undefined', () => {
    const next = newVersion(indicator, { name: undefined }, '2017-01-01T00:00:00.000Z')
    expect('name' in next).toBe(false)
  })

  it('gives a version later than the previous one even when the clock is behind', () => {
    const next = newVersion(indicator, {}, '2000-01-01T00:00:00.000Z')
    expect(next['modified']).toBe('2016-04-06T20:03:48.001Z')
    expect(compareVersions(next, indicator)).toBeGreaterThan(0)
  })

  it.each(['id', 'type', 'created', 'created_by_ref', 'modified'])(
    'refuses to change %s',
    (name) => {
      const error = caught(() => newVersion(indicator, { [name]: 'x' }, '2017-01-01T00:00:00.000Z'))
      expect(isAppError(error, 'STIX_INVALID_OBJECT')).toBe(true)
      expect((error as Error).message).toContain(`indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f`)
      expect((error as Error).message).toContain(name)
    },
  )

  it('refuses a new version of a revoked object (section 3.6: revocation is permanent)', () => {
    const revoked = revoke(indicator, '2017-01-01T00:00:00.000Z')
    const error = caught(() => newVersion(revoked, { name: 'again' }, '2018-01-01T00:00:00.000Z'))
    expect(isAppError(error, 'STIX_INVALID_OBJECT')).toBe(true)
    expect((error as Error).message).toContain('revoked')
  })

  it('refuses an object without versioning properties, such as an SCO (section 3.6)', () => {
    const error = caught(() =>
      newVersion(
        {
          type: 'ipv4-addr',
          id: 'ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4',
          value: '198.51.100.3',
        },
        {},
        '2017-01-01T00:00:00Z',
      ),
    )
    expect(isAppError(error, 'STIX_INVALID_OBJECT')).toBe(true)
    expect((error as Error).message).toContain('created')
  })

  it('rejects a now that is not a STIX timestamp', () => {
    expect(() => newVersion(indicator, {}, 'yesterday')).toThrow(RangeError)
  })
})

describe('revoke', () => {
  it('sets revoked and a later modified', () => {
    const revoked = revoke(indicator, '2017-01-01T00:00:00.000Z')
    expect(revoked['revoked']).toBe(true)
    expect(revoked['modified']).toBe('2017-01-01T00:00:00.000Z')
    expect(revoked['id']).toBe(indicator.id)
  })
})

describe('compareVersions and latestVersion', () => {
  const v1 = indicator
  const v2 = { ...indicator, modified: '2016-05-01T00:00:00.0Z' }
  const v3 = { ...indicator, modified: '2016-05-01T00:00:00.0001Z' }

  it('orders by modified, then created', () => {
    expect(compareVersions(v1, v2)).toBeLessThan(0)
    expect(compareVersions(v3, v2)).toBeGreaterThan(0)
    expect(compareVersions(v2, { ...v2, modified: '2016-05-01T00:00:00.000Z' })).toBe(0)
    expect(
      compareVersions(
        { ...v2, created: '2016-01-01T00:00:00Z' },
        { ...v2, created: '2016-02-01T00:00:00Z' },
      ),
    ).toBeLessThan(0)
    expect(compareVersions({ type: 'ipv4-addr' }, v1)).toBeLessThan(0)
  })

  it('finds the latest version, the first of equals, and nothing in an empty list', () => {
    expect(latestVersion([v2, v3, v1])).toBe(v3)
    const twin = { ...v3 }
    expect(latestVersion([v3, twin])).toBe(v3)
    expect(latestVersion([])).toBeUndefined()
  })
})
