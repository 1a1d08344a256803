/**
 * Tombstones between peers (issue 6, "Retraction travels"), for peers whose `applyTombstones`
 * is on. Push: each tombstone of a mapped local collection that did not come from the peer is
 * applied there with TAXII DELETE (section 5.7; 404 means the peer had nothing to delete),
 * and what became of it is recorded for `peer status`. Pull: the peer's tombstones are read
 * from its admin API (`GET /api/v1/tombstones?after=<seq>`) and applied here to the versions
 * that came from that peer, recorded as tombstones of this node so they travel on.
 * @internal
 */
import { TaxiiHttpError } from '../taxii/client/index.js'
import type { Tombstone } from '../store/peer-store.js'
import { microsToTimestamp, versionKeyOf } from '../store/timestamps.js'
import { deleteWithTombstone } from './tombstones.js'
import { errorMessage, loadCursor, type RunContext } from './run-context.js'

const PAGE = 500
const ALL = '*'

/** Applies new local tombstones at the peer. Returns the figures; records errors in the report. */
export async function pushTombstones(run: RunContext): Promise<void> {
  const { store, peer } = run
  const cursor = await loadCursor(store, peer.id, ALL, ALL, 'tombstone-push')
  cursor.lastRunAt = run.report.startedAt
  const baseMoved = cursor.movedTotal
  let moved = 0
  const remoteOf = new Map(peer.maps.map((m) => [m.localCollectionId, m.remoteCollectionId]))
  try {
    let after = cursor.position === null ? 0 : Number(cursor.position)
    for (;;) {
      run.checkStop()
      const tombstones = await store.peers.listTombstones(after, PAGE)
      for (const tombstone of tombstones) {
        const remote = remoteOf.get(tombstone.collectionId)
        if (remote !== undefined && tombstone.originPeer !== peer.id) {
          const outcome = await applyAtPeer(run, tombstone, remote)
          await store.peers.recordTombstoneApplication({
            peerId: peer.id,
            seq: tombstone.seq,
            outcome: outcome.outcome,
            message: outcome.message,
            at: microsToTimestamp(run.clock()),
          })
          if (outcome.outcome === 'failed') run.report.tombstones.failed += 1
          else {
            run.report.tombstones.pushed += 1
            moved += 1
          }
        }
        after = tombstone.seq
        cursor.position = String(after)
      }
      cursor.movedTotal = baseMoved + moved
      cursor.movedLastRun = moved
      await store.peers.saveCursor(cursor)
      run.options.onProgress?.({
        kind: 'tombstones',
        peer: peer.name,
        direction: 'push',
        handled: moved,
      })
      if (tombstones.length < PAGE) break
    }
    cursor.lastError = null
    cursor.lastSuccessAt = microsToTimestamp(run.clock())
    cursor.lagMicros = 0
  } catch (error) {
    cursor.lastError = `tombstones to ${peer.name}: ${errorMessage(error)}`
    run.report.errors.push(cursor.lastError)
    run.log(`peer ${peer.name}: ${cursor.lastError}`)
  }
  cursor.movedTotal = baseMoved + moved
  cursor.movedLastRun = moved
  await store.peers.saveCursor(cursor)
}

/**
 * DELETE at the peer. A 404 is `absent`; another 4xx is `failed` (recorded, not retried:
 * it would fail again); network errors and 5xx, after the client's retries, end the run so
 * the cursor stays and the tombstone is tried again next time.
 */
async function applyAtPeer(
  run: RunContext,
  tombstone: Tombstone,
  remoteCollectionId: string,
): Promise<{ outcome: 'applied' | 'absent' | 'failed'; message: string | null }> {
  const versions = tombstone.versions?.filter((v) => v !== '') ?? null
  try {
    await run.client.deleteObject(
      run.root,
      remoteCollectionId,
      tombstone.objectId,
      versions !== null && versions.length > 0 ? { version: versions } : {},
      run.options.signal ? { signal: run.options.signal } : {},
    )
    return { outcome: 'applied', message: null }
  } catch (error) {
    if (error instanceof TaxiiHttpError && error.status === 404) {
      return { outcome: 'absent', message: 'the peer holds no such object (or none it may see)' }
    }
    if (error instanceof TaxiiHttpError && error.status < 500 && error.status !== 429) {
      return { outcome: 'failed', message: errorMessage(error) }
    }
    throw error
  }
}

/** A tombstone as the admin API sends it, checked. */
interface RemoteTombstone {
  seq: number
  collectionId: string
  objectId: string
  versions: string[] | null
}

