/**
 * The sync engine (issue 6): `syncPeer` runs pull then push for each collection map of a peer,
 * then the tombstones; `syncAll` runs every enabled peer with a small concurrency;
 * `previewPeer` lists what the next push would send and hold back.
 *
 * A run never throws for a peer's failure: the error lands in the report and the cursor's
 * `lastError`, and the cursor stays at the last committed page. One peer never runs twice at
 * once: an in-process lock, and a lease row in the database for other processes sharing it.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { AuditLog } from '../audit/audit-log.js'
import { AppError } from '../errors.js'
import { readAllianceIdentityId, readDefaultTlp, readNodeOrgId } from '../sharing/viewer.js'
import type { Peer } from '../store/peer-store.js'
import { microsToTimestamp, nowMicros } from '../store/timestamps.js'
import { TaxiiClient, type TaxiiAuth } from '../taxii/client/index.js'
import { previewCollection } from './preview.js'
import { pullCollection } from './pull.js'
import { pushCollection } from './push.js'
import { errorMessage, type RunContext } from './run-context.js'
import { NotOffered, pullTombstones, pushTombstones, type FetchJson } from './tombstone-sync.js'
import type {
  PreviewOptions,
  PreviewReport,
  SyncAllOptions,
  SyncDeps,
  SyncOptions,
  SyncReport,
} from './types.js'

const DEFAULT_LEASE_MS = 2 * 60 * 1000
const DEFAULT_CONCURRENCY = 4
const DEFAULT_MAX_CONTENT_LENGTH = 10 * 1024 * 1024

/** A 4xx answer: retrying would get the same. */
class PermanentError extends Error {}

