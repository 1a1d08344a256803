/**
 * Reads of a collection's object versions for TAXII (Get Objects, Get an Object, Get Object
 * Manifests, Get Object Versions): one keyset page at a time, oldest `date_added` first
 * (TAXII 2.1 sections 3.3 and 3.5).
 */
import type { ObjectQuery, Store, StoredObjectVersion, VersionMatch } from '../store/store.js'

/** Filters of one read; all are ANDed (TAXII 2.1 section 3.4). */
export interface ObjectFilter {
  /** Exclusive lower bound on `date_added`, in microseconds. */
  addedAfterMicros?: number
  ids?: string[]
  types?: string[]
  /** Default `last` (section 3.4.1). */
  versions?: VersionMatch
  specVersions?: string[]
}

/** One page of a read. */
export interface ReadPage {
  items: StoredObjectVersion[]
  more: boolean
  /** `date_added` of the first and last item, for `X-TAXII-Date-Added-First`/`-Last`. */
  firstDateAdded?: string
  lastDateAdded?: string
  /** The keyset position after the last item, for the next page. */
  lastMicros?: number
}

/** Reads the page of `limit` versions after `afterMicros` that match `filter`. */
export async function readObjectPage(
  store: Store,
  collectionId: string,
  filter: ObjectFilter,
  page: { limit: number; afterMicros?: number },
): Promise<ReadPage> {
  const query: ObjectQuery = { collectionId, limit: page.limit }
  if (filter.addedAfterMicros !== undefined) query.addedAfterMicros = filter.addedAfterMicros
  if (filter.ids) query.ids = filter.ids
  if (filter.types) query.types = filter.types
  if (filter.versions) query.versions = filter.versions
  if (filter.specVersions) query.specVersions = filter.specVersions
  if (page.afterMicros !== undefined) query.afterMicros = page.afterMicros
  const result = await store.queryObjects(query)
  const first = result.items[0]
  const last = result.items[result.items.length - 1]
  const out: ReadPage = { items: result.items, more: result.more }
  if (first && last) {
    out.firstDateAdded = first.dateAdded
    out.lastDateAdded = last.dateAdded
    out.lastMicros = last.dateAddedMicros
  }
  return out
}

/** True when the collection holds at least one version of the object. */
export async function objectExists(
  store: Store,
  collectionId: string,
  id: string,
): Promise<boolean> {
  const page = await store.queryObjects({
    collectionId,
    ids: [id],
    versions: { kind: 'all' },
    limit: 1,
  })
  return page.items.length > 0
}
