/**
 * The `Store` port: everything intelmesh keeps, behind one interface with two adapters
 * (`sqlite/`, the embedded default, and `postgres/`). Every method is async, even over the
 * synchronous better-sqlite3 driver, so callers never care which back end they hold.
 *
 * Rows here are plain records, not zod shapes. STIX JSON is kept exactly as received
 * (`json`), with the platform's own metadata in columns beside it, never inside the object.
 */

import type { PeerStore } from './peer-store.js'

/** TLP levels, least to most restrictive (TLP 1.0 WHITE is stored as `clear`). */
export type TlpLevel = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red'

/** Who an object version is distributed to (see DESIGN.md, Sharing model). */
export type DistributionScope = 'organisation' | 'groups' | 'community' | 'federation'

export interface Distribution {
  scope: DistributionScope
  /** Sharing group ids, when `scope` is `groups`. */
  groups: string[]
  /** Named recipient organisation ids (TLP:RED, or explicit recipients). */
  recipients: string[]
}

export type Role = 'admin' | 'analyst' | 'reader'

export interface Organisation {
  id: string
  name: string
  /** The organisation's STIX identity id (`identity--...`). */
  identityId: string
  createdAt: string
}

export interface User {
  id: string
  orgId: string
  name: string
  role: Role
  /** The password hash string (scheme-prefixed, e.g. `scrypt$...`), or null for key-only users. */
  passwordHash: string | null
  disabled: boolean
  createdAt: string
}

export interface ApiKey {
  id: string
  userId: string
  /** A short non-secret prefix shown in listings to tell keys apart. */
  prefix: string
  /** Hash of the whole key (the key itself is shown once and never stored). */
  keyHash: string
  label: string
  revoked: boolean
  createdAt: string
  lastUsedAt: string | null
  /**
   * Set when the key belongs to a peer node (issue 6): whoever holds it is that peer, reading
   * by outbound-sync rules and writing with the peer as origin. Null for a person's key.
   */
  peerId: string | null
}

export interface ApiRoot {
  id: string
  /** The URL path segment, e.g. `api1` for `/api1/`. */
  path: string
  title: string
  description: string | null
  maxContentLength: number
  createdAt: string
}

export interface Collection {
  /** The TAXII collection id (a UUID). */
  id: string
  apiRootId: string
  /** A short unique name for the CLI (`collection grant <name>`). */
  alias: string
  title: string
  description: string | null
  mediaTypes: string[]
  /** Default distribution for objects posted here when the publisher names none. */
  defaultDistribution: Distribution
  /**
   * Open to unauthenticated readers: they see only what the sharing rule gives the public
   * (TLP:CLEAR distributed to the federation). False unless an admin opens it.
   */
  public: boolean
  createdAt: string
}

/**
 * A sharing group (issue 5): a named set of organisations, owned by one organisation whose
 * admins add and remove members. Membership is read at each request, so a removal takes
 * effect at once.
 */
export interface SharingGroup {
  id: string
  /** Unique on the node. */
  name: string
  ownerOrgId: string
  description: string
  /** Member organisation ids (the owner is not implicitly a member). */
  members: string[]
  createdAt: string
}

/**
 * The widest sharing a role or user of an organisation may publish with (issue 5,
 * "Ceilings"). `tlp` is the least restrictive TLP allowed (e.g. `amber`: AMBER, AMBER+STRICT
 * and RED are allowed, GREEN and CLEAR refused); `scope` the widest distribution scope, in the
 * order organisation < groups < community < federation. Absent: no cap on that axis.
 */
export interface SharingCeiling {
  tlp?: TlpLevel
  scope?: DistributionScope
}

/** An organisation's publishing defaults and caps (issue 5). */
export interface OrganisationSharing {
  /** Distribution for its objects when neither the POST nor the object names one; else the collection's. */
  defaultDistribution: Distribution | null
  /** Publish anonymously unless the POST or the object says otherwise. */
  anonymousByDefault: boolean
  ceilings: {
    roles: Partial<Record<Role, SharingCeiling>>
    /** By user id. A user's own ceiling replaces their role's. */
    users: Record<string, SharingCeiling>
  }
}

/**
 * The sharing rule (`src/sharing/policy.ts`, `decideVisibility`) as the facts the store needs to
 * apply it as a query filter, so `limit` pages are full and paging never leaks. Built per request
 * by `src/sharing` (current group memberships, the node default TLP); the store must return
 * exactly the versions `decideVisibility` calls visible, rows whose TLP or scope is unknown
 * hidden from all (fail closed). A stored `tlp` of null reads as `defaultTlp`.
 */
