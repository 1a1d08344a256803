import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { objectMetadata } from '../ingest/object-metadata.js'
import type { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Collection } from '../store/store.js'
import { versionKeyOf } from '../store/timestamps.js'
import { memoryStoreWithCollection } from '../../test/helpers/memory-collection.js'
import { deleteWithTombstone, tombstoneResource } from './tombstones.js'

const ID = 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'
const V1 = '2026-01-01T00:00:00.000Z'
const V2 = '2026-02-01T00:00:00.000Z'
const NOW = 1_767_225_600_000_000

let store: SqliteStore
let collection: Collection

beforeEach(async () => {
  ;({ store, collection } = await memoryStoreWithCollection())
  const rows = [V1, V2].map((modified) => {
    const object = { type: 'indicator', id: ID, created: V1, modified }
    return objectMetadata(object, JSON.stringify(object), collection, { orgId: null, actor: null })
  })
  await store.addObjects(rows, NOW)
})
afterEach(async () => {
  await store.close()
})

describe('deleteWithTombstone', () => {
  it('records the versions removed when some remain (TAXII 2.1 section 5.7, match[version])', async () => {
    const deleted = await deleteWithTombstone(store, collection.id, ID, {
      kind: 'exact',
      keys: [versionKeyOf(V1)],
    })
    expect(deleted).toBe(1)
    const [tombstone] = await store.peers.listTombstones(0, 10)
    expect(tombstone).toMatchObject({
      collectionId: collection.id,
      objectId: ID,
      versions: [V1],
      originPeer: null,
    })
    expect(tombstone && tombstoneResource(tombstone)).toMatchObject({ versions: [V1] })
  })

  it('records the whole object (versions null) when no version is left, with the deleting peer', async () => {
    expect(
      await deleteWithTombstone(store, collection.id, ID, undefined, undefined, 'peer-1', NOW),
    ).toBe(2)
    const [tombstone] = await store.peers.listTombstones(0, 10)
    expect(tombstone).toMatchObject({
      versions: null,
      originPeer: 'peer-1',
      deletedAt: '2026-01-01T00:00:00.000000Z',
    })
    expect(tombstone && tombstoneResource(tombstone)).not.toHaveProperty('versions')
  })

  it('records nothing when nothing was deleted', async () => {
    expect(
      await deleteWithTombstone(store, collection.id, ID, { kind: 'exact', keys: ['nope'] }),
    ).toBe(0)
    expect(await store.peers.listTombstones(0, 10)).toEqual([])
  })
})
