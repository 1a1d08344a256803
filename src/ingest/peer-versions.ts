/**
 * Version guards (STIX 2.1 section 3.6: only the creator of an object makes new versions of
 * it), for what a peer node sends (by pull or by TAXII POST) and for what a member publishes.
 * Versions already held always pass (they are duplicates and store nothing).
 */
import type { NewObjectVersion, Store, StoredObjectVersion } from '../store/store.js'

const PAGE = 5000

interface Holdings {
  /** Object id → the version keys held. */
  held: Map<string, Set<string>>
  /** Object id → its stored versions' sharing facts. */
  versions: Map<string, Pick<StoredObjectVersion, 'publisherOrgId' | 'originPeer'>[]>
}

/** Every stored version, in `collectionId`, of the objects `rows` write to. */
async function holdingsOf(
  store: Store,
  collectionId: string,
  rows: readonly NewObjectVersion[],
): Promise<Holdings> {
  const ids = [...new Set(rows.map((row) => row.id))]
  const held = new Map<string, Set<string>>()
  const versions = new Map<string, Pick<StoredObjectVersion, 'publisherOrgId' | 'originPeer'>[]>()
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
      let list = versions.get(version.id)
      if (list === undefined) versions.set(version.id, (list = []))
      list.push(version)
    }
    const last = page.items.at(-1)
    if (!page.more || last === undefined) return { held, versions }
    afterMicros = last.dateAddedMicros
  }
}

async function guard(
  store: Store,
  collectionId: string,
  rows: readonly NewObjectVersion[],
  foreign: (stored: Pick<StoredObjectVersion, 'publisherOrgId' | 'originPeer'>) => boolean,
): Promise<NewObjectVersion[]> {
  if (rows.length === 0) return []
  const { held, versions } = await holdingsOf(store, collectionId, rows)
  return rows.filter(
    (row) =>
      held.get(row.id)?.has(row.versionKey) !== true && (versions.get(row.id) ?? []).some(foreign),
  )
}

/**
 * The rows, among `rows` sent by a peer, that would add a new version to an object published
 * on this node (in `collectionId`): one with a version here without an origin peer. The
 * caller refuses them, each with `foreignVersionRefusal` (src/sharing/inbound.ts).
 */
export async function versionsOfOwnObjects(
  store: Store,
  collectionId: string,
  rows: readonly NewObjectVersion[],
): Promise<NewObjectVersion[]> {
  return guard(store, collectionId, rows, (stored) => stored.originPeer === null)
}

/**
 * The rows, among `rows` a member organisation publishes, that would add a new version to an
 * object another publisher holds in `collectionId` (another organisation, the node itself, or
 * a peer): a member cannot replace another's report by posting a newer version of its id.
 */
export async function versionsOfOthersObjects(
  store: Store,
  collectionId: string,
  rows: readonly NewObjectVersion[],
  publisherOrgId: string | null,
): Promise<NewObjectVersion[]> {
  return guard(
    store,
    collectionId,
    rows,
    (stored) => stored.publisherOrgId !== publisherOrgId || stored.originPeer !== null,
  )
}
