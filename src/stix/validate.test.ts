import { describe, expect, it } from 'vitest'
import {
  makeIdentity,
  makeIndicator,
  makeIpv4Addr,
  makeMalware,
} from '../../test/fixtures/stix/builders.js'
import { findings } from '../../test/fixtures/stix/findings.js'
import { createObjectValidator, isValidStix, validateBundle, validateObjects } from './index.js'

const bundle = (o: Record<string, unknown>): Record<string, unknown> => ({
  type: 'bundle',
  id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
  objects: [makeIdentity(), makeIndicator()],
  ...o,
})

describe('validateBundle (8)', () => {
  it('accepts a bundle without spec_version', () => {
    const r = validateBundle(bundle({}))
    expect(findings(r)).toEqual([])
    expect(r).toMatchObject({ ok: true, objectCount: 2, invalidCount: 0 })
  })

  it('accepts a bundle without objects', () => {
    expect(validateBundle(bundle({ objects: undefined })).ok).toBe(true)
  })

  it('reports the envelope rules', () => {
    expect(findings(validateBundle(bundle({ type: 'Bundle' })))).toEqual([
      'error bundle-type $.type',
    ])
    expect(findings(validateBundle(bundle({ id: 'bundle--1' })))).toEqual([
      'error identifier-format $.id',
    ])
    expect(
      findings(validateBundle(bundle({ id: 'report--5d0092c5-5f74-4287-9642-33f4c354e56d' }))),
    ).toEqual(['error identifier-type $.id'])
    expect(findings(validateBundle(bundle({ id: undefined })))).toEqual([
      'error required-property $.id',
    ])
    expect(findings(validateBundle(bundle({ objects: [] })))).toEqual([
      'error empty-list $.objects',
    ])
    expect(findings(validateBundle(bundle({ objects: {} })))).toEqual([
      'error property-type $.objects',
    ])
    expect(findings(validateBundle('bundle'))).toEqual(['error not-an-object $'])
  })

  it('warns about spec_version on the bundle (a STIX 2.0 property)', () => {
    const r = validateBundle(bundle({ spec_version: '2.1' }))
    expect(findings(r)).toEqual(['warning bundle-spec-version $.spec_version'])
    expect(r.ok).toBe(true)
  })

  it('gives object findings their index and object id', () => {
    const r = validateBundle(
      bundle({ objects: [makeIdentity(), makeMalware({ is_family: 'yes' })] }),
    )
    expect(r).toMatchObject({ ok: false, objectCount: 2, invalidCount: 1 })
    expect(r.issues).toEqual([
      expect.objectContaining({
        index: 1,
        objectId: 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b',
        code: 'property-type',
        path: ['is_family'],
      }),
    ])
  })

  it('reports a bundle nested in a bundle', () => {
    expect(findings(validateBundle(bundle({ objects: [bundle({})] })))).toEqual([
      'error nested-bundle $.type',
    ])
  })
})

describe('validateObjects', () => {
  it('accepts any iterable and counts objects', () => {
    function* gen(): Generator<unknown> {
      yield makeIdentity()
      yield makeIpv4Addr()
      yield 'not an object'
    }
    const r = validateObjects(gen())
    expect(r).toMatchObject({ ok: false, objectCount: 3, invalidCount: 1 })
    expect(r.issues[0]).toMatchObject({ index: 2, code: 'not-an-object' })
  })

  it('reports a UUID reused for another type (2.9)', () => {
    const r = validateObjects([
      makeIdentity(),
      makeMalware({ id: 'malware--f431f809-377b-45e0-aa1c-6a4751cae5ff' }),
    ])
    expect(findings(r)).toEqual(['error uuid-reused $.id'])
    expect(r.issues[0]?.index).toBe(1)
  })

  it('accepts several versions of one object', () => {
    const v1 = makeIdentity()
    const v2 = makeIdentity({ modified: '2017-01-01T00:00:00.000Z' })
    expect(findings(validateObjects([v1, v2, { ...v1 }]))).toEqual([])
  })

  it('does not confuse objects whose UUIDs hash alike', () => {
    const many = Array.from({ length: 5000 }, (_, i) =>
      makeIdentity({
        id: `identity--${i.toString(16).padStart(8, '0')}-377b-45e0-aa1c-6a4751cae5ff`,
      }),
    )
    expect(findings(validateObjects(many))).toEqual([])
    const reused = makeMalware({ id: 'malware--00000007-377b-45e0-aa1c-6a4751cae5ff' })
    const r = validateObjects([...many, ...many.slice(0, 10), reused])
    expect(findings(r)).toEqual(['error uuid-reused $.id'])
    expect(r.issues[0]?.index).toBe(5010)
  })

  it('applies strict to every object', () => {
    const r = validateObjects([makeIdentity({ acme: 1 })], { strict: true })
    expect(findings(r)).toEqual(['error custom-property-prefix $.acme'])
    expect(r.ok).toBe(false)
  })
})

describe('createObjectValidator', () => {
  it('keeps cross-object state between calls', () => {
    const check = createObjectValidator()
    expect(check(makeIdentity(), 0)).toEqual([])
    expect(
      check(makeMalware({ id: 'malware--f431f809-377b-45e0-aa1c-6a4751cae5ff' }), 1).map(
        (i) => i.code,
      ),
    ).toEqual(['uuid-reused'])
  })
})

describe('isValidStix', () => {
  it('narrows valid objects', () => {
    expect(isValidStix(makeIndicator())).toBe(true)
    expect(isValidStix(makeIndicator({ pattern: undefined }))).toBe(false)
  })
})
