import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { memoryStoreWithCollection } from '../../test/helpers/memory-collection.js'
import type { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Collection, NewObjectVersion } from '../store/store.js'
import { objectMetadata } from './object-metadata.js'
import { versionsOfOwnObjects } from './peer-versions.js'

const OWN = 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'
const THEIRS = 'indicator--0b6a3f1e-5b7c-4d2a-9e8f-1a2b3c4d5e6f'
const NEW_ID = 'indicator--5f1e2d3c-4b5a-4697-8887-766554433221'
const V1 = '2026-01-01T00:00:00.000Z'
const V2 = '2026-02-01T00:00:00.000Z'
const NOW = 1_767_225_600_000_000

let store: SqliteStore
let collection: Collection

function row(id: string, modified: string, originPeer: string | null): NewObjectVersion {
  const object = { type: 'indicator', id, created: V1, modified }
  return {
    ...objectMetadata(object, JSON.stringify(object), collection, { orgId: null, actor: null }),
    originPeer,
  }
}

beforeEach(async () => {
  ;({ store, collection } = await memoryStoreWithCollection())
  await store.addObjects([row(OWN, V1, null), row(THEIRS, V1, 'peer-1')], NOW)
})
afterEach(async () => {
  await store.close()
})

describe('versionsOfOwnObjects (STIX 2.1 section 3.6)', () => {
  it('returns only new versions of objects published on this node', async () => {
    const sent = [
      row(OWN, V1, 'peer-1'),
      row(OWN, V2, 'peer-1'),
      row(THEIRS, V2, 'peer-1'),
      row(NEW_ID, V1, 'peer-1'),
    ]
    expect(await versionsOfOwnObjects(store, collection.id, sent)).toEqual([sent[1]])
  })

  it('looks only in the given collection, and returns nothing for no rows', async () => {
    expect(await versionsOfOwnObjects(store, 'another-collection', [row(OWN, V2, 'p')])).toEqual([])
    expect(await versionsOfOwnObjects(store, collection.id, [])).toEqual([])
  })
})