function readTombstones(body: unknown): { items: RemoteTombstone[]; more: boolean } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Error('the tombstones answer is not a JSON object')
  }
  const record = body as Record<string, unknown>
  const list = record['tombstones'] ?? []
  if (!Array.isArray(list)) throw new Error('"tombstones" is not a list')
  const items = list.map((entry, index): RemoteTombstone => {
    const t = (entry ?? {}) as Record<string, unknown>
    const seq = t['seq']
    const collectionId = t['collection_id']
    const objectId = t['object_id']
    const versions = t['versions']
    if (
      typeof seq !== 'number' ||
      !Number.isSafeInteger(seq) ||
      typeof collectionId !== 'string' ||
      typeof objectId !== 'string' ||
      !/^[a-z0-9][a-z0-9-]*--[0-9a-fA-F-]{36}$/.test(objectId) ||
      (versions !== undefined &&
        (!Array.isArray(versions) || versions.some((v) => typeof v !== 'string')))
    ) {
      throw new Error(`tombstones[${index}] is not a tombstone (seq, collection_id, object_id)`)
    }
    return {
      seq,
      collectionId,
      objectId,
      versions: versions === undefined ? null : (versions as string[]),
    }
  })
  return { items, more: record['more'] === true }
}

/** The admin API URL of the peer's tombstones: `/api/v1/tombstones` on the peer's server. */
export function tombstonesUrl(peerUrl: string, after: number): string {
  const url = new URL('/api/v1/tombstones', peerUrl)
  url.searchParams.set('after', String(after))
  url.searchParams.set('limit', String(PAGE))
  return url.href
}

/** Learns the peer's tombstones and applies them here. */
export async function pullTombstones(run: RunContext, fetchJson: FetchJson): Promise<void> {
  const { store, peer } = run
  const cursor = await loadCursor(store, peer.id, ALL, ALL, 'tombstone-pull')
  cursor.lastRunAt = run.report.startedAt
  const baseMoved = cursor.movedTotal
  let moved = 0
  const localOf = new Map(peer.maps.map((m) => [m.remoteCollectionId, m.localCollectionId]))
  try {
    let after = cursor.position === null ? 0 : Number(cursor.position)
    for (;;) {
      run.checkStop()
      const page = readTombstones(await fetchJson(tombstonesUrl(peer.url, after)))
      for (const tombstone of page.items) {
        if (tombstone.seq <= after) continue
        const local = localOf.get(tombstone.collectionId)
        if (local !== undefined) {
          const deleted = await applyHere(run, tombstone, local)
          if (deleted > 0) {
            moved += 1
            run.report.tombstones.pulled += 1
          }
        }
        after = tombstone.seq
        cursor.position = String(after)
      }
      cursor.movedTotal = baseMoved + moved
      cursor.movedLastRun = moved
      await store.peers.saveCursor(cursor)
      run.options.onProgress?.({
        kind: 'tombstones',
        peer: peer.name,
        direction: 'pull',
        handled: moved,
      })
      if (!page.more || page.items.length === 0) break
    }
    cursor.lastError = null
    cursor.lastSuccessAt = microsToTimestamp(run.clock())
    cursor.lagMicros = 0
  } catch (error) {
    if (error instanceof NotOffered) {
      // Not an intelmesh node (or one without the admin API): deletions there do not travel
      // by pull. Not a failure of the run; said in the log.
      cursor.lastError = null
      cursor.lagMicros = null
      run.log(
        `peer ${peer.name}: offers no tombstones (${error.message}); deletions there are not pulled`,
      )
    } else {
      cursor.lastError = `tombstones from ${peer.name}: ${errorMessage(error)}`
      run.report.errors.push(cursor.lastError)
      run.log(`peer ${peer.name}: ${cursor.lastError}`)
    }
  }
  cursor.movedTotal = baseMoved + moved
  cursor.movedLastRun = moved
  await store.peers.saveCursor(cursor)
}

/** Deletes, among the versions that came from the peer, those the tombstone names. */
async function applyHere(
  run: RunContext,
  tombstone: RemoteTombstone,
  localCollectionId: string,
): Promise<number> {
  const versions = await run.store.getObjectVersions(localCollectionId, tombstone.objectId)
  const named = tombstone.versions === null ? null : new Set(tombstone.versions.map(versionKeyOf))
  const keys = versions
    .filter((v) => v.originPeer === run.peer.id && (named === null || named.has(v.versionKey)))
    .map((v) => v.versionKey)
  if (keys.length === 0) return 0
  const deleted = await deleteWithTombstone(
    run.store,
    localCollectionId,
    tombstone.objectId,
    { kind: 'exact', keys },
    undefined,
    run.peer.id,
    run.clock(),
  )
  if (deleted > 0) {
    await run.audit?.append({
      actor: { kind: 'peer', id: run.peer.id },
      action: 'delete',
      objectIds: [tombstone.objectId],
      collectionId: localCollectionId,
      outcome: 'success',
      details: { tombstone: tombstone.seq, versions: deleted, via: 'sync' },
    })
  }
  return deleted
}

/**
 * GETs a JSON document from the peer with its credentials (retried like TAXII requests).
 * Throws {@link NotOffered} when the peer has no such endpoint (404, 405, 406).
 */
export type FetchJson = (url: string) => Promise<unknown>

/** The peer answered that it has no tombstones endpoint. @internal */
export class NotOffered extends Error {}
