/**
 * The `PeerStore` (peers, cursors, tombstones, run leases) written once with Kysely over either
 * dialect, like `records.ts`. Driver errors go through the adapter's `mapError`. Tables come
 * from migration 4 (`peers`, `sync_cursors`, `tombstones`, `tombstone_applications`,
 * `sync_leases`).
 */
import type { Kysely } from 'kysely'
import { isTlpLevel } from '../../sharing/tlp.js'
import type {
  CollectionMap,
  CursorDirection,
  NewTombstone,
  Peer,
  PeerAuth,
  PeerDirection,
  PeerFilter,
  PeerStore,
  SyncCursor,
  Tombstone,
  TombstoneApplication,
} from '../peer-store.js'

type Bool = number | boolean
type BigIntColumn = number | string

/** Kysely's view of the federation tables. */
export interface PeerTables {
  peers: {
    id: string
    name: string
    url: string
    auth: string
    direction: string
    org_id: string
    maps: string
    filter: string
    apply_tombstones: Bool
    enabled: Bool
    created_at: string
  }
  sync_cursors: {
    peer_id: string
    local_collection_id: string
    remote_collection_id: string
    direction: string
    position: string | null
    last_run_at: string | null
    last_success_at: string | null
    moved_total: BigIntColumn
    moved_last_run: BigIntColumn
    invalid_total: BigIntColumn
    dangling_last_run: BigIntColumn
    last_error: string | null
    lag_micros: BigIntColumn | null
  }
  tombstones: {
    seq: BigIntColumn
    collection_id: string
    object_id: string
    versions: string | null
    deleted_at: string
    origin_peer: string | null
  }
  tombstone_applications: {
    peer_id: string
    seq: BigIntColumn
    outcome: string
    message: string | null
    at: string
  }
  sync_leases: {
    peer_id: string
    owner: string
    expires_micros: BigIntColumn
  }
}

type PeerRow = PeerTables['peers']
type CursorRow = PeerTables['sync_cursors']
type TombstoneRow = PeerTables['tombstones']
type ApplicationRow = PeerTables['tombstone_applications']

function truthy(value: Bool): boolean {
  return value === true || value === 1
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new Error(`stored ${what} is not JSON`, { cause: error })
  }
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined
}

function authOf(json: string): PeerAuth {
  const raw = record(parseJson(json, 'peer auth'))
  switch (raw['kind']) {
    case 'basic':
      return { kind: 'basic', username: text(raw['username']), password: text(raw['password']) }
    case 'bearer':
      return { kind: 'bearer', token: text(raw['token']) }
    default:
      return { kind: 'none' }
  }
}

function mapsOf(json: string): CollectionMap[] {
  const raw = parseJson(json, 'peer maps')
  if (!Array.isArray(raw)) return []
  return raw.map((entry) => {
    const map = record(entry)
    return {
      localCollectionId: text(map['localCollectionId']),
      remoteCollectionId: text(map['remoteCollectionId']),
    }
  })
}

function filterOf(json: string): PeerFilter {
  const raw = record(parseJson(json, 'peer filter'))
  const filter: PeerFilter = {}
  const types = strings(raw['types'])
  if (types !== undefined && types.length > 0) filter.types = types
  const labels = strings(raw['labels'])
  if (labels !== undefined && labels.length > 0) filter.labels = labels
  if (isTlpLevel(raw['tlpCeiling'])) filter.tlpCeiling = raw['tlpCeiling']
  return filter
}

const DIRECTIONS: readonly string[] = ['pull', 'push', 'both']

function peerOf(row: PeerRow): Peer {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    auth: authOf(row.auth),
    // An unknown stored direction moves nothing rather than guessing one.
    direction: (DIRECTIONS.includes(row.direction) ? row.direction : 'pull') as PeerDirection,
    orgId: row.org_id,
    maps: mapsOf(row.maps),
    filter: filterOf(row.filter),
    applyTombstones: truthy(row.apply_tombstones),
    enabled: truthy(row.enabled) && DIRECTIONS.includes(row.direction),
    createdAt: row.created_at,
  }
}

