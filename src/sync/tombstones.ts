/**
 * Tombstones (issue 6, "Retraction travels"): a deletion through TAXII at this node is recorded
 * with the versions it removed, so that push can apply it at peers and peers can learn it by pull
 * (`GET /api/v1/tombstones?after=<seq>`).
 */
import type { Tombstone } from '../store/peer-store.js'
import type { Store, VersionMatch } from '../store/store.js'
import { microsToTimestamp, nowMicros } from '../store/timestamps.js'

/**
 * Deletes versions of an object like `store.deleteObjects` (same arguments) and records a
 * tombstone naming the versions removed (null when no version of the object is left in the
 * collection), so the deletion can travel to peers. `originPeer`: the peer whose request
 * deleted them, never sent the tombstone back. Returns how many versions were deleted; no
 * tombstone when none was.
 */
export async function deleteWithTombstone(
  store: Store,
  collectionId: string,
  objectId: string,
  versions?: VersionMatch,
  specVersions?: string[],
  originPeer?: string | null,
  atMicros: number = nowMicros(),
): Promise<number> {
  const before = await store.getObjectVersions(collectionId, objectId)
  const deleted = await store.deleteObjects(collectionId, objectId, versions, specVersions)
  if (deleted === 0) return 0
  const after = await store.getObjectVersions(collectionId, objectId)
  const left = new Set(after.map((v) => v.versionKey))
  const removed = before.filter((v) => !left.has(v.versionKey)).map((v) => v.version)
  await store.peers.addTombstone({
    collectionId,
    objectId,
    versions: after.length === 0 ? null : [...new Set(removed)],
    deletedAt: microsToTimestamp(atMicros),
    originPeer: originPeer ?? null,
  })
  return deleted
}

/** The wire form of a tombstone in `GET /api/v1/tombstones` (one object per tombstone). */
export interface TombstoneResource {
  seq: number
  collection_id: string
  object_id: string
  versions?: string[]
  deleted_at: string
}

/** A tombstone as the admin API sends it. */
export function tombstoneResource(tombstone: Tombstone): TombstoneResource {
  const out: TombstoneResource = {
    seq: tombstone.seq,
    collection_id: tombstone.collectionId,
    object_id: tombstone.objectId,
    deleted_at: tombstone.deletedAt,
  }
  if (tombstone.versions !== null) out.versions = tombstone.versions
  return out
}
