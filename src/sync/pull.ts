/**
 * Pull (issue 6): read a peer's collection page by page from the cursor (`added_after` = the
 * last `X-TAXII-Date-Added-Last` committed, `match[version]=all`), validate every object, store
 * the valid ones as published by the peer's organisation with the peer as origin, and move the
 * cursor only after the page is committed. A kill at any point resumes from the last committed
 * page; re-reading a page stores nothing twice (a version is identified by id and `modified`).
 * @internal
 */
import { objectMetadata } from '../ingest/object-metadata.js'
import { versionsOfOwnObjects } from '../ingest/peer-versions.js'
import { foreignVersionRefusal } from '../sharing/inbound.js'
import { declaredTlp } from '../sharing/tlp.js'
import { formatPath, validateStix } from '../stix/index.js'
import type { CollectionMap } from '../store/peer-store.js'
import type { NewObjectVersion } from '../store/store.js'
import { microsToTimestamp, timestampToMicros } from '../store/timestamps.js'
import type { TaxiiObject } from '../taxii/client/index.js'
import { SHARING_PROPERTY, inboundDistribution } from './inbound.js'
import { emptyCollectionReport, errorMessage, loadCursor, type RunContext } from './run-context.js'
import type { CollectionSyncReport } from './types.js'

const DEFAULT_PAGE_SIZE = 1000