/** Peers being run by this process. */
const running = new Set<string>()
const processOwner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`

function taxiiAuth(peer: Peer): TaxiiAuth | undefined {
  switch (peer.auth.kind) {
    case 'none':
      return undefined
    case 'basic':
      return { basic: { user: peer.auth.username, password: peer.auth.password } }
    case 'bearer':
      return { bearer: peer.auth.token }
  }
}

function authorization(peer: Peer): string | undefined {
  switch (peer.auth.kind) {
    case 'none':
      return undefined
    case 'basic':
      return `Basic ${Buffer.from(`${peer.auth.username}:${peer.auth.password}`, 'utf8').toString('base64')}`
    case 'bearer':
      return `Bearer ${peer.auth.token}`
  }
}

function clientFor(deps: SyncDeps, peer: Peer): TaxiiClient {
  const settings = deps.client ?? {}
  return new TaxiiClient({
    url: peer.url,
    auth: taxiiAuth(peer),
    userAgent: 'intelmesh-sync',
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
    ...(settings.retries !== undefined ? { retries: settings.retries } : {}),
    ...(settings.retryBaseDelayMs !== undefined
      ? { retryBaseDelayMs: settings.retryBaseDelayMs }
      : {}),
    ...(settings.maxRetryDelayMs !== undefined
      ? { maxRetryDelayMs: settings.maxRetryDelayMs }
      : {}),
    ...(settings.fetch !== undefined ? { fetch: settings.fetch } : {}),
  })
}

/** A JSON GET to the peer's admin API with the peer's credentials, timeout and retries. */
function jsonFetcher(deps: SyncDeps, peer: Peer, signal: AbortSignal | undefined): FetchJson {
  const settings = deps.client ?? {}
  const fetchImpl = settings.fetch ?? ((url, init) => fetch(url, init))
  const timeoutMs = settings.timeoutMs ?? 30_000
  const retries = settings.retries ?? 3
  const baseDelay = settings.retryBaseDelayMs ?? 250
  const auth = authorization(peer)
  return async (url) => {
    for (let attempt = 0; ; attempt += 1) {
      signal?.throwIfAborted()
      const timeout = AbortSignal.timeout(timeoutMs)
      const headers: Record<string, string> = { Accept: 'application/json' }
      if (auth !== undefined) headers['Authorization'] = auth
      let retryable: string
      try {
        const response = await fetchImpl(url, {
          method: 'GET',
          headers,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        })
        const text = await response.text()
        if (response.ok) {
          try {
            return JSON.parse(text) as unknown
          } catch {
            throw new AppError('TAXII_BAD_REQUEST', {
              detail: `GET ${url}: the answer is not JSON`,
            })
          }
        }
        const message = `GET ${url} answered ${response.status}`
        if ([404, 405, 406].includes(response.status)) throw new NotOffered(message)
        if (response.status < 500 && response.status !== 429) throw new PermanentError(message)
        retryable = message
      } catch (error) {
        if (
          error instanceof AppError ||
          error instanceof PermanentError ||
          error instanceof NotOffered
        ) {
          throw error
        }
        if (signal?.aborted === true) throw error
        retryable = errorMessage(error)
      }
      if (attempt >= retries) throw new Error(retryable)
      await new Promise((resolve) => setTimeout(resolve, Math.random() * baseDelay * 2 ** attempt))
    }
  }
}

function emptyReport(peer: Peer, startedAt: string): SyncReport {
  return {
    peerId: peer.id,
    peerName: peer.name,
    startedAt,
    finishedAt: startedAt,
    ok: true,
    skipped: false,
    collections: [],
    tombstones: { pulled: 0, pushed: 0, failed: 0 },
    pulled: 0,
    pushed: 0,
    invalid: 0,
    danglingRefs: 0,
    errors: [],
  }
}

function finish(report: SyncReport, finishedAtMicros: number): SyncReport {
  report.finishedAt = microsToTimestamp(finishedAtMicros)
  report.pulled = 0
  report.pushed = 0
  report.invalid = 0
  report.danglingRefs = 0
  for (const part of report.collections) {
    if (part.direction === 'pull') report.pulled += part.moved
    else report.pushed += part.moved
    report.invalid += part.invalid
    report.danglingRefs += part.danglingCount
    if (part.error !== undefined && !report.errors.includes(part.error)) {
      report.errors.push(part.error)
    }
  }
  report.ok = report.errors.length === 0
  return report
}

/**
 * One run for `peer`: for each collection map, pull (when the peer's direction allows it) then
 * push; then tombstones, when the peer applies them. Never throws for the peer's failures:
 * they are in the report's `errors` and in the cursors' `lastError`. Returns a `skipped` report
 * when a run of the same peer is in progress here or in another process sharing the database.
 *
 * @example
 * const report = await syncPeer({ store }, await findPeer(store, 'node-b'))
 * console.log(formatSyncSummary(report))
 */
export async function syncPeer(
  deps: SyncDeps,
  peer: Peer,
  options: SyncOptions = {},
): Promise<SyncReport> {
  const clock = deps.clock ?? nowMicros
  const store = deps.store
  const report = emptyReport(peer, microsToTimestamp(clock()))
  if (running.has(peer.id)) {
    report.skipped = true
    return report
  }
  running.add(peer.id)
  const owner = deps.leaseOwner ?? processOwner
  const leaseMicros = (options.leaseMs ?? DEFAULT_LEASE_MS) * 1000
  let leased = false
  let leaseLost = false
  let client: TaxiiClient | undefined
  try {
    const now = clock()
    leased = await store.peers.acquireLease(peer.id, owner, now, now + leaseMicros)
    if (!leased) {
      report.skipped = true
      return report
    }
    client = clientFor(deps, peer)
    const [defaultTlp, nodeOrgId, allianceIdentityId] = await Promise.all([
      readDefaultTlp(store),
      readNodeOrgId(store),
      readAllianceIdentityId(store),
    ])
    const run: RunContext = {
      store,
      peer,
      client,
      root: peer.url,
      clock,
      log: deps.log ?? (() => undefined),
      options,
      report,
      defaultTlp,
      nodeOrgId,
      allianceIdentityId,
      statusTimeoutMs: deps.client?.statusTimeoutMs,
      audit: deps.audit === false ? undefined : (deps.audit ?? new AuditLog(store)),
      renewLease: async () => {
        const at = clock()
        if (!(await store.peers.acquireLease(peer.id, owner, at, at + leaseMicros))) {
          // Another process took the lease after it ran out: stop rather than run twice.
          leaseLost = true
          throw new Error(`the run lease of peer ${peer.name} ran out and another process took it`)
        }
      },
      checkStop: () => {
        options.signal?.throwIfAborted()
        if (leaseLost) throw new Error(`the run lease of peer ${peer.name} was lost`)
      },
    }
    const allowed = options.directions ?? ['pull', 'push']
    const pull = peer.direction !== 'push' && allowed.includes('pull')
    const push = peer.direction !== 'pull' && allowed.includes('push')
    for (const map of peer.maps) {
      if (pull) report.collections.push(await pullCollection(run, map))
      if (push) {
        const part = await pushPart(run, map)
        report.collections.push(part)
      }
      if (options.signal?.aborted === true) break
    }
    if (peer.applyTombstones && options.signal?.aborted !== true) {
      if (pull) await pullTombstones(run, jsonFetcher(deps, peer, options.signal))
      if (push) await pushTombstones(run)
    }
  } catch (error) {
    report.errors.push(`peer ${peer.name}: ${errorMessage(error)}`)
  } finally {
    client?.close()
    if (leased && !leaseLost) {
      try {
        await store.peers.releaseLease(peer.id, owner)
      } catch (error) {
        report.errors.push(`peer ${peer.name}: releasing the run lease: ${errorMessage(error)}`)
      }
    }
    running.delete(peer.id)
  }
  finish(report, clock())
  options.onProgress?.({ kind: 'done', peer: peer.name, report })
  return report
}

/** Push for one map, after asking the peer's API root for its `max_content_length`. */
async function pushPart(run: RunContext, map: Peer['maps'][number]) {
  let maxContentLength = DEFAULT_MAX_CONTENT_LENGTH
  try {
    const info = await run.client.apiRoot(
      run.root,
      run.options.signal ? { signal: run.options.signal } : {},
    )
    maxContentLength = info.max_content_length
  } catch (error) {
    return {
      direction: 'push' as const,
      localCollectionId: map.localCollectionId,
      remoteCollectionId: map.remoteCollectionId,
      moved: 0,
      duplicates: 0,
      invalid: 0,
      failed: 0,
      heldBack: 0,
      danglingRefs: [],
      danglingCount: 0,
      position: null,
      error: `push ${map.localCollectionId} -> ${map.remoteCollectionId}: reading the peer's API root: ${errorMessage(error)}`,
    }
  }
  return pushCollection(run, map, maxContentLength)
}