export type VisibilityFilter =
  | {
      kind: 'user'
      orgId: string
      /** The viewer is an admin of the node's own organisation (sees NODE_OWN versions). */
      isNodeAdmin: boolean
      /** The viewer's organisation is on this node (the community). */
      onNode: boolean
      /** The sharing groups whose current members include the viewer's organisation. */
      groupIds: readonly string[]
      defaultTlp: TlpLevel
    }
  | { kind: 'public'; collectionPublic: boolean; defaultTlp: TlpLevel }
  | { kind: 'peer'; peerId: string; orgId: string; defaultTlp: TlpLevel }

/** A read/write grant on a collection to an organisation (all its users) or to one user. */
export interface CollectionGrant {
  collectionId: string
  subjectKind: 'org' | 'user'
  subjectId: string
  canRead: boolean
  canWrite: boolean
}

/** One stored version of one STIX object in one collection. */
export interface StoredObjectVersion {
  collectionId: string
  /** STIX id, e.g. `indicator--...`. */
  id: string
  type: string
  specVersion: string
  /**
   * The version as received: `modified`, else `created`, else empty string for objects
   * without either (most SCOs). Exactly the received string.
   */
  version: string
  /** The same instant, normalised for ordering (fixed-width, microsecond or better). */
  versionKey: string
  /** Server-assigned, unique and strictly increasing per collection; RFC 3339 with microseconds. */
  dateAdded: string
  /** `dateAdded` as microseconds since the epoch, for ordering and cursors. */
  dateAddedMicros: number
  /** The STIX JSON exactly as received. */
  json: string
  /** Publishing organisation id, or null when unknown (e.g. seeded system objects). */
  publisherOrgId: string | null
  /** The user, key or peer that wrote it. */
  publisherActor: string | null
  /** `object_marking_refs` of the object as received. */
  markingRefs: string[]
  /** The effective TLP decided at ingest (null when the node default applies at read). */
  tlp: TlpLevel | null
  distribution: Distribution
  /** Publish with `created_by_ref` replaced by the alliance identity for other viewers. */
  anonymous: boolean
  /** The peer this version came from, or null when published on this node. */
  originPeer: string | null
  /** True for revoked versions (`revoked: true` in the JSON), indexed for cheap filters. */
  revoked: boolean
}

/** What the caller supplies to store one version; the store assigns `dateAdded`. */
export type NewObjectVersion = Omit<StoredObjectVersion, 'dateAdded' | 'dateAddedMicros'>

export type AddResult =
  | { id: string; version: string; outcome: 'added'; dateAdded: string }
  | { id: string; version: string; outcome: 'duplicate'; dateAdded: string }

/** `match[version]` (TAXII 2.1 section 3.4.2). */
export type VersionMatch =
  | { kind: 'last' }
  | { kind: 'first' }
  | { kind: 'all' }
  /** Exact versions, as normalised `versionKey` strings (see `toVersionKey` in timestamps.ts). */
  | { kind: 'exact'; keys: string[] }
  /** A comma list mixing keywords and exact versions: the union of each. */
  | { kind: 'union'; parts: VersionMatch[] }

export interface ObjectQuery {
  collectionId: string
  /** `added_after`, as microseconds since the epoch (exclusive). */
  addedAfterMicros?: number
  ids?: string[]
  types?: string[]
  /** Default when absent: `last`. */
  versions?: VersionMatch
  specVersions?: string[]
  /** Page size; the caller has already applied the server's maximum. */
  limit: number
  /** Keyset cursor from a previous page's `next`: continue after this `dateAddedMicros`. */
  afterMicros?: number
  /**
   * Only the versions this viewer may see (absent: every version, for node tooling). Under a
   * filter, `first`/`last` are the first/last among the versions the viewer sees, so an
   * invisible newer version neither shows nor hides an older visible one.
   */
  visibility?: VisibilityFilter
}

export interface ObjectPage {
  items: StoredObjectVersion[]
  /** True when more matching versions follow the last item. */
  more: boolean
}

/**
 * A page of `queryObjectJson`: only what a TAXII envelope needs, in two parallel lists in
 * page order (no per-row object, so paging costs little more than the query).
 */
export interface ObjectJsonPage {
  /** Each version's JSON as stored. */
  json: string[]
  /** Each version's `dateAddedMicros`. */
  dateAddedMicros: number[]
  /**
   * Each version: true when the viewer must receive it anonymised (published anonymously and
   * the viewer is not of the publishing organisation; always false without a visibility filter).
   */
  masked: boolean[]
  /** Each version's STIX id. */
  ids: string[]
  /** Each version's stored TLP (null: none declared, the node default applies). */
  tlp: (TlpLevel | null)[]
  /** True when more matching versions follow the last item. */
  more: boolean
}

