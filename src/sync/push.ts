/**
 * Push (issue 6): send a peer what is new in a local collection since the push cursor, as the
 * sharing rule lets the peer see it (`decideVisibility` with the peer viewer: never what came
 * from that peer, never AMBER+ that came from any peer), through the peer's filter, anonymised
 * where published anonymously, each object preceded by the objects it references (dependency
 * closure). Envelopes stay under the peer's `max_content_length`; each status is followed until
 * complete, and the cursor moves to the end of a page only when every object of that page has
 * been acknowledged (stored or refused) by the peer.
 * @internal
 */
import {
  decideVisibility,
  sharedVersionOf,
  type RuleCode,
  type SharingContext,
  type Viewer,
} from '../sharing/policy.js'
import { viewJson } from '../sharing/anonymise.js'
import type { CollectionMap } from '../store/peer-store.js'
import type { StoredObjectVersion } from '../store/store.js'
import { microsToTimestamp } from '../store/timestamps.js'
import { filterVerdict, referencedIds } from './object-facts.js'
import { emptyCollectionReport, errorMessage, loadCursor, type RunContext } from './run-context.js'
import type { CollectionSyncReport, FilterCode } from './types.js'

const DEFAULT_BATCH = 500
/** Room left in an envelope for `{"objects":[` and `]}`. */
const ENVELOPE_OVERHEAD = 64
/** Most dangling ids listed in a report (all are counted). */
const MAX_DANGLING_LISTED = 1000
const PEER_CONTEXT: SharingContext = {
  groupMembers: new Map(),
  communityOrgIds: new Set(),
  collectionPublic: false,
}

/** One object ready to leave: its JSON as the peer receives it. */
interface Outgoing {
  id: string
  version: string
  json: string
  /** `json` parsed (what is posted; read once). */
  object: Record<string, unknown>
}

/** A stored version with its JSON parsed. */
interface Parsed {
  version: StoredObjectVersion
  object: Record<string, unknown>
}

/** Whether a version may go to the peer, and the rule that decided. @internal */
export interface PushVerdict {
  send: boolean
  rule: RuleCode | FilterCode
  reason: string
}

/**
 * Decides whether `version` goes to the peer: the sharing rule with the peer viewer, then the
 * peer filter (types and labels only when `applyTypeAndLabelFilter`; the TLP ceiling always).
 * An object that cannot be read (`object` undefined) passes the rule's decision only.
 * @internal
 */
export function pushVerdict(
  run: Pick<RunContext, 'peer' | 'defaultTlp'>,
  version: StoredObjectVersion,
  object: Readonly<Record<string, unknown>> | undefined,
  applyTypeAndLabelFilter: boolean,
): PushVerdict {
  const viewer: Viewer = { kind: 'peer', peerId: run.peer.id, orgId: run.peer.orgId }
  const decision = decideVisibility(viewer, sharedVersionOf(version, run.defaultTlp), PEER_CONTEXT)
  if (!decision.visible || object === undefined) {
    return { send: decision.visible, rule: decision.rule, reason: decision.reason }
  }
  const tlp = version.tlp ?? run.defaultTlp
  const filter = applyTypeAndLabelFilter
    ? run.peer.filter
    : run.peer.filter.tlpCeiling !== undefined
      ? { tlpCeiling: run.peer.filter.tlpCeiling }
      : {}
  const verdict = filterVerdict(filter, object, tlp)
  return verdict === undefined
    ? { send: true, rule: decision.rule, reason: decision.reason }
    : { send: false, rule: verdict.code, reason: verdict.reason }
}

