/**
 * The version guard for what a peer node sends, by pull or by TAXII POST (STIX 2.1 section
 * 3.6: only the creator of an object makes new versions of it). An object that has a version
 * here without an origin peer was published on this node; a peer may not add versions to it.
 * Versions already held pass (they are duplicates and store nothing).
 */
import type { NewObjectVersion, Store } from '../store/store.js'

const PAGE = 5000

/**
 * The rows, among `rows` sent by a peer, that would add a new version to an object published
 * on this node (in `collectionId`). The caller refuses them, each with
 * `foreignVersionRefusal` (src/sharing/inbound.ts).
 */
export async function versionsOfOwnObjects(
  store: Store,
  collectionId: string,
  rows: readonly NewObjectVersion[],
): Promise<NewObjectVersion[]> {
  if (rows.length === 0) return []
  const ids = [...new Set(rows.map((row) => row.id))]
  const held = new Map<string, Set<string>>()
  const ownHere = new Set<string>()
  let afterMicros: number | undefined
  for (;;) {
    const page = await store.queryObjects({
      collectionId,
      ids,
      versions: { kind: 'all' },
      limit: PAGE,
      ...(afterMicros !== undefined ? { afterMicros } : {}),
    })
    for (const version of page.items) {
      let keys = held.get(version.id)
      if (keys === undefined) held.set(version.id, (keys = new Set()))
      keys.add(version.versionKey)
      if (version.originPeer === null) ownHere.add(version.id)
    }
    const last = page.items.at(-1)
    if (!page.more || last === undefined) break
    afterMicros = last.dateAddedMicros
  }
  return rows.filter((row) => ownHere.has(row.id) && held.get(row.id)?.has(row.versionKey) !== true)
}
