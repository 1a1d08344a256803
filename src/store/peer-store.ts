/**
 * The federation half of the Store port (issue 6): peers, their sync cursors, tombstones and
 * run leases. Kept apart from `store.ts` so that the sync work can grow it on its own; both
 * adapters expose it as `store.peers`, implemented once in `sql/peer-records.ts`.
 *
 * Outbound credentials (`Peer.auth`) are stored usable, not hashed: this node must present them
 * to the peer. Anyone who can read the database can read them; listings and logs never show them.
 */
import type { TlpLevel } from './store.js'

/** How this node authenticates to a peer's TAXII server. */
export type PeerAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string }

/** Which way objects move between this node and a peer. */
export type PeerDirection = 'pull' | 'push' | 'both'

/** One local collection synced with one collection of the peer. */
export interface CollectionMap {
  localCollectionId: string
  remoteCollectionId: string
}

/**
 * What may move to or from a peer, on top of the sharing rule. Absent or empty: no limit on
 * that axis. `types`: the STIX types that move. `labels`: an object passes when it carries at
 * least one of them. `tlpCeiling`: the most restrictive TLP that moves (e.g. `green`: CLEAR and
 * GREEN move, AMBER and above stay).
 */
export interface PeerFilter {
  types?: string[]
  labels?: string[]
  tlpCeiling?: TlpLevel
}

/** A peer node this node syncs with over TAXII 2.1. */
export interface Peer {
  id: string
  /** Unique on the node; the inbound key's user is `peer-<name>`. */
  name: string
  /** The peer's TAXII API root URL, e.g. `https://peer.example.org/api1/`. */
  url: string
  auth: PeerAuth
  direction: PeerDirection
  /**
   * The peer's organisation on this node: inbound objects are published as it, and outbound
   * sync reads as the rule's peer viewer with this organisation.
   */
  orgId: string
  maps: CollectionMap[]
  filter: PeerFilter
  /** Apply deletions (tombstones) to and from this peer. */
  applyTombstones: boolean
  enabled: boolean
  createdAt: string
}

/** The kinds of cursor kept per peer. */
export type CursorDirection = 'pull' | 'push' | 'tombstone-pull' | 'tombstone-push'

/**
 * Where sync stands for one (peer, local collection, remote collection, direction), plus the
 * figures of its runs. Tombstone cursors are per peer: their collection ids are `*`.
 */
export interface SyncCursor {
  peerId: string
  localCollectionId: string
  remoteCollectionId: string
  direction: CursorDirection
  /**
   * The position: pull → the remote's last `X-TAXII-Date-Added-Last` (resume with
   * `added_after`); push → the last acknowledged local `dateAddedMicros`, as decimal text;
   * tombstones → the last tombstone sequence number handled, as decimal text. Null: from the start.
   */
  position: string | null
  /** When the last run started (RFC 3339), or null before the first. */
  lastRunAt: string | null
  /** When a run last finished without error. */
  lastSuccessAt: string | null
  /** Objects (or tombstones) moved over all runs. */
  movedTotal: number
  /** Objects (or tombstones) moved by the last run. */
  movedLastRun: number
  /** Invalid objects received over all runs (pull). */
  invalidTotal: number
  /** References that could not be sent in the last run (push). */
  danglingLastRun: number
  /** The last run's error, or null when it succeeded. */
  lastError: string | null
  /**
   * How far behind the last run left this cursor, in microseconds: 0 when it caught up, else
   * the time between the position and the newest item seen. Null before the first run.
   */
  lagMicros: number | null
}

/** A deletion at this node that peers may apply (issue 6, "Retraction travels"). */
export interface Tombstone {
  /** Position in this node's tombstone sequence: 1, 2, 3... */
  seq: number
  collectionId: string
  objectId: string
  /** The versions removed (as received `modified` strings), or null when every version went. */
  versions: string[] | null
  /** When it was deleted, RFC 3339 UTC. */
  deletedAt: string
  /** The peer the deletion came from (a tombstone learned by pull), or null when local. */
  originPeer: string | null
}

/** A tombstone before the store numbers it. */
export type NewTombstone = Omit<Tombstone, 'seq'>

/** What became of a tombstone at one peer. */
export interface TombstoneApplication {
  peerId: string
  seq: number
  /** `applied`: deleted there; `absent`: the peer had nothing to delete; `failed`: see message. */
  outcome: 'applied' | 'absent' | 'failed'
  message: string | null
  at: string
}

export interface PeerStore {
  /** Stores a new peer (STORE_CONFLICT when the name or id is taken). */
  createPeer(peer: Peer): Promise<void>
  getPeer(id: string): Promise<Peer | undefined>
  getPeerByName(name: string): Promise<Peer | undefined>
  listPeers(): Promise<Peer[]>
  /** Replaces the peer's settings (all but id and createdAt); false for an unknown peer. */
  updatePeer(peer: Peer): Promise<boolean>
  /** Removes the peer with its cursors, leases and tombstone applications. */
  deletePeer(id: string): Promise<boolean>

  /** The peer's cursors (every direction and collection). */
  listCursors(peerId: string): Promise<SyncCursor[]>
  getCursor(
    peerId: string,
    localCollectionId: string,
    remoteCollectionId: string,
    direction: CursorDirection,
  ): Promise<SyncCursor | undefined>
  /** Inserts or replaces the cursor row for its key. */
  saveCursor(cursor: SyncCursor): Promise<void>

  /** Appends a tombstone, numbering it after the last one. Returns it. */
  addTombstone(tombstone: NewTombstone): Promise<Tombstone>
  /** Tombstones after `afterSeq`, ascending, at most `limit`. */
  listTombstones(afterSeq: number, limit: number): Promise<Tombstone[]>
  /** Records (or replaces) what became of a tombstone at a peer. */
  recordTombstoneApplication(application: TombstoneApplication): Promise<void>
  /** What became of tombstones at a peer (all peers when absent), by ascending seq. */
  listTombstoneApplications(peerId?: string): Promise<TombstoneApplication[]>

  /**
   * Takes the run lease of a peer for `owner` until `untilMicros`, when it is free, expired
   * (before `nowMicros`) or already `owner`'s. True when taken: two processes sharing the
   * database never run the same peer at once.
   */
  acquireLease(
    peerId: string,
    owner: string,
    nowMicros: number,
    untilMicros: number,
  ): Promise<boolean>
  /** Gives the lease back (only when `owner` holds it). */
  releaseLease(peerId: string, owner: string): Promise<void>
}
