/**
 * What one run of one peer carries around: the peer, its TAXII client, the node facts read
 * once, the report being filled, and cursor helpers.
 * @internal
 */
import type { CollectionMap, CursorDirection, Peer, SyncCursor } from '../store/peer-store.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { Store, TlpLevel } from '../store/store.js'
import type { TaxiiClient } from '../taxii/client/index.js'
import type { CollectionSyncReport, SyncOptions, SyncReport } from './types.js'

/** @internal */
export interface RunContext {
  store: Store
  peer: Peer
  client: TaxiiClient
  /** The peer's API root URL, as the client's root reference. */
  root: string
  clock: () => number
  log: (line: string) => void
  options: SyncOptions
  report: SyncReport
  defaultTlp: TlpLevel
  nodeOrgId: string | undefined
  allianceIdentityId: string | undefined
  /** How long to follow a push status before giving up (the client's default when absent). */
  statusTimeoutMs: number | undefined
  audit: AuditLog | undefined
  /** Extends the run lease; call between pages. */
  renewLease(): Promise<void>
  /** Throws when the run was asked to stop. */
  checkStop(): void
}

/** The empty report of one collection map in one direction, filled in by its run. @internal */
export function emptyCollectionReport(
  direction: CollectionSyncReport['direction'],
  map: CollectionMap,
): CollectionSyncReport {
  return {
    direction,
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
  }
}

/** A cursor as stored, or a fresh one at the start. @internal */
export async function loadCursor(
  store: Store,
  peerId: string,
  localCollectionId: string,
  remoteCollectionId: string,
  direction: CursorDirection,
): Promise<SyncCursor> {
  const found = await store.peers.getCursor(
    peerId,
    localCollectionId,
    remoteCollectionId,
    direction,
  )
  return (
    found ?? {
      peerId,
      localCollectionId,
      remoteCollectionId,
      direction,
      position: null,
      lastRunAt: null,
      lastSuccessAt: null,
      movedTotal: 0,
      movedLastRun: 0,
      invalidTotal: 0,
      danglingLastRun: 0,
      lastError: null,
      lagMicros: null,
    }
  )
}

/** The message of any thrown value, on one line. @internal */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/\s+/g, ' ').trim()
}
