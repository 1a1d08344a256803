/**
 * Shapes of the sync engine's API (issue 6): what it needs, what it is told, what it reports.
 */
import type { AuditLog } from '../audit/audit-log.js'
import type { RuleCode } from '../sharing/policy.js'
import type {
  CollectionMap,
  Peer,
  PeerAuth,
  PeerDirection,
  PeerFilter,
  SyncCursor,
  TombstoneApplication,
} from '../store/peer-store.js'
import type { Store } from '../store/store.js'
import type { FetchLike } from '../taxii/client/index.js'

/** What the engine runs on. Only `store` is required. */
export interface SyncDeps {
  store: Store
  /** The current time in microseconds since the epoch (default: the system clock). */
  clock?: () => number
  /** Where one line per notable event goes (invalid objects, errors); default: nowhere. */
  log?: (line: string) => void
  /**
   * Where inbound writes and tombstones applied here are audited (actor kind `peer`); default:
   * the store's audit log; `false`: nowhere.
   */
  audit?: AuditLog | false
  /** TAXII client settings for talking to peers (tests shorten timeouts and retries). */
  client?: {
    timeoutMs?: number
    retries?: number
    retryBaseDelayMs?: number
    maxRetryDelayMs?: number
    fetch?: FetchLike
    /** Give up following a push status after this long (default 60,000 ms). */
    statusTimeoutMs?: number
  }
  /**
   * Identifies this process in run leases (default: host name, process id and a random part).
   * Two processes must use different owners.
   */
  leaseOwner?: string
}

/** One step of a run, for progress on a terminal. */
export type SyncProgress =
  | { kind: 'start'; peer: string; direction: 'pull' | 'push'; localCollectionId: string }
  | {
      kind: 'page'
      peer: string
      direction: 'pull' | 'push'
      localCollectionId: string
      /** Objects moved so far in this direction and collection during this run. */
      moved: number
      /** Objects handled so far (moved, duplicates, invalid, held back). */
      seen: number
    }
  | { kind: 'tombstones'; peer: string; direction: 'pull' | 'push'; handled: number }
  | { kind: 'done'; peer: string; report: SyncReport }

/** Options of {@link syncPeer}. */
export interface SyncOptions {
  onProgress?: (event: SyncProgress) => void
  /** Stops the run between pages (the cursor stays at the last committed page). */
  signal?: AbortSignal
  /** Only these directions (default: what the peer's `direction` allows). */
  directions?: ReadonlyArray<'pull' | 'push'>
  /** Objects asked for per pulled page (default 1,000; the server may send fewer). */
  pullPageSize?: number
  /** Most objects per pushed envelope (default 500; also kept under `max_content_length`). */
  pushBatchSize?: number
  /**
   * Lease length while a run is in progress, in ms (default 2 minutes, renewed per page). A
   * process killed mid-run keeps its peer from other processes until the lease runs out; a page
   * that takes longer than this (slow peer, long retries) loses the lease and ends the run.
   */
  leaseMs?: number
}

/** Options of {@link syncAll}. */
export interface SyncAllOptions extends SyncOptions {
  /** Only the peer of this name. */
  peerName?: string
  /** Peers run at once (default 4). */
  concurrency?: number
}

/** The figures of one direction of one collection map in one run. */
export interface CollectionSyncReport {
  direction: 'pull' | 'push'
  localCollectionId: string
  remoteCollectionId: string
  /** Versions stored (pull) or acknowledged by the peer (push). */
  moved: number
  /** Versions already there (pull: duplicates; push: the peer reported them stored). */
  duplicates: number
  /** Pull: invalid objects received, not stored. */
  invalid: number
  /** Push: versions the peer refused (its status failures). */
  failed: number
  /** Push: versions the rule or the peer filter kept back. */
  heldBack: number
  /**
   * Push: referenced ids that could not be sent with the objects naming them (the first 1,000;
   * `danglingCount` counts them all).
   */
  danglingRefs: string[]
  /** Push: how many distinct referenced ids could not be sent. */
  danglingCount: number
  /** The cursor after the run. */
  position: string | null
  /** The error that ended this part of the run, if any. */
  error?: string
}

