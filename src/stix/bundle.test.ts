import { describe, expect, it } from 'vitest'
import { isAppError } from '../errors.js'
import {
  bundleObjects,
  findAllById,
  findById,
  groupVersions,
  latestVersions,
  makeBundle,
} from './bundle.js'

const id1 = 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b'
const id2 = 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'
const v = (
  id: string,
  modified: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  type: id.split('--')[0],
  id,
  created: '2016-04-06T20:03:48.000Z',
  modified,
  ...extra,
})
const m1 = v(id1, '2016-04-06T20:03:48.000Z')
const m2 = v(id1, '2017-01-01T00:00:00.000Z')
const i1 = v(id2, '2016-04-06T20:03:48.000Z')

describe('makeBundle', () => {
  it('wraps objects with the given id (section 8.1)', () => {
    expect(makeBundle([m1, i1], 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d')).toEqual({
      type: 'bundle',
      id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
      objects: [m1, i1],
    })
  })

  it('takes the UUID from a generator, or a random UUIDv4 by default', () => {
    expect(makeBundle([m1], () => '0e5a4e5c-7c0f-4c2a-9b8f-2a3e1c6a7b10').id).toBe(
      'bundle--0e5a4e5c-7c0f-4c2a-9b8f-2a3e1c6a7b10',
    )
    const a = makeBundle([m1]).id
    const b = makeBundle([m1]).id
    expect(a).toMatch(
      /^bundle--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    expect(a).not.toBe(b)
  })

  it('omits objects when there are none (a list of one or more, section 8.1)', () => {
    expect(makeBundle([], 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d')).toEqual({
      type: 'bundle',
      id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
    })
  })

  it('rejects an id that is not bundle--<uuid>', () => {
    expect(() => makeBundle([], 'report--5d0092c5-5f74-4287-9642-33f4c354e56d')).toThrow(RangeError)
    expect(() => makeBundle([], () => 'not-a-uuid')).toThrow(/bundle id/)
  })
})

describe('bundleObjects', () => {
  it('returns the objects, or an empty list when objects is absent', () => {
    expect(bundleObjects({ type: 'bundle', id: 'bundle--x', objects: [m1] })).toEqual([m1])
    expect(bundleObjects({ type: 'bundle', id: 'bundle--x' })).toEqual([])
  })

  it.each([
    [[m1], 'type "bundle"'],
    [{ type: 'report' }, 'type "bundle"'],
    [{ type: 'bundle', objects: {} }, 'not a list'],
    [{ type: 'bundle', objects: [m1, 'x'] }, 'objects[1]'],
  ])('rejects %j', (input, message) => {
    try {
      bundleObjects(input)
      expect.unreachable()
    } catch (error) {
      expect(isAppError(error, 'STIX_UNUSABLE_INPUT')).toBe(true)
      expect((error as Error).message).toContain(message)
    }
  })
})

describe('findById and findAllById', () => {
  it('finds every version, and the latest by modified (section 3.6)', () => {
    expect(findAllById([m2, i1, m1], id1)).toEqual([m2, m1])
    expect(findById([m1, i1, m2], id1)).toBe(m2)
    expect(findById([m2, i1, m1], id1)).toBe(m2)
    expect(findById([m1], id2)).toBeUndefined()
  })
})

describe('groupVersions and latestVersions', () => {
  it('groups by id in order of first appearance, versions oldest first', () => {
    const groups = groupVersions([m2, i1, m1, { type: 'x' }])
    expect([...groups.keys()]).toEqual([id1, id2])
    expect(groups.get(id1)).toEqual([m1, m2])
    expect(latestVersions([m2, i1, m1])).toEqual([m2, i1])
  })

  it('keeps equal versions in input order', () => {
    const a = v(id1, '2017-01-01T00:00:00.000Z', { name: 'a' })
    const b = v(id1, '2017-01-01T00:00:00Z', { name: 'b' })
    expect(groupVersions([a, b]).get(id1)).toEqual([a, b])
    expect(latestVersions([a, b])).toEqual([a])
  })
})