function parseObject(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json)
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** Pushes one collection map; fills and returns its report part. Never throws. @internal */
export async function pushCollection(
  run: RunContext,
  map: CollectionMap,
  maxContentLength: number,
): Promise<CollectionSyncReport> {
  const { store, peer } = run
  const part = emptyCollectionReport('push', map)
  const cursor = await loadCursor(
    store,
    peer.id,
    map.localCollectionId,
    map.remoteCollectionId,
    'push',
  )
  cursor.lastRunAt = run.report.startedAt
  part.position = cursor.position
  const baseMoved = cursor.movedTotal
  let dangling = 0
  const saveProgress = async (): Promise<void> => {
    cursor.movedTotal = baseMoved + part.moved
    cursor.movedLastRun = part.moved
    cursor.danglingLastRun = dangling
    await store.peers.saveCursor(cursor)
  }
  run.options.onProgress?.({
    kind: 'start',
    peer: peer.name,
    direction: 'push',
    localCollectionId: map.localCollectionId,
  })

  const startMicros = cursor.position === null ? 0 : Number(cursor.position)
  let position = Number.isFinite(startMicros) ? startMicros : 0
  const batchSize = Math.max(1, run.options.pushBatchSize ?? DEFAULT_BATCH)
  const budget = Math.max(1024, maxContentLength - ENVELOPE_OVERHEAD)
  /** Versions sent in this run, by `id` + NUL + `versionKey`; and their ids. */
  const sentKeys = new Set<string>()
  const sentIds = new Set<string>()
  /** Dependency lookups of this run: the versions to send, or undefined when dangling. */
  const resolved = new Map<string, Parsed[] | undefined>()
  const danglingIds = new Set<string>()
  let seen = 0
  let caughtUp = false

  const outgoingOf = ({ version, object }: Parsed): Outgoing | undefined => {
    if (!version.anonymous || version.publisherOrgId === peer.orgId) {
      return { id: version.id, version: version.version, json: version.json, object }
    }
    if (run.allianceIdentityId === undefined) return undefined
    const viewer: Viewer = { kind: 'peer', peerId: peer.id, orgId: peer.orgId }
    const json = viewJson(version.json, version, viewer, run.allianceIdentityId)
    const masked = parseObject(json)
    return masked === undefined
      ? undefined
      : { id: version.id, version: version.version, json, object: masked }
  }

  /** The versions of `refId` to send before its referrer, or undefined when it cannot go. */
  const dependency = async (refId: string): Promise<Parsed[] | undefined> => {
    if (resolved.has(refId)) return resolved.get(refId)
    const versions = await store.getObjectVersions(map.localCollectionId, refId)
    const sendable: Parsed[] = []
    let visibleAtAll = false
    for (const version of versions) {
      const object = parseObject(version.json)
      if (object === undefined) continue
      if (!pushVerdict(run, version, object, false).send) continue
      visibleAtAll = true
      // A version before the run's start that passed the whole filter went out as itself.
      const sentBefore =
        version.dateAddedMicros <= startMicros && pushVerdict(run, version, object, true).send
      if (!sentBefore) sendable.push({ version, object })
    }
    const result = visibleAtAll ? sendable : undefined
    resolved.set(refId, result)
    return result
  }

  /** Adds `version` to `out`, preceded by what it references (depth first, each once). */
  const enqueue = async (
    version: StoredObjectVersion,
    outgoing: Outgoing,
    out: Outgoing[],
    trail: Set<string>,
  ): Promise<void> => {
    trail.add(version.id)
    for (const refId of referencedIds(outgoing.object)) {
      if (sentIds.has(refId) || trail.has(refId)) continue
      const versions = await dependency(refId)
      if (versions === undefined) {
        if (!danglingIds.has(refId)) {
          danglingIds.add(refId)
          dangling += 1
        }
        continue
      }
      for (const dep of versions) {
        const key = `${dep.version.id}\u0000${dep.version.versionKey}`
        if (sentKeys.has(key)) continue
        const depOut = outgoingOf(dep)
        if (depOut === undefined) {
          // Anonymous with no alliance identity to put in: it cannot go, so it dangles.
          if (!danglingIds.has(refId)) {
            danglingIds.add(refId)
            dangling += 1
          }
          continue
        }
        sentKeys.add(key)
        await enqueue(dep.version, depOut, out, trail)
      }
      if (versions.length === 0) sentIds.add(refId)
    }
    trail.delete(version.id)
    out.push(outgoing)
    sentIds.add(version.id)
  }

  try {
    const collection = await store.getCollection(map.localCollectionId)
    if (collection === undefined) {
      throw new Error(`local collection ${map.localCollectionId} no longer exists`)
    }
    for (;;) {
      run.checkStop()
      const page = await store.queryObjects({
        collectionId: map.localCollectionId,
        versions: { kind: 'all' },
        limit: batchSize,
        ...(position > 0 ? { afterMicros: position } : {}),
      })
      const out: Outgoing[] = []
      for (const version of page.items) {
        seen += 1
        const key = `${version.id}\u0000${version.versionKey}`
        if (sentKeys.has(key)) continue
        const object = parseObject(version.json)
        if (object === undefined || !pushVerdict(run, version, object, true).send) {
          part.heldBack += 1
          continue
        }
        const outgoing = outgoingOf({ version, object })
        if (outgoing === undefined) {
          part.heldBack += 1
          run.log(
            `peer ${peer.name}: ${version.id} was published anonymously and no alliance identity is configured; held back`,
          )
          continue
        }
        sentKeys.add(key)
        await enqueue(version, outgoing, out, new Set())
      }
      await sendAll(run, map, out, batchSize, budget, part)
      const last = page.items.at(-1)
      if (last !== undefined) {
        position = last.dateAddedMicros
        cursor.position = String(position)
      }
      part.danglingRefs = [...danglingIds].slice(0, MAX_DANGLING_LISTED)
      part.danglingCount = dangling
      await saveProgress()
      run.options.onProgress?.({
        kind: 'page',
        peer: peer.name,
        direction: 'push',
        localCollectionId: map.localCollectionId,
        moved: part.moved,
        seen,
      })
      await run.renewLease()
      if (!page.more || page.items.length === 0) {
        caughtUp = true
        break
      }
    }
    cursor.lastError = null
    cursor.lastSuccessAt = microsToTimestamp(run.clock())
  } catch (error) {
    part.error = `push ${map.localCollectionId} -> ${map.remoteCollectionId}: ${errorMessage(error)}`
    cursor.lastError = part.error
    run.log(`peer ${peer.name}: ${part.error}`)
  }
  part.danglingRefs = [...danglingIds].slice(0, MAX_DANGLING_LISTED)
  part.danglingCount = dangling
  cursor.lagMicros = caughtUp ? 0 : position > 0 ? Math.max(0, run.clock() - position) : null
  part.position = cursor.position
  try {
    await saveProgress()
  } catch (error) {
    part.error ??= `push ${map.localCollectionId}: saving the cursor failed: ${errorMessage(error)}`
  }
  return part
}