function cursorOf(row: CursorRow): SyncCursor {
  return {
    peerId: row.peer_id,
    localCollectionId: row.local_collection_id,
    remoteCollectionId: row.remote_collection_id,
    direction: row.direction as CursorDirection,
    position: row.position,
    lastRunAt: row.last_run_at,
    lastSuccessAt: row.last_success_at,
    movedTotal: Number(row.moved_total),
    movedLastRun: Number(row.moved_last_run),
    invalidTotal: Number(row.invalid_total),
    danglingLastRun: Number(row.dangling_last_run),
    lastError: row.last_error,
    lagMicros: row.lag_micros === null ? null : Number(row.lag_micros),
  }
}

function tombstoneOf(row: TombstoneRow): Tombstone {
  return {
    seq: Number(row.seq),
    collectionId: row.collection_id,
    objectId: row.object_id,
    versions: row.versions === null ? null : (strings(parseJson(row.versions, 'versions')) ?? []),
    deletedAt: row.deleted_at,
    originPeer: row.origin_peer,
  }
}

function applicationOf(row: ApplicationRow): TombstoneApplication {
  const outcome = row.outcome === 'applied' || row.outcome === 'absent' ? row.outcome : 'failed'
  return {
    peerId: row.peer_id,
    seq: Number(row.seq),
    outcome,
    message: row.message,
    at: row.at,
  }
}