/** The outcome of one run for one peer. */
export interface SyncReport {
  peerId: string
  peerName: string
  startedAt: string
  finishedAt: string
  /** True when every part of the run succeeded. */
  ok: boolean
  /** True when another run of this peer held the lease, so nothing was done. */
  skipped: boolean
  collections: CollectionSyncReport[]
  tombstones: {
    /** Tombstones learned from the peer and applied here. */
    pulled: number
    /** Tombstones sent to the peer (applied or absent there). */
    pushed: number
    /** Tombstones the peer refused. */
    failed: number
  }
  /** Totals over `collections`. */
  pulled: number
  pushed: number
  invalid: number
  /** Distinct referenced ids that could not be sent, over `collections`. */
  danglingRefs: number
  /** The errors of the run, each naming the part that failed. */
  errors: string[]
}

/**
 * Reason codes of the peer filter, beside the sharing rule's codes; `PEER_PULL_ONLY` when the
 * peer's direction is `pull`, so nothing is pushed to it.
 */
export type FilterCode = 'FILTER_TYPE' | 'FILTER_LABEL' | 'FILTER_TLP_CEILING' | 'PEER_PULL_ONLY'

/** One version the next push would send or hold back, with the rule that decided. */
export interface PreviewItem {
  localCollectionId: string
  remoteCollectionId: string
  id: string
  type: string
  version: string
  dateAdded: string
  send: boolean
  /** The sharing rule's code (`FEDERATION_PEER`, `PEER_ECHO`...) or a peer filter code. */
  rule: RuleCode | FilterCode
  reason: string
}

/** What the next push of a peer would send and hold back. */
export interface PreviewReport {
  peerId: string
  peerName: string
  items: PreviewItem[]
  /** Counts by rule code. */
  byRule: Record<string, number>
  /** True when `limit` cut the list short. */
  truncated: boolean
}

/** Options of {@link previewPeer}. */
export interface PreviewOptions {
  /** Most versions listed (default 1,000). */
  limit?: number
}

/** What {@link addPeer} needs; defaults: direction `both`, no filter, tombstones on, enabled. */
export interface NewPeer {
  name: string
  url: string
  auth: PeerAuth
  direction?: PeerDirection
  /** The peer's organisation on this node: an id or a name. */
  org: string
  /** Local collection (id or alias) → remote collection id. */
  maps: Array<{ local: string; remote: string }>
  filter?: PeerFilter
  applyTombstones?: boolean
  enabled?: boolean
}

/** A change to a peer: only the given fields change. */
export interface PeerChanges {
  url?: string
  auth?: PeerAuth
  direction?: PeerDirection
  maps?: Array<{ local: string; remote: string }>
  filter?: PeerFilter
  applyTombstones?: boolean
  enabled?: boolean
}

/** A peer as listings show it: everything but the credentials. */
export interface PeerSummary {
  id: string
  name: string
  url: string
  /** The kind of credentials only (`none`, `basic`, `bearer`); never the secret. */
  authKind: PeerAuth['kind']
  /** For Basic: the user name (not secret). */
  authUser?: string
  direction: PeerDirection
  orgId: string
  maps: CollectionMap[]
  filter: PeerFilter
  applyTombstones: boolean
  enabled: boolean
  createdAt: string
}

/** `peer status`: the peer, its cursors and what became of tombstones there. */
export interface PeerStatus {
  peer: PeerSummary
  cursors: SyncCursor[]
  tombstones: TombstoneApplication[]
  /** Over the cursors: the latest `lastRunAt`/`lastSuccessAt`, the sums of moved counts. */
  lastRunAt: string | null
  lastSuccessAt: string | null
  movedTotal: number
  movedLastRun: number
  invalidTotal: number
  danglingLastRun: number
  /** The largest lag over the object cursors (microseconds), null before any run. */
  lagMicros: number | null
  /** The last errors per cursor that has one. */
  errors: string[]
}

/** The inbound key made by {@link createPeerKey}: the secret is shown once, then only hashed. */
export interface PeerKey {
  /** The full API key (`imk_...`): give it to the peer's operator. */
  key: string
  keyId: string
  prefix: string
  userId: string
  userName: string
}

export type { Peer }