/**
 * POSTs `out` in envelopes of at most `batchSize` objects and `budget` bytes, following each
 * status until complete. Throws when a status stays pending or a request fails, so the caller
 * leaves the cursor where it was.
 */
async function sendAll(
  run: RunContext,
  map: CollectionMap,
  out: readonly Outgoing[],
  batchSize: number,
  budget: number,
  part: CollectionSyncReport,
): Promise<void> {
  let batch: Outgoing[] = []
  let bytes = 0
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    const objects = batch.map((item) => item.object)
    const options = {
      ...(run.options.signal ? { signal: run.options.signal } : {}),
      ...(run.statusTimeoutMs !== undefined ? { statusTimeoutMs: run.statusTimeoutMs } : {}),
    }
    const status = await run.client.addObjects(run.root, map.remoteCollectionId, objects, options)
    if (status.status !== 'complete') {
      throw new Error(
        `status ${status.id} of the peer was still pending after the wait (${status.pending_count} objects unanswered)`,
      )
    }
    for (const success of status.successes ?? []) {
      if (success.message !== undefined && /already/i.test(success.message)) part.duplicates += 1
      else part.moved += 1
    }
    // A server may count without listing; the counts are what it promises.
    const listed = (status.successes ?? []).length
    if (listed < status.success_count) part.moved += status.success_count - listed
    for (const failure of status.failures ?? []) {
      part.failed += 1
      run.log(
        `peer ${run.peer.name}: refused ${failure.id} (${failure.version ?? ''}): ${failure.message ?? 'no reason given'}`,
      )
    }
    const failuresListed = (status.failures ?? []).length
    if (failuresListed < status.failure_count) part.failed += status.failure_count - failuresListed
    batch = []
    bytes = 0
  }
  for (const item of out) {
    const size = Buffer.byteLength(item.json, 'utf8') + 1
    if (size > budget) {
      part.failed += 1
      run.log(
        `peer ${run.peer.name}: ${item.id} (${size} bytes) is larger than the peer's max_content_length allows; not sent`,
      )
      continue
    }
    if (batch.length >= batchSize || bytes + size > budget) await flush()
    batch.push(item)
    bytes += size
  }
  await flush()
}
