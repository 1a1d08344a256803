/**
 * A fresh in-memory SQLite store holding one API root and one collection, for unit tests of
 * the services above the store.
 */
import { randomUUID } from 'node:crypto'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { Collection } from '../../src/store/store.js'

export async function memoryStoreWithCollection(): Promise<{
  store: SqliteStore
  collection: Collection
}> {
  const store = SqliteStore.open(':memory:')
  await store.migrate()
  const rootId = randomUUID()
  const createdAt = '2026-01-01T00:00:00.000Z'
  await store.createApiRoot({
    id: rootId,
    path: 'r',
    title: 'r',
    description: null,
    maxContentLength: 10,
    createdAt,
  })
  const collection: Collection = {
    id: randomUUID(),
    apiRootId: rootId,
    alias: 'c',
    title: 'c',
    description: null,
    mediaTypes: [],
    defaultDistribution: { scope: 'community', groups: [], recipients: [] },
    public: false,
    createdAt,
  }
  await store.createCollection(collection)
  return { store, collection }
}
