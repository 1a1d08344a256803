/**
 * Admin API routes of federation (issue 6), registered in `src/admin-api/route-modules.ts`:
 * the peers (node admins: list, add, change, remove, status, preview, issue a peer key) and
 * `GET /tombstones`, from which peer nodes learn this node's deletions. Peers are managed
 * through the same service as the CLI (`peer-service.ts`); listings never carry credentials.
 */
import { z } from 'zod'
import type { AdminActor } from '../accounts/admin-service.js'
import type { AdminRequest, AdminRoute } from '../admin-api/route.js'
import { defineRoute, param, queryInteger } from '../admin-api/route.js'
import { AuditLog } from '../audit/audit-log.js'
import { AppError } from '../errors.js'
import type { Store } from '../store/store.js'
import { microsToTimestamp } from '../store/timestamps.js'
import {
  addPeer,
  createPeerKey,
  findPeer,
  listPeers,
  peerStatus,
  removePeer,
  summarisePeer,
  updatePeer,
} from './peer-service.js'
import { previewPeer } from './sync-engine.js'
import { tombstoneResource } from './tombstones.js'

const TOMBSTONE_PAGE_MAX = 1000

function requireNodeAdmin(actor: AdminActor): void {
  if (actor.kind === 'system' || actor.isNodeAdmin) return
  throw new AppError('ADMIN_FORBIDDEN', { detail: 'managing peers needs a node admin' })
}

async function audit(
  request: AdminRequest<unknown> & { actor: AdminActor },
  what: string,
  peerName: string,
): Promise<void> {
  const actor =
    request.actor.kind === 'system'
      ? { kind: 'system' as const, id: request.actor.id }
      : { kind: 'user' as const, id: request.actor.principal.userId }
  await new AuditLog(request.store, { now: request.clock }).append({
    actor,
    action: 'admin-change',
    outcome: 'success',
    details: { change: what, peer: peerName },
  })
}

const authSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('basic'), username: z.string().min(1), password: z.string() }),
  z.object({ kind: z.literal('bearer'), token: z.string().min(1) }),
])
const mapSchema = z.object({ local: z.string().min(1), remote: z.string().min(1) })
const filterSchema = z.object({
  types: z.array(z.string()).optional(),
  labels: z.array(z.string()).optional(),
  tlpCeiling: z.enum(['clear', 'green', 'amber', 'amber+strict', 'red']).optional(),
})
const directionSchema = z.enum(['pull', 'push', 'both'])

const newPeerSchema = z.object({
  name: z.string().min(1),
  url: z.string().min(1),
  auth: authSchema,
  direction: directionSchema.optional(),
  org: z.string().min(1),
  maps: z.array(mapSchema).min(1),
  filter: filterSchema.optional(),
  applyTombstones: z.boolean().optional(),
  enabled: z.boolean().optional(),
})

const peerChangesSchema = z.object({
  url: z.string().min(1).optional(),
  auth: authSchema.optional(),
  direction: directionSchema.optional(),
  maps: z.array(mapSchema).min(1).optional(),
  filter: filterSchema.optional(),
  applyTombstones: z.boolean().optional(),
  enabled: z.boolean().optional(),
})

const tlpSchema = z.enum(['clear', 'green', 'amber', 'amber+strict', 'red'])
const mapOutSchema = z.strictObject({
  localCollectionId: z.string(),
  remoteCollectionId: z.string(),
})
const filterOutSchema = z.strictObject({
  types: z.array(z.string()).optional(),
  labels: z.array(z.string()).optional(),
  tlpCeiling: tlpSchema.optional(),
})
/** A peer as answered: no password or token field exists in it. */
const peerSummarySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  authKind: z.enum(['none', 'basic', 'bearer']),
  authUser: z.string().optional(),
  direction: directionSchema,
  orgId: z.string(),
  maps: z.array(mapOutSchema),
  filter: filterOutSchema,
  applyTombstones: z.boolean(),
  enabled: z.boolean(),
  createdAt: z.string(),
})
const cursorSchema = z.strictObject({
  peerId: z.string(),
  localCollectionId: z.string(),
  remoteCollectionId: z.string(),
  direction: z.enum(['pull', 'push', 'tombstone-pull', 'tombstone-push']),
  position: z.string().nullable(),
  lastRunAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  movedTotal: z.number(),
  movedLastRun: z.number(),
  invalidTotal: z.number(),
  danglingLastRun: z.number(),
  lastError: z.string().nullable(),
  lagMicros: z.number().nullable(),
})
const applicationSchema = z.strictObject({
  peerId: z.string(),
  seq: z.number(),
  outcome: z.enum(['applied', 'absent', 'failed']),
  message: z.string().nullable(),
  at: z.string(),
})
const peerStatusSchema = z.strictObject({
  peer: peerSummarySchema,
  cursors: z.array(cursorSchema),
  tombstones: z.array(applicationSchema),
  lastRunAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  movedTotal: z.number(),
  movedLastRun: z.number(),
  invalidTotal: z.number(),
  danglingLastRun: z.number(),
  lagMicros: z.number().nullable(),
  errors: z.array(z.string()),
})
const previewSchema = z.strictObject({
  peerId: z.string(),
  peerName: z.string(),
  items: z.array(
    z.strictObject({
      localCollectionId: z.string(),
      remoteCollectionId: z.string(),
      id: z.string(),
      type: z.string(),
      version: z.string(),
      dateAdded: z.string(),
      send: z.boolean(),
      rule: z.string(),
      reason: z.string(),
    }),
  ),
  byRule: z.record(z.string(), z.number()),
  truncated: z.boolean(),
})
const peerKeySchema = z.strictObject({
  key: z.string(),
  keyId: z.string(),
  prefix: z.string(),
  userId: z.string(),
  userName: z.string(),
})
const tombstonesSchema = z.strictObject({
  tombstones: z.array(
    z.strictObject({
      seq: z.number(),
      collection_id: z.string(),
      object_id: z.string(),
      versions: z.array(z.string()).optional(),
      deleted_at: z.string(),
    }),
  ),
  more: z.boolean(),
})