/**
 * Runs every enabled peer (or only the one named), `concurrency` at a time. One peer's failure
 * or hang never stops the others; each report says how its peer fared. STORE_NOT_FOUND when
 * `peerName` names no peer.
 */
export async function syncAll(deps: SyncDeps, options: SyncAllOptions = {}): Promise<SyncReport[]> {
  let peers = await deps.store.peers.listPeers()
  if (options.peerName !== undefined) {
    peers = peers.filter((p) => p.name === options.peerName)
    if (peers.length === 0) {
      throw new AppError('STORE_NOT_FOUND', { detail: `no peer "${options.peerName}"` })
    }
  } else {
    peers = peers.filter((p) => p.enabled)
  }
  const limit = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY)
  const reports: SyncReport[] = new Array<SyncReport>(peers.length)
  let nextIndex = 0
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = nextIndex
      nextIndex += 1
      const peer = peers[index]
      if (peer === undefined) return
      reports[index] = await syncPeer(deps, peer, options)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, peers.length) }, worker))
  return reports
}

/**
 * What the next push to `peer` would send and hold back, version by version from the push
 * cursor, each with the code of the rule that decided: the sharing rule's (`FEDERATION_PEER`,
 * `PEER_ECHO`, `PEER_NO_ONWARD`, `RED_NOT_RECIPIENT`...) or the peer filter's (`FILTER_TYPE`,
 * `FILTER_LABEL`, `FILTER_TLP_CEILING`). Reads only this node.
 */
export async function previewPeer(
  deps: SyncDeps,
  peer: Peer,
  options: PreviewOptions = {},
): Promise<PreviewReport> {
  const store = deps.store
  const defaultTlp = await readDefaultTlp(store)
  const limit = Math.max(1, options.limit ?? 1000)
  const report: PreviewReport = {
    peerId: peer.id,
    peerName: peer.name,
    items: [],
    byRule: {},
    truncated: false,
  }
  for (const map of peer.maps) {
    const room = limit - report.items.length
    if (room <= 0) {
      report.truncated = true
      break
    }
    const { items, truncated } = await previewCollection(store, peer, map, defaultTlp, room)
    report.items.push(...items)
    if (truncated) report.truncated = true
  }
  for (const item of report.items) report.byRule[item.rule] = (report.byRule[item.rule] ?? 0) + 1
  return report
}