/** Builds the adapter's `peers` from its Kysely instance. */
export function createPeerRecords(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  anyDb: Kysely<any>,
  bool: (value: boolean) => Bool,
  mapError: (error: unknown, what: string) => unknown,
): PeerStore {
  const db = anyDb as Kysely<PeerTables>

  async function run<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw mapError(error, what)
    }
  }

  function peerRow(peer: Peer): PeerRow {
    return {
      id: peer.id,
      name: peer.name,
      url: peer.url,
      auth: JSON.stringify(peer.auth),
      direction: peer.direction,
      org_id: peer.orgId,
      maps: JSON.stringify(peer.maps),
      filter: JSON.stringify(peer.filter),
      apply_tombstones: bool(peer.applyTombstones),
      enabled: bool(peer.enabled),
      created_at: peer.createdAt,
    }
  }

  return {
    createPeer: (peer) =>
      run(`creating peer ${peer.name}`, async () => {
        await db.insertInto('peers').values(peerRow(peer)).execute()
      }),

    getPeer: (id) =>
      run(`reading peer ${id}`, async () => {
        const row = await db.selectFrom('peers').selectAll().where('id', '=', id).executeTakeFirst()
        return row === undefined ? undefined : peerOf(row)
      }),

    getPeerByName: (name) =>
      run(`reading peer ${name}`, async () => {
        const row = await db
          .selectFrom('peers')
          .selectAll()
          .where('name', '=', name)
          .executeTakeFirst()
        return row === undefined ? undefined : peerOf(row)
      }),

    listPeers: () =>
      run('listing peers', async () => {
        const rows = await db.selectFrom('peers').selectAll().orderBy('name').execute()
        return rows.map(peerOf)
      }),

    updatePeer: (peer) =>
      run(`updating peer ${peer.name}`, async () => {
        const { id: _id, created_at: _createdAt, ...changes } = peerRow(peer)
        const result = await db
          .updateTable('peers')
          .set(changes)
          .where('id', '=', peer.id)
          .executeTakeFirst()
        return Number(result.numUpdatedRows) > 0
      }),

    deletePeer: (id) =>
      run(`removing peer ${id}`, () =>
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom('sync_cursors').where('peer_id', '=', id).execute()
          await trx.deleteFrom('sync_leases').where('peer_id', '=', id).execute()
          await trx.deleteFrom('tombstone_applications').where('peer_id', '=', id).execute()
          const result = await trx.deleteFrom('peers').where('id', '=', id).executeTakeFirst()
          return Number(result.numDeletedRows) > 0
        }),
      ),

    listCursors: (peerId) =>
      run(`reading the cursors of peer ${peerId}`, async () => {
        const rows = await db
          .selectFrom('sync_cursors')
          .selectAll()
          .where('peer_id', '=', peerId)
          .orderBy('direction')
          .orderBy('local_collection_id')
          .orderBy('remote_collection_id')
          .execute()
        return rows.map(cursorOf)
      }),

    getCursor: (peerId, localCollectionId, remoteCollectionId, direction) =>
      run(`reading a cursor of peer ${peerId}`, async () => {
        const row = await db
          .selectFrom('sync_cursors')
          .selectAll()
          .where('peer_id', '=', peerId)
          .where('local_collection_id', '=', localCollectionId)
          .where('remote_collection_id', '=', remoteCollectionId)
          .where('direction', '=', direction)
          .executeTakeFirst()
        return row === undefined ? undefined : cursorOf(row)
      }),

    saveCursor: (cursor) =>
      run(`saving a cursor of peer ${cursor.peerId}`, async () => {
        const values = {
          position: cursor.position,
          last_run_at: cursor.lastRunAt,
          last_success_at: cursor.lastSuccessAt,
          moved_total: cursor.movedTotal,
          moved_last_run: cursor.movedLastRun,
          invalid_total: cursor.invalidTotal,
          dangling_last_run: cursor.danglingLastRun,
          last_error: cursor.lastError,
          lag_micros: cursor.lagMicros,
        }
        await db
          .insertInto('sync_cursors')
          .values({
            peer_id: cursor.peerId,
            local_collection_id: cursor.localCollectionId,
            remote_collection_id: cursor.remoteCollectionId,
            direction: cursor.direction,
            ...values,
          })
          .onConflict((oc) =>
            oc
              .columns(['peer_id', 'local_collection_id', 'remote_collection_id', 'direction'])
              .doUpdateSet(values),
          )
          .execute()
      }),

    addTombstone: (tombstone: NewTombstone) =>
      run(`recording a tombstone for ${tombstone.objectId}`, async () => {
        const row = await db
          .insertInto('tombstones')
          .values({
            collection_id: tombstone.collectionId,
            object_id: tombstone.objectId,
            versions: tombstone.versions === null ? null : JSON.stringify(tombstone.versions),
            deleted_at: tombstone.deletedAt,
            origin_peer: tombstone.originPeer,
          } as TombstoneRow)
          .returning('seq')
          .executeTakeFirstOrThrow()
        return { ...tombstone, seq: Number(row.seq) }
      }),

    listTombstones: (afterSeq, limit) =>
      run('listing tombstones', async () => {
        const rows = await db
          .selectFrom('tombstones')
          .selectAll()
          .where('seq', '>', afterSeq)
          .orderBy('seq')
          .limit(limit)
          .execute()
        return rows.map(tombstoneOf)
      }),

    recordTombstoneApplication: (application) =>
      run(`recording tombstone ${application.seq} at peer ${application.peerId}`, async () => {
        const values = {
          outcome: application.outcome,
          message: application.message,
          at: application.at,
        }
        await db
          .insertInto('tombstone_applications')
          .values({ peer_id: application.peerId, seq: application.seq, ...values })
          .onConflict((oc) => oc.columns(['peer_id', 'seq']).doUpdateSet(values))
          .execute()
      }),

    listTombstoneApplications: (peerId) =>
      run('listing tombstone applications', async () => {
        let query = db.selectFrom('tombstone_applications').selectAll()
        if (peerId !== undefined) query = query.where('peer_id', '=', peerId)
        const rows = await query.orderBy('seq').orderBy('peer_id').execute()
        return rows.map(applicationOf)
      }),

    acquireLease: (peerId, owner, nowMicros, untilMicros) =>
      run(`taking the run lease of peer ${peerId}`, async () => {
        const result = await db
          .insertInto('sync_leases')
          .values({ peer_id: peerId, owner, expires_micros: untilMicros })
          .onConflict((oc) =>
            oc
              .column('peer_id')
              .doUpdateSet({ owner, expires_micros: untilMicros })
              .where((eb) =>
                eb.or([
                  eb('sync_leases.expires_micros', '<', nowMicros),
                  eb('sync_leases.owner', '=', owner),
                ]),
              ),
          )
          .executeTakeFirst()
        return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
      }),

    releaseLease: (peerId, owner) =>
      run(`releasing the run lease of peer ${peerId}`, async () => {
        await db
          .deleteFrom('sync_leases')
          .where('peer_id', '=', peerId)
          .where('owner', '=', owner)
          .execute()
      }),
  }
}