/** Statuses of an add-objects request (TAXII 2.1 section 4.3.1). */
export interface StatusRecord {
  id: string
  apiRootId: string
  /** Who may read it (the requester's user id). */
  ownerUserId: string
  status: 'pending' | 'complete'
  requestTimestamp: string
  totalCount: number
  successes: StatusDetail[]
  failures: StatusDetail[]
  pendings: StatusDetail[]
  /** When the record may be removed (at least 24 hours after completion). */
  expiresAt: string
}

export interface StatusDetail {
  id: string
  version: string
  message?: string
}

export interface StoreCapabilities {
  dialect: 'sqlite' | 'postgres'
  /** True when several processes may safely share the database. */
  multiProcess: boolean
}

/**
 * One entry of the audit log as stored. The store keeps the strings exactly as written (the
 * hash chain is computed over them by `src/audit`), so kinds and actions are plain strings here.
 */
export interface AuditRecord {
  /** Position in the log: 1, 2, 3... without gaps. */
  seq: number
  /** When it happened, RFC 3339 UTC. */
  ts: string
  /** `ts` as microseconds since the epoch (indexed for `--since`; not part of the hash). */
  tsMicros: number
  /** `user`, `key`, `peer`, `system` or `anonymous` (see `src/audit`). */
  actorKind: string
  actorId: string
  action: string
  /** The ids of the objects concerned, as the JSON array text stored. */
  objectIds: string
  collectionId: string | null
  outcome: string
  /** More about the event, as the JSON object text stored. */
  details: string
  /** The hash of the previous entry (a fixed genesis value for entry 1). */
  prevHash: string
  hash: string
}

/**
 * Builds the records to append from the last stored entry (undefined for an empty log). Called
 * by `appendAudit` inside its transaction, while it holds the log's write lock.
 */
export type AuditSealer = (last: AuditRecord | undefined) => AuditRecord[]

/** Which audit entries `listAudit` returns: every condition given must hold. */
export interface AuditFilter {
  /** Keyset cursor: only entries after this sequence number. */
  afterSeq?: number
  /** Only entries at or after this instant (microseconds since the epoch). */
  sinceMicros?: number
  actorId?: string
  actorKind?: string
  action?: string
  /** Only entries naming this object id among their object ids. */
  objectId?: string
  /** Most entries returned (a page). */
  limit: number
}

export interface Store {
  readonly capabilities: StoreCapabilities
  /** Peers, sync cursors and tombstones (issue 6; see `peer-store.ts`). */
  readonly peers: PeerStore

  /** Apply every pending schema migration; returns the versions applied. Idempotent. */
  migrate(): Promise<number[]>
  /** The schema version the database is at. */
  schemaVersion(): Promise<number>
  close(): Promise<void>

  // Node settings (small key/value pairs: node name, default TLP, alliance identity...)
  getSetting(key: string): Promise<string | undefined>
  setSetting(key: string, value: string): Promise<void>

  // Organisations
  createOrganisation(org: Organisation): Promise<void>
  getOrganisation(id: string): Promise<Organisation | undefined>
  getOrganisationByName(name: string): Promise<Organisation | undefined>
  listOrganisations(): Promise<Organisation[]>

  // Users
  createUser(user: User): Promise<void>
  getUser(id: string): Promise<User | undefined>
  getUserByName(name: string): Promise<User | undefined>
  listUsers(orgId?: string): Promise<User[]>
  setUserDisabled(id: string, disabled: boolean): Promise<boolean>
  setUserPassword(id: string, passwordHash: string): Promise<boolean>
  /** Changes a user's role; false for an unknown user. */
  setUserRole(id: string, role: Role): Promise<boolean>

  // API keys
  createApiKey(key: ApiKey): Promise<void>
  getApiKeyByPrefix(prefix: string): Promise<ApiKey | undefined>
  listApiKeys(userId?: string): Promise<ApiKey[]>
  revokeApiKey(id: string): Promise<boolean>
  touchApiKey(id: string, at: string): Promise<void>

  // API roots and collections
  createApiRoot(root: ApiRoot): Promise<void>
  getApiRootByPath(path: string): Promise<ApiRoot | undefined>
  listApiRoots(): Promise<ApiRoot[]>
  createCollection(collection: Collection): Promise<void>
  getCollection(id: string): Promise<Collection | undefined>
  getCollectionByAlias(alias: string): Promise<Collection | undefined>
  listCollections(apiRootId?: string): Promise<Collection[]>
  /** Change a collection's title, description, default distribution or public flag. */
  updateCollection(
    id: string,
    changes: Partial<Pick<Collection, 'title' | 'description' | 'defaultDistribution' | 'public'>>,
  ): Promise<boolean>
  /** Insert or replace the grant for (collection, subject). */
  setCollectionGrant(grant: CollectionGrant): Promise<void>
  listCollectionGrants(collectionId?: string): Promise<CollectionGrant[]>
  /** Remove the grant for (collection, subject); false when there was none. */
  deleteCollectionGrant(
    collectionId: string,
    subjectKind: CollectionGrant['subjectKind'],
    subjectId: string,
  ): Promise<boolean>

