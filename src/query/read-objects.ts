/**
 * Reads of a collection's object versions for TAXII (Get Objects, Get an Object, Get Object
 * Manifests, Get Object Versions): one keyset page at a time, oldest `date_added` first
 * (TAXII 2.1 sections 3.3 and 3.5). With a `visibility` filter (issue 5, built by
 * `src/sharing/viewer.ts`) every read returns only the versions that viewer may see, and pages,
 * `more` and the date bounds are those of the visible versions.
 */
import type {
  ObjectQuery,
  Store,
  StoredObjectVersion,
  TlpLevel,
  VersionMatch,
  VisibilityFilter,
} from '../store/store.js'
import { microsToTimestamp } from '../store/timestamps.js'

/** Filters of one read; all are ANDed (TAXII 2.1 section 3.4). */
export interface ObjectFilter {
  /** Exclusive lower bound on `date_added`, in microseconds. */
  addedAfterMicros?: number
  ids?: string[]
  types?: string[]
  /** Default `last` (section 3.4.1). */
  versions?: VersionMatch
  specVersions?: string[]
  /** Only what this viewer may see (absent: everything, for node tooling). */
  visibility?: VisibilityFilter
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

/** One page of a read as the objects' JSON only, for an envelope (TAXII 2.1 section 5.4). */
export interface ReadJsonPage {
  /** Each version's JSON as stored, oldest `date_added` first. */
  json: string[]
  /** For each version: true when the viewer must receive it anonymised (see `anonymise`). */
  masked: boolean[]
  /** Each version's STIX id. */
  ids: string[]
  /** Each version's stored TLP (null: the node default applies). */
  tlp: (TlpLevel | null)[]
  more: boolean
  firstDateAdded?: string
  lastDateAdded?: string
  lastMicros?: number
}

function objectQuery(
  collectionId: string,
  filter: ObjectFilter,
  page: { limit: number; afterMicros?: number },
): ObjectQuery {
  const query: ObjectQuery = { collectionId, limit: page.limit }
  if (filter.addedAfterMicros !== undefined) query.addedAfterMicros = filter.addedAfterMicros
  if (filter.ids) query.ids = filter.ids
  if (filter.types) query.types = filter.types
  if (filter.versions) query.versions = filter.versions
  if (filter.specVersions) query.specVersions = filter.specVersions
  if (page.afterMicros !== undefined) query.afterMicros = page.afterMicros
  if (filter.visibility) query.visibility = filter.visibility
  return query
}

/**
 * The same page as {@link readObjectPage}, reading only the JSON and `date_added` of each
 * version: paging through a collection then costs little more than the database query.
 */
export async function readObjectJsonPage(
  store: Store,
  collectionId: string,
  filter: ObjectFilter,
  page: { limit: number; afterMicros?: number },
): Promise<ReadJsonPage> {
  const result = await store.queryObjectJson(objectQuery(collectionId, filter, page))
  const out: ReadJsonPage = {
    json: result.json,
    masked: result.masked,
    ids: result.ids,
    tlp: result.tlp,
    more: result.more,
  }
  const first = result.dateAddedMicros[0]
  const last = result.dateAddedMicros[result.dateAddedMicros.length - 1]
  if (first !== undefined && last !== undefined) {
    out.firstDateAdded = microsToTimestamp(first)
    out.lastDateAdded = microsToTimestamp(last)
    out.lastMicros = last
  }
  return out
}

/** Reads the page of `limit` versions after `afterMicros` that match `filter`. */
export async function readObjectPage(
  store: Store,
  collectionId: string,
  filter: ObjectFilter,
  page: { limit: number; afterMicros?: number },
): Promise<ReadPage> {
  const result = await store.queryObjects(objectQuery(collectionId, filter, page))
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

/**
 * True when the collection holds at least one version of the object (that the viewer may see,
 * with `visibility`: an object with no visible version does not exist for that viewer).
 */
export async function objectExists(
  store: Store,
  collectionId: string,
  id: string,
  visibility?: VisibilityFilter,
): Promise<boolean> {
  const query: ObjectQuery = { collectionId, ids: [id], versions: { kind: 'all' }, limit: 1 }
  if (visibility) query.visibility = visibility
  const page = await store.queryObjects(query)
  return page.items.length > 0
}
