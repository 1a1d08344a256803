import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { objectMetadata } from '../ingest/object-metadata.js'
import { memoryStoreWithCollection } from '../../test/helpers/memory-collection.js'
import type { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Collection, VisibilityFilter } from '../store/store.js'
import { objectExists, readObjectJsonPage, readObjectPage } from './read-objects.js'

describe('readObjectPage / objectExists', () => {
  let store: SqliteStore
  let collection: Collection
  const ids = [randomUUID(), randomUUID(), randomUUID()].map((u) => `ipv4-addr--${u}`)

  beforeEach(async () => {
    ;({ store, collection } = await memoryStoreWithCollection())
    const rows = ids.map((id) => {
      const object = { type: 'ipv4-addr', spec_version: '2.1', id, value: '192.0.2.1' }
      return objectMetadata(object, JSON.stringify(object), collection, {
        orgId: null,
        actor: null,
      })
    })
    await store.addObjects(rows, 1_000_000)
  })

  afterEach(async () => {
    await store.close()
  })

  it('returns a page with the date_added range and the keyset position of its last item', async () => {
    const first = await readObjectPage(store, collection.id, {}, { limit: 2 })
    expect(first.items.map((i) => i.id)).toEqual(ids.slice(0, 2))
    expect(first.more).toBe(true)
    expect(first.firstDateAdded).toBe('1970-01-01T00:00:01.000000Z')
    expect(first.lastDateAdded).toBe(first.items[1]?.dateAdded)
    expect(first.lastMicros).toBe(first.items[1]?.dateAddedMicros)
    const rest = await readObjectPage(
      store,
      collection.id,
      {},
      { limit: 2, afterMicros: first.lastMicros ?? 0 },
    )
    expect(rest.items.map((i) => i.id)).toEqual(ids.slice(2))
    expect(rest.more).toBe(false)
  })

  it('leaves the range out of an empty page', async () => {
    const page = await readObjectPage(store, collection.id, { types: ['malware'] }, { limit: 5 })
    expect(page).toEqual({ items: [], more: false })
  })

  it('applies added_after as an exclusive bound', async () => {
    const page = await readObjectPage(
      store,
      collection.id,
      { addedAfterMicros: 1_000_000 },
      { limit: 5 },
    )
    expect(page.items.map((i) => i.id)).toEqual(ids.slice(1))
  })

  it('reads the same page as JSON only: the same objects, range, position and more', async () => {
    const cases = [
      { filter: {}, page: { limit: 2 } },
      { filter: {}, page: { limit: 2, afterMicros: 1_000_001 } },
      { filter: { addedAfterMicros: 1_000_000 }, page: { limit: 5 } },
      { filter: { types: ['malware'] }, page: { limit: 5 } },
      { filter: { ids: [ids[1] ?? ''] }, page: { limit: 5 } },
    ]
    for (const { filter, page } of cases) {
      const full = await readObjectPage(store, collection.id, filter, page)
      const lean = await readObjectJsonPage(store, collection.id, filter, page)
      const { items, ...bounds } = full
      expect(lean).toEqual({
        json: items.map((i) => i.json),
        masked: items.map(() => false),
        ids: items.map((i) => i.id),
        tlp: items.map((i) => i.tlp),
        ...bounds,
      })
    }
    const first = await readObjectJsonPage(store, collection.id, {}, { limit: 2 })
    expect(first.firstDateAdded).toBe('1970-01-01T00:00:01.000000Z')
    expect(first.json.map((j) => (JSON.parse(j) as { id: string }).id)).toEqual(ids.slice(0, 2))
  })

  it('tells whether a collection holds an object', async () => {
    expect(await objectExists(store, collection.id, ids[0] ?? '')).toBe(true)
    expect(await objectExists(store, collection.id, 'ipv4-addr--nope')).toBe(false)
  })

  it('reads only what the visibility filter lets the viewer see (issue 5, The rule)', async () => {
    const secret = `indicator--${randomUUID()}`
    const object = {
      type: 'indicator',
      spec_version: '2.1',
      id: secret,
      created: '2026-01-01T00:00:00.000Z',
      modified: '2026-01-01T00:00:00.000Z',
      pattern: "[ipv4-addr:value = '192.0.2.1']",
      pattern_type: 'stix',
      valid_from: '2026-01-01T00:00:00Z',
    }
    const row = objectMetadata(object, JSON.stringify(object), collection, {
      orgId: 'org-a',
      actor: null,
    })
    await store.addObjects(
      [{ ...row, distribution: { scope: 'organisation', groups: [], recipients: [] } }],
      2_000_000,
    )
    const viewer = (orgId: string): VisibilityFilter => ({
      kind: 'user',
      orgId,
      isNodeAdmin: false,
      onNode: true,
      groupIds: [],
      defaultTlp: 'amber',
    })
    const outsider = await readObjectJsonPage(
      store,
      collection.id,
      { visibility: viewer('org-b') },
      { limit: 10 },
    )
    expect(outsider.json.some((j) => j.includes(secret))).toBe(false)
    expect(outsider.json).toHaveLength(ids.length)
    const own = await readObjectPage(
      store,
      collection.id,
      { visibility: viewer('org-a') },
      { limit: 10 },
    )
    expect(own.items.map((i) => i.id)).toEqual([...ids, secret])
    expect(await objectExists(store, collection.id, secret, viewer('org-b'))).toBe(false)
    expect(await objectExists(store, collection.id, secret, viewer('org-a'))).toBe(true)
    expect(await objectExists(store, collection.id, secret)).toBe(true)
  })
})