  // Sharing (issue 5)
  /** Store a new group with its members (STORE_CONFLICT when the name is taken). */
  createSharingGroup(group: SharingGroup): Promise<void>
  getSharingGroup(id: string): Promise<SharingGroup | undefined>
  getSharingGroupByName(name: string): Promise<SharingGroup | undefined>
  /** Every group, or those owned by or including `orgId`. */
  listSharingGroups(orgId?: string): Promise<SharingGroup[]>
  /** The ids of the groups whose members include `orgId` (read per request by the rule). */
  groupIdsOfOrganisation(orgId: string): Promise<string[]>
  updateSharingGroup(id: string, changes: { description?: string }): Promise<boolean>
  /** Adds a member; false when already a member. STORE_NOT_FOUND for an unknown group. */
  addSharingGroupMember(groupId: string, orgId: string): Promise<boolean>
  /** Removes a member; false when not a member. */
  removeSharingGroupMember(groupId: string, orgId: string): Promise<boolean>
  deleteSharingGroup(id: string): Promise<boolean>
  /** The organisation's sharing defaults and ceilings (defaults when never set). */
  getOrganisationSharing(orgId: string): Promise<OrganisationSharing>
  setOrganisationSharing(orgId: string, sharing: OrganisationSharing): Promise<void>

  // Objects
  /**
   * Store the versions in one transaction, in order, assigning each new one a `dateAdded`
   * that is unique and strictly increasing within its collection (never earlier than
   * `nowMicros`). A version already stored (same collection, id and version) is a
   * `duplicate`, not stored again. Either all of it is committed or none of it.
   */
  addObjects(versions: NewObjectVersion[], nowMicros: number): Promise<AddResult[]>
  /**
   * Versions matching the query, ordered by `dateAddedMicros` ascending. `first`/`last` are the
   * versions with the lowest/highest `versionKey` among all versions of the object in the
   * collection; the other filters (added_after, ids, types, spec versions) then apply to them.
   */
  queryObjects(query: ObjectQuery): Promise<ObjectPage>
  /**
   * Every version of one object in a collection, oldest `dateAdded` first; with `visibility`,
   * only those the viewer may see.
   */
  getObjectVersions(
    collectionId: string,
    id: string,
    visibility?: VisibilityFilter,
  ): Promise<StoredObjectVersion[]>
  /** Every stored version of one object id in any collection (for `sharing explain`). */
  findObjectVersions(id: string): Promise<StoredObjectVersion[]>
  /**
   * Delete the versions matching (id, versions, specVersions); returns how many. Without
   * `versions` every version goes (TAXII 2.1 section 5.7 deletes "an object"); `first`/`last`
   * name the versions that were first/last before the call.
   */
  deleteObjects(
    collectionId: string,
    id: string,
    versions?: VersionMatch,
    specVersions?: string[],
  ): Promise<number>
  countObjects(collectionId?: string): Promise<number>

  // Status resources
  createStatus(status: StatusRecord): Promise<void>
  updateStatus(status: StatusRecord): Promise<void>
  getStatus(id: string): Promise<StatusRecord | undefined>
  /** Remove statuses whose `expiresAt` is before `now`; returns how many. */
  purgeStatuses(now: string): Promise<number>

  // Audit log (append-only, hash-chained by src/audit)
  /**
   * Appends to the audit log in one transaction holding the log's write lock, so appends from
   * several processes queue up (SQLite `BEGIN IMMEDIATE`; PostgreSQL `LOCK TABLE ... IN
   * EXCLUSIVE MODE`): reads the last entry, hands it to `seal`, and inserts the records it
   * returns, which must continue the log (sequence numbers from the last one plus 1, the first
   * `prevHash` equal to the last hash; else AUDIT_INVALID_ENTRY and nothing is written).
   * Returns the records stored.
   */
  appendAudit(seal: AuditSealer): Promise<AuditRecord[]>
  /** Entries matching the filter, by ascending sequence number, at most `filter.limit`. */
  listAudit(filter: AuditFilter): Promise<AuditRecord[]>
  /** The entry with the highest sequence number, or undefined for an empty log. */
  lastAudit(): Promise<AuditRecord | undefined>

  /**
   * The same versions as `queryObjects(query)`, in the same order and with the same `more`, but
   * only their JSON and `dateAddedMicros` (the envelope of Get Objects, TAXII 2.1 section 5.4).
   */
  queryObjectJson(query: ObjectQuery): Promise<ObjectJsonPage>
}
