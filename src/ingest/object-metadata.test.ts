import { describe, expect, it } from 'vitest'
import type { Collection } from '../store/store.js'
import { objectMetadata, objectVersion } from './object-metadata.js'

const collection: Collection = {
  id: 'c1',
  apiRootId: 'r1',
  alias: 'c',
  title: 'c',
  description: null,
  mediaTypes: [],
  defaultDistribution: { scope: 'groups', groups: ['g1'], recipients: ['o9'] },
  public: false,
  createdAt: '2026-01-01T00:00:00Z',
}

describe('objectVersion (TAXII 2.1 sections 3.4.1, 4.3.1)', () => {
  it('uses modified, else created, else the empty string', () => {
    expect(objectVersion({ modified: 'm', created: 'c' })).toBe('m')
    expect(objectVersion({ created: 'c' })).toBe('c')
    expect(objectVersion({ value: 'x' })).toBe('')
  })
})

describe('objectMetadata', () => {
  it('keeps the raw JSON and records publisher, markings, TLP and a copy of the distribution', () => {
    const object = {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--1',
      created: '2026-01-01T00:00:00Z',
      modified: '2026-01-02T00:00:00.5Z',
      revoked: true,
      object_marking_refs: ['marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'],
    }
    const raw = ` ${JSON.stringify(object)} `
    const row = objectMetadata(object, raw, collection, { orgId: 'o1', actor: 'user:u1' })
    expect(row).toEqual({
      collectionId: 'c1',
      id: 'indicator--1',
      type: 'indicator',
      specVersion: '2.1',
      version: '2026-01-02T00:00:00.5Z',
      versionKey: '2026-01-02T00:00:00.500000000',
      json: raw,
      publisherOrgId: 'o1',
      publisherActor: 'user:u1',
      markingRefs: ['marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'],
      tlp: 'red',
      distribution: { scope: 'groups', groups: ['g1'], recipients: ['o9'] },
      anonymous: false,
      originPeer: null,
      revoked: true,
    })
    expect(row.distribution.groups).not.toBe(collection.defaultDistribution.groups)
  })

  it('defaults spec_version to 2.1 for SCOs that omit it, with an empty version', () => {
    const row = objectMetadata(
      { type: 'ipv4-addr', id: 'ipv4-addr--1', value: '192.0.2.1' },
      '{}',
      collection,
      {
        orgId: null,
        actor: null,
      },
    )
    expect(row).toMatchObject({
      specVersion: '2.1',
      version: '',
      versionKey: '',
      tlp: null,
      markingRefs: [],
    })
  })
})