/** Drops absent optional fields (exactOptionalPropertyTypes: absent is not `undefined`). */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>
  }
}

/** The collections a principal may read, by id (a grant to its user or its organisation). */
async function readableCollections(
  store: Store,
  userId: string,
  orgId: string,
): Promise<Set<string>> {
  const grants = await store.listCollectionGrants()
  return new Set(
    grants
      .filter(
        (g) =>
          g.canRead &&
          ((g.subjectKind === 'user' && g.subjectId === userId) ||
            (g.subjectKind === 'org' && g.subjectId === orgId)),
      )
      .map((g) => g.collectionId),
  )
}

/**
 * A peer asks for tombstones after `after` only once it has applied everything up to it (its
 * cursor moves after each page is applied), so asking acknowledges them: they are recorded as
 * applied at that peer for `peer status`, unless push recorded an outcome already.
 */
async function acknowledge(
  store: Store,
  peerId: string,
  after: number,
  keep: (collectionId: string, originPeer: string | null) => boolean,
  nowMicros: number,
): Promise<void> {
  const known = await store.peers.listTombstoneApplications(peerId)
  let from = known.reduce((max, a) => Math.max(max, a.seq), 0)
  const recorded = new Set(known.map((a) => a.seq))
  while (from < after) {
    const batch = await store.peers.listTombstones(from, TOMBSTONE_PAGE_MAX)
    for (const tombstone of batch) {
      if (tombstone.seq > after) return
      from = tombstone.seq
      if (recorded.has(tombstone.seq) || !keep(tombstone.collectionId, tombstone.originPeer)) {
        continue
      }
      await store.peers.recordTombstoneApplication({
        peerId,
        seq: tombstone.seq,
        outcome: 'applied',
        message: 'learned by the peer through GET /api/v1/tombstones and applied to its copies',
        at: microsToTimestamp(nowMicros),
      })
    }
    if (batch.length < TOMBSTONE_PAGE_MAX) return
  }
}