function invalidReason(object: TaxiiObject): string | undefined {
  const result = validateStix(object)
  if (result.ok) return undefined
  const errors = result.issues.filter((issue) => issue.severity === 'error')
  const shown = errors
    .slice(0, 5)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message} [${issue.code}]`)
  const more = errors.length > shown.length ? `; and ${errors.length - shown.length} more` : ''
  return `${shown.join('; ')}${more}`
}

/** Pulls one collection map; fills and returns its report part. Never throws. @internal */
export async function pullCollection(
  run: RunContext,
  map: CollectionMap,
): Promise<CollectionSyncReport> {
  const { store, peer } = run
  const part = emptyCollectionReport('pull', map)
  const cursor = await loadCursor(
    store,
    peer.id,
    map.localCollectionId,
    map.remoteCollectionId,
    'pull',
  )
  cursor.lastRunAt = run.report.startedAt
  cursor.movedLastRun = 0
  part.position = cursor.position
  run.options.onProgress?.({
    kind: 'start',
    peer: peer.name,
    direction: 'pull',
    localCollectionId: map.localCollectionId,
  })
  const baseMoved = cursor.movedTotal
  const baseInvalid = cursor.invalidTotal
  // Totals count each object once however often the cursor is saved during the run.
  const saveProgress = async (): Promise<void> => {
    cursor.movedTotal = baseMoved + part.moved
    cursor.invalidTotal = baseInvalid + part.invalid
    cursor.movedLastRun = part.moved
    await store.peers.saveCursor(cursor)
  }
  let seen = 0
  let caughtUp = false
  let newestSeen: number | undefined
  try {
    const collection = await store.getCollection(map.localCollectionId)
    if (collection === undefined) {
      throw new Error(`local collection ${map.localCollectionId} no longer exists`)
    }
    const publisher = { orgId: peer.orgId, actor: `peer:${peer.id}` }
    const limit = run.options.pullPageSize ?? DEFAULT_PAGE_SIZE
    // Section 3.5: every page of one walk repeats the original filters, plus `next`.
    const startAfter = cursor.position ?? undefined
    let next: string | undefined
    let addedAfter = startAfter
    let lastMark: string | undefined
    for (;;) {
      run.checkStop()
      const filters = {
        limit,
        version: 'all',
        ...(addedAfter !== undefined ? { addedAfter } : {}),
        ...(next !== undefined ? { next } : {}),
      }
      const page = await run.client.objectsPage(
        run.root,
        map.remoteCollectionId,
        filters,
        run.options.signal ? { signal: run.options.signal } : {},
      )
      const rows: NewObjectVersion[] = []
      for (const object of page.items) {
        seen += 1
        const reason = invalidReason(object)
        if (reason !== undefined) {
          part.invalid += 1
          run.log(
            `peer ${peer.name}: invalid object ${object.id} from collection ${map.remoteCollectionId} not stored: ${reason}`,
          )
          continue
        }
        const asked = object[SHARING_PROPERTY]
        let stored: Record<string, unknown> = object
        if (asked !== undefined) {
          const { [SHARING_PROPERTY]: _dropped, ...rest } = object
          stored = rest
        }
        const row = objectMetadata(stored, JSON.stringify(stored), collection, publisher)
        const tlp = declaredTlp(row.markingRefs) ?? run.defaultTlp
        row.distribution = inboundDistribution(tlp, run.nodeOrgId, asked)
        row.originPeer = peer.id
        row.anonymous = false
        rows.push(row)
      }
      for (const forged of await versionsOfOwnObjects(store, map.localCollectionId, rows)) {
        part.invalid += 1
        run.log(`peer ${peer.name}: object ${foreignVersionRefusal(forged.id, forged.version)}`)
        rows.splice(rows.indexOf(forged), 1)
      }
      if (rows.length > 0) {
        // One transaction per page: the page is stored whole or not at all.
        const results = await store.addObjects(rows, run.clock())
        const added = new Set<string>()
        for (const result of results) {
          if (result.outcome === 'added') {
            part.moved += 1
            added.add(result.id)
          } else part.duplicates += 1
        }
        if (added.size > 0) {
          await run.audit?.append({
            actor: { kind: 'peer', id: peer.id },
            action: 'write',
            objectIds: [...added],
            collectionId: map.localCollectionId,
            outcome: 'success',
            details: { via: 'sync pull', peer: peer.name, versions: results.length },
          })
        }
      }
      // The cursor moves only now that the page is committed.
      if (page.dateAddedLast !== undefined) {
        cursor.position = page.dateAddedLast
        const micros = timestampToMicros(page.dateAddedLast)
        if (micros !== undefined) newestSeen = micros
      }
      await saveProgress()
      run.options.onProgress?.({
        kind: 'page',
        peer: peer.name,
        direction: 'pull',
        localCollectionId: map.localCollectionId,
        moved: part.moved,
        seen,
      })
      await run.renewLease()
      if (!page.more || page.items.length === 0) {
        caughtUp = true
        break
      }
      // A server that answers the same page again would keep this loop going forever.
      const mark = `${page.next ?? ''}\u0000${page.dateAddedLast ?? ''}`
      if (mark === lastMark) {
        throw new Error(
          `peer ${peer.name} answered the same page twice (next and X-TAXII-Date-Added-Last unchanged); stopped`,
        )
      }
      lastMark = mark
      if (page.next !== undefined && page.next !== '') {
        next = page.next
        addedAfter = startAfter
      } else if (page.dateAddedLast !== undefined) {
        next = undefined
        addedAfter = page.dateAddedLast
      } else {
        throw new Error(
          `peer ${peer.name} said more objects follow but gave neither next nor X-TAXII-Date-Added-Last (TAXII 2.1 section 3.5)`,
        )
      }
    }
    cursor.lastError = null
    cursor.lastSuccessAt = microsToTimestamp(run.clock())
  } catch (error) {
    part.error = `pull ${map.remoteCollectionId} -> ${map.localCollectionId}: ${errorMessage(error)}`
    cursor.lastError = part.error
    run.log(`peer ${peer.name}: ${part.error}`)
  }
  cursor.lagMicros = caughtUp
    ? 0
    : newestSeen === undefined
      ? cursor.lagMicros
      : Math.max(0, run.clock() - newestSeen)
  part.position = cursor.position
  try {
    await saveProgress()
  } catch (error) {
    part.error ??= `pull ${map.remoteCollectionId}: saving the cursor failed: ${errorMessage(error)}`
  }
  return part
}
