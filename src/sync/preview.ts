/**
 * Preview of the next push (issue 6, "Preview"): each version after the push cursor with the
 * rule that decides whether it goes.
 * @internal
 */
import type { CollectionMap, Peer } from '../store/peer-store.js'
import type { Store, TlpLevel } from '../store/store.js'
import { pushVerdict } from './push.js'
import type { PreviewItem } from './types.js'

const SCAN_PAGE = 1000

/** Lists at most `limit` versions of one map from its push cursor. @internal */
export async function previewCollection(
  store: Store,
  peer: Peer,
  map: CollectionMap,
  defaultTlp: TlpLevel,
  limit: number,
): Promise<{ items: PreviewItem[]; truncated: boolean }> {
  const cursor = await store.peers.getCursor(
    peer.id,
    map.localCollectionId,
    map.remoteCollectionId,
    'push',
  )
  let position = cursor?.position == null ? 0 : Number(cursor.position)
  const items: PreviewItem[] = []
  for (;;) {
    const page = await store.queryObjects({
      collectionId: map.localCollectionId,
      versions: { kind: 'all' },
      limit: Math.min(SCAN_PAGE, limit - items.length + 1),
      ...(position > 0 ? { afterMicros: position } : {}),
    })
    for (const version of page.items) {
      if (items.length >= limit) return { items, truncated: true }
      let object: Record<string, unknown> | undefined
      try {
        object = JSON.parse(version.json) as Record<string, unknown>
      } catch {
        object = undefined
      }
      const verdict = pushVerdict({ peer, defaultTlp }, version, object, true)
      const pullOnly = verdict.send && peer.direction === 'pull'
      items.push({
        localCollectionId: map.localCollectionId,
        remoteCollectionId: map.remoteCollectionId,
        id: version.id,
        type: version.type,
        version: version.version,
        dateAdded: version.dateAdded,
        send: verdict.send && !pullOnly,
        rule: pullOnly ? 'PEER_PULL_ONLY' : verdict.rule,
        reason: pullOnly ? 'the peer is pull-only: this node never pushes to it' : verdict.reason,
      })
      position = version.dateAddedMicros
    }
    if (!page.more || page.items.length === 0) return { items, truncated: false }
  }
}