export const federationRoutes: readonly AdminRoute[] = [
  defineRoute({
    method: 'get',
    path: '/tombstones',
    operationId: 'listTombstones',
    tag: 'federation',
    summary: "This node's deletions after a sequence number (peer nodes and node admins)",
    description:
      'Peer nodes (API keys issued with `peer key`) read the tombstones of the collections they may read, except those that came from them; node admins read all. Page with `after` = the `seq` of the last tombstone received while `more` is true.',
    query: [
      { name: 'after', description: 'only tombstones after this sequence number', type: 'integer' },
      {
        name: 'limit',
        description: 'tombstones per page, 1 to 1000 (default 500)',
        type: 'integer',
      },
    ],
    response:
      '`{ tombstones: { seq, collection_id, object_id, versions?, deleted_at }[], more: boolean }`',
    responseBody: tombstonesSchema,
    handle: async (r) => {
      const after = queryInteger(r, 'after', { min: 0, max: Number.MAX_SAFE_INTEGER }) ?? 0
      const limit = queryInteger(r, 'limit', { min: 1, max: TOMBSTONE_PAGE_MAX }) ?? 500
      const actor = r.actor
      let keep: (collectionId: string, originPeer: string | null) => boolean = () => true
      if (actor.kind === 'principal' && !actor.isNodeAdmin) {
        const { peerId, userId, orgId } = actor.principal
        if (peerId === undefined) {
          throw new AppError('ADMIN_FORBIDDEN', {
            detail: 'tombstones are for peer nodes and node admins',
          })
        }
        const readable = await readableCollections(r.store, userId, orgId)
        keep = (collectionId, originPeer) => readable.has(collectionId) && originPeer !== peerId
        if (after > 0) await acknowledge(r.store, peerId, after, keep, r.clock())
      }
      const out = []
      let cursor = after
      let more = false
      // Skipped tombstones still advance the scan, so a page is never empty while more follow.
      for (;;) {
        const batch = await r.store.peers.listTombstones(cursor, limit)
        for (const tombstone of batch) {
          cursor = tombstone.seq
          if (keep(tombstone.collectionId, tombstone.originPeer)) {
            out.push(tombstoneResource(tombstone))
            if (out.length >= limit) break
          }
        }
        if (out.length >= limit) {
          more = (await r.store.peers.listTombstones(cursor, 1)).length > 0
          break
        }
        if (batch.length < limit) break
      }
      return { tombstones: out, more }
    },
  }),
  defineRoute({
    method: 'get',
    path: '/peers',
    operationId: 'listPeers',
    tag: 'federation',
    summary: 'Every peer node, without credentials (node admins)',
    response: '`{ peers: PeerSummary[] }`',
    responseBody: z.strictObject({ peers: z.array(peerSummarySchema) }),
    handle: async (r) => {
      requireNodeAdmin(r.actor)
      return { peers: await listPeers(r.store) }
    },
  }),
  defineRoute({
    method: 'post',
    path: '/peers',
    operationId: 'addPeer',
    tag: 'federation',
    summary: 'Add a peer node (node admins)',
    description:
      'The outbound credentials (`auth`) are stored usable, since this node presents them to the peer; they are never shown again.',
    body: newPeerSchema,
    status: 201,
    response: '`PeerSummary`',
    responseBody: peerSummarySchema,
    handle: async (r) => {
      requireNodeAdmin(r.actor)
      const { filter, ...rest } = r.body
      const peer = await addPeer(
        r.store,
        {
          ...defined(rest),
          maps: rest.maps,
          ...(filter !== undefined ? { filter: defined(filter) } : {}),
        },
        r.clock(),
      )
      await audit(r, 'add peer', peer.name)
      return summarisePeer(peer)
    },
  }),
  defineRoute({
    method: 'get',
    path: '/peers/{peer}',
    operationId: 'getPeer',
    tag: 'federation',
    summary: 'One peer node by name or id, without credentials (node admins)',
    response: '`PeerSummary`',
    responseBody: peerSummarySchema,
    handle: async (r) => {
      requireNodeAdmin(r.actor)
      return summarisePeer(await findPeer(r.store, param(r, 'peer')))
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/peers/{peer}',
    operationId: 'updatePeer',
    tag: 'federation',
    summary: "Change a peer node's settings (node admins)",
    body: peerChangesSchema,
    response: '`PeerSummary`',
    responseBody: peerSummarySchema,
    handle: async (r) => {
      requireNodeAdmin(r.actor)
      const { filter, ...rest } = r.body
      const peer = await updatePeer(r.store, param(r, 'peer'), {
        ...defined(rest),
        ...(filter !== undefined ? { filter: defined(filter) } : {}),
      })
      await audit(r, 'update peer', peer.name)
      return summarisePeer(peer)
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/peers/{peer}',
    operationId: 'removePeer',
    tag: 'federation',
    summary: 'Remove a peer node with its cursors, and revoke its keys (node admins)',
    response: '`PeerSummary` of the removed peer',
    responseBody: peerSummarySchema,
    handle: async (r) => {
      requireNodeAdmin(r.actor)
      const peer = await removePeer(r.store, param(r, 'peer'))
      await audit(r, 'remove peer', peer.name)
      return summarisePeer(peer)
    },
  }),
  defineRoute({
    method: 'get',
    path: '/peers/{peer}/status',
    operationId: 'peerStatus',
    tag: 'federation',
    summary: 'Cursors, last runs, objects moved, lag, errors and tombstones applied (node admins)',
    response: '`PeerStatus`',
    responseBody: peerStatusSchema,
    handle: async (r) => {
      requireNodeAdmin(r.actor)
      return peerStatus(r.store, param(r, 'peer'))
    },
  }),
  defineRoute({
    method: 'get',
    path: '/peers/{peer}/preview',
    operationId: 'previewPeer',
    tag: 'federation',
    summary: 'What the next push would send and hold back, with the deciding rule (node admins)',
    query: [{ name: 'limit', description: 'most versions listed (default 1000)', type: 'integer' }],
    response: '`PreviewReport`',
    responseBody: previewSchema,
    handle: async (r) => {
      requireNodeAdmin(r.actor)
      const peer = await findPeer(r.store, param(r, 'peer'))
      const limit = queryInteger(r, 'limit', { min: 1, max: 100_000 }) ?? 1000
      return previewPeer({ store: r.store, clock: r.clock }, peer, { limit })
    },
  }),
  defineRoute({
    method: 'post',
    path: '/peers/{peer}/keys',
    operationId: 'createPeerKey',
    tag: 'federation',
    summary: 'Issue the API key the peer node uses to reach this node (node admins)',
    description: 'The key is in this answer only; the node keeps its hash.',
    status: 201,
    response: '`{ key, keyId, prefix, userId, userName }`',
    responseBody: peerKeySchema,
    handle: async (r) => {
      requireNodeAdmin(r.actor)
      const key = await createPeerKey(r.store, param(r, 'peer'), r.clock())
      const peer = await findPeer(r.store, param(r, 'peer'))
      await audit(r, 'issue peer key', peer.name)
      return key
    },
  }),
]
