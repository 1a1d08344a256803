import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError } from '../errors.js'
import type { Collection } from '../store/store.js'
import type { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { FetchLike } from '../taxii/client/index.js'
import { memoryStoreWithCollection } from '../../test/helpers/memory-collection.js'
import { addPeer } from './peer-service.js'
import { formatSyncSummary } from './summary.js'
import { syncAll, syncPeer } from './sync-engine.js'
import type { Peer } from './types.js'

let store: SqliteStore
let collection: Collection
let peer: Peer

/** A fetch that never answers until aborted, counting the requests. */
function hangingFetch(counter: { calls: number }): FetchLike {
  return (_url, init) => {
    counter.calls += 1
    return new Promise((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error))
    })
  }
}

beforeEach(async () => {
  ;({ store, collection } = await memoryStoreWithCollection())
  const org = {
    id: '6a0f0a55-4c1d-4a6e-9d0e-2f1a3b4c5d6e',
    name: 'Org B',
    identityId: 'identity--6a0f0a55-4c1d-4a6e-9d0e-2f1a3b4c5d6e',
    createdAt: '2026-01-01T00:00:00.000Z',
  }
  await store.createOrganisation(org)
  peer = await addPeer(store, {
    name: 'b',
    url: 'http://127.0.0.1:9/api1/',
    auth: { kind: 'none' },
    org: org.id,
    maps: [{ local: collection.alias, remote: 'r' }],
    applyTombstones: false,
  })
})
afterEach(async () => {
  await store.close()
})

describe('syncPeer', () => {
  it('skips a peer whose run lease another process holds, touching nothing', async () => {
    const now = Date.now() * 1000
    expect(await store.peers.acquireLease(peer.id, 'other-process', now, now + 60e6)).toBe(true)
    const counter = { calls: 0 }
    const report = await syncPeer({ store, client: { fetch: hangingFetch(counter) } }, peer)
    expect(report.skipped).toBe(true)
    expect(counter.calls).toBe(0)
    expect(formatSyncSummary(report)).toMatch(/skipped/)
  })

  it('runs a peer once at a time in this process; the second call is skipped', async () => {
    const counter = { calls: 0 }
    const deps = { store, client: { fetch: hangingFetch(counter), timeoutMs: 200, retries: 0 } }
    const [first, second] = await Promise.all([syncPeer(deps, peer), syncPeer(deps, peer)])
    expect(first.skipped).toBe(false)
    expect(first.ok).toBe(false)
    expect(second.skipped).toBe(true)
    // The lease is given back: a later run goes ahead.
    const third = await syncPeer(deps, peer)
    expect(third.skipped).toBe(false)
  })

  it('records a failed run in the cursor and never throws', async () => {
    const failing: FetchLike = () => Promise.reject(new Error('connection refused'))
    const report = await syncPeer({ store, client: { fetch: failing, retries: 0 } }, peer, {
      directions: ['pull'],
    })
    expect(report.ok).toBe(false)
    expect(report.errors.join()).toMatch(/connection refused/)
    const [cursor] = await store.peers.listCursors(peer.id)
    expect(cursor?.lastError).toMatch(/connection refused/)
    expect(cursor?.lastSuccessAt).toBeNull()
    expect(formatSyncSummary(report)).toMatch(/^peer b: pulled 0, pushed 0 - FAILED: /)
  })
})

describe('syncAll', () => {
  it('refuses an unknown peer name (STORE_NOT_FOUND)', async () => {
    const error: unknown = await syncAll({ store }, { peerName: 'nope' }).catch((e: unknown) => e)
    expect(isAppError(error, 'STORE_NOT_FOUND')).toBe(true)
  })

  it('leaves disabled peers out', async () => {
    await store.peers.updatePeer({ ...peer, enabled: false })
    expect(await syncAll({ store })).toEqual([])
  })
})
