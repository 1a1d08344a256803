/**
 * Managing peers (issue 6, "Peers and sync"): add, change, list, remove, status, and the
 * inbound key a peer uses to reach this node. The CLI and the admin API both go through here,
 * so validation lives in one place. Credentials are stored usable (this node presents them to
 * the peer) and never appear in a {@link PeerSummary}.
 */
import { randomUUID } from 'node:crypto'
import { generateApiKey } from '../accounts/api-key.js'
import { AppError } from '../errors.js'
import { isTlpLevel } from '../sharing/tlp.js'
import type {
  CollectionMap,
  Peer,
  PeerAuth,
  PeerDirection,
  PeerFilter,
} from '../store/peer-store.js'
import type { ApiKey, Store, User } from '../store/store.js'
import { microsToTimestamp, nowMicros } from '../store/timestamps.js'
import type { NewPeer, PeerChanges, PeerKey, PeerStatus, PeerSummary } from './types.js'

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DIRECTIONS: readonly PeerDirection[] = ['pull', 'push', 'both']
const STIX_TYPE_PATTERN = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/

function invalid(detail: string): AppError {
  return new AppError('ADMIN_INVALID_INPUT', { detail })
}

function notFound(detail: string): AppError {
  return new AppError('STORE_NOT_FOUND', { detail })
}

/** Checks a peer's API root URL: absolute http(s), no credentials, query or fragment. */
export function checkPeerUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalid(`peer url "${url}" is not a valid URL (give the peer's TAXII API root URL)`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid(`peer url must be http: or https:, got ${parsed.protocol}`)
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalid('peer url must not carry credentials; give them as the peer auth instead')
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw invalid('peer url must not have a query or fragment')
  }
  if (!parsed.pathname.endsWith('/')) parsed.pathname = `${parsed.pathname}/`
  return parsed.href
}

function checkAuth(auth: PeerAuth): PeerAuth {
  switch (auth.kind) {
    case 'none':
      return { kind: 'none' }
    case 'basic':
      if (auth.username === '' || auth.username.includes(':')) {
        throw invalid('basic auth needs a user name without ":"')
      }
      return { kind: 'basic', username: auth.username, password: auth.password }
    case 'bearer':
      if (auth.token === '' || /\s/.test(auth.token)) {
        throw invalid('bearer auth needs a token without spaces')
      }
      return { kind: 'bearer', token: auth.token }
  }
}

function checkDirection(direction: string): PeerDirection {
  if (!(DIRECTIONS as readonly string[]).includes(direction)) {
    throw invalid(`direction must be one of ${DIRECTIONS.join(', ')}, got "${direction}"`)
  }
  return direction as PeerDirection
}

function checkFilter(filter: PeerFilter): PeerFilter {
  const out: PeerFilter = {}
  if (filter.types !== undefined && filter.types.length > 0) {
    for (const type of filter.types) {
      if (!STIX_TYPE_PATTERN.test(type)) {
        throw invalid(`filter type "${type}" is not a STIX type name`)
      }
    }
    out.types = [...new Set(filter.types)]
  }
  if (filter.labels !== undefined && filter.labels.length > 0) {
    if (filter.labels.some((label) => label === '')) throw invalid('filter labels cannot be empty')
    out.labels = [...new Set(filter.labels)]
  }
  if (filter.tlpCeiling !== undefined) {
    if (!isTlpLevel(filter.tlpCeiling)) {
      throw invalid(
        `tlp ceiling must be clear, green, amber, amber+strict or red, got "${String(filter.tlpCeiling)}"`,
      )
    }
    out.tlpCeiling = filter.tlpCeiling
  }
  return out
}

async function resolveMaps(
  store: Store,
  maps: ReadonlyArray<{ local: string; remote: string }>,
): Promise<CollectionMap[]> {
  if (maps.length === 0) throw invalid('a peer needs at least one collection map local=remote')
  const out: CollectionMap[] = []
  for (const map of maps) {
    const collection =
      (await store.getCollectionByAlias(map.local)) ??
      (UUID_PATTERN.test(map.local) ? await store.getCollection(map.local) : undefined)
    if (collection === undefined) {
      throw notFound(`no local collection "${map.local}" (give its alias or id)`)
    }
    const remote = map.remote.trim()
    if (remote === '' || /[/?#\s]/.test(remote)) {
      throw invalid(
        `remote collection "${map.remote}" must be a collection id (no / ? # or spaces)`,
      )
    }
    if (out.some((m) => m.localCollectionId === collection.id && m.remoteCollectionId === remote)) {
      throw invalid(`collection map ${map.local}=${remote} is given twice`)
    }
    out.push({ localCollectionId: collection.id, remoteCollectionId: remote })
  }
  return out
}

async function resolveOrg(store: Store, ref: string): Promise<string> {
  const org =
    (await store.getOrganisationByName(ref)) ??
    (UUID_PATTERN.test(ref) ? await store.getOrganisation(ref) : undefined)
  if (org === undefined) throw notFound(`no organisation "${ref}" (give its name or id)`)
  return org.id
}

/** A peer as listings show it: without its credentials. */
export function summarisePeer(peer: Peer): PeerSummary {
  const summary: PeerSummary = {
    id: peer.id,
    name: peer.name,
    url: peer.url,
    authKind: peer.auth.kind,
    direction: peer.direction,
    orgId: peer.orgId,
    maps: peer.maps.map((m) => ({ ...m })),
    filter: { ...peer.filter },
    applyTombstones: peer.applyTombstones,
    enabled: peer.enabled,
    createdAt: peer.createdAt,
  }
  if (peer.auth.kind === 'basic') summary.authUser = peer.auth.username
  return summary
}

/** Adds a peer after checking every field. STORE_CONFLICT when the name is taken. */
export async function addPeer(store: Store, input: NewPeer, now = nowMicros()): Promise<Peer> {
  if (!NAME_PATTERN.test(input.name)) {
    throw invalid(
      `peer name "${input.name}" must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    )
  }
  if ((await store.peers.getPeerByName(input.name)) !== undefined) {
    throw new AppError('STORE_CONFLICT', { detail: `a peer named "${input.name}" exists` })
  }
  const peer: Peer = {
    id: randomUUID(),
    name: input.name,
    url: checkPeerUrl(input.url),
    auth: checkAuth(input.auth),
    direction: checkDirection(input.direction ?? 'both'),
    orgId: await resolveOrg(store, input.org),
    maps: await resolveMaps(store, input.maps),
    filter: checkFilter(input.filter ?? {}),
    applyTombstones: input.applyTombstones ?? true,
    enabled: input.enabled ?? true,
    createdAt: microsToTimestamp(now),
  }
  await store.peers.createPeer(peer)
  return peer
}

/** Finds a peer by name, else by id; STORE_NOT_FOUND naming `ref` otherwise. */
export async function findPeer(store: Store, ref: string): Promise<Peer> {
  const peer =
    (await store.peers.getPeerByName(ref)) ??
    (UUID_PATTERN.test(ref) ? await store.peers.getPeer(ref) : undefined)
  if (peer === undefined) throw notFound(`no peer "${ref}"`)
  return peer
}

/** Changes the given fields of a peer. Changing maps keeps the cursors of the maps that stay. */
export async function updatePeer(store: Store, ref: string, changes: PeerChanges): Promise<Peer> {
  const peer = await findPeer(store, ref)
  const next: Peer = { ...peer }
  if (changes.url !== undefined) next.url = checkPeerUrl(changes.url)
  if (changes.auth !== undefined) next.auth = checkAuth(changes.auth)
  if (changes.direction !== undefined) next.direction = checkDirection(changes.direction)
  if (changes.maps !== undefined) next.maps = await resolveMaps(store, changes.maps)
  if (changes.filter !== undefined) next.filter = checkFilter(changes.filter)
  if (changes.applyTombstones !== undefined) next.applyTombstones = changes.applyTombstones
  if (changes.enabled !== undefined) next.enabled = changes.enabled
  await store.peers.updatePeer(next)
  return next
}

/** Removes a peer with its cursors, and revokes the keys issued to it. */
export async function removePeer(store: Store, ref: string): Promise<Peer> {
  const peer = await findPeer(store, ref)
  for (const key of await store.listApiKeys()) {
    if (key.peerId === peer.id && !key.revoked) await store.revokeApiKey(key.id)
  }
  await store.peers.deletePeer(peer.id)
  return peer
}

/** Every peer, without credentials, by name. */
export async function listPeers(store: Store): Promise<PeerSummary[]> {
  const peers = await store.peers.listPeers()
  return peers.map(summarisePeer).sort((a, b) => a.name.localeCompare(b.name))
}

function latest(values: ReadonlyArray<string | null>): string | null {
  let best: string | null = null
  for (const value of values) {
    if (value !== null && (best === null || value > best)) best = value
  }
  return best
}

/** `peer status`: cursors, figures of the last runs, and tombstones applied at the peer. */
export async function peerStatus(store: Store, ref: string): Promise<PeerStatus> {
  const peer = await findPeer(store, ref)
  const [cursors, tombstones] = await Promise.all([
    store.peers.listCursors(peer.id),
    store.peers.listTombstoneApplications(peer.id),
  ])
  const objectCursors = cursors.filter((c) => c.direction === 'pull' || c.direction === 'push')
  const lags = objectCursors.map((c) => c.lagMicros).filter((l): l is number => l !== null)
  return {
    peer: summarisePeer(peer),
    cursors,
    tombstones,
    lastRunAt: latest(cursors.map((c) => c.lastRunAt)),
    lastSuccessAt: latest(cursors.map((c) => c.lastSuccessAt)),
    movedTotal: objectCursors.reduce((sum, c) => sum + c.movedTotal, 0),
    movedLastRun: objectCursors.reduce((sum, c) => sum + c.movedLastRun, 0),
    invalidTotal: objectCursors.reduce((sum, c) => sum + c.invalidTotal, 0),
    danglingLastRun: objectCursors.reduce((sum, c) => sum + c.danglingLastRun, 0),
    lagMicros: lags.length > 0 ? Math.max(...lags) : null,
    errors: cursors
      .filter((c) => c.lastError !== null)
      .map((c) => `${c.direction} ${c.localCollectionId}: ${c.lastError ?? ''}`),
  }
}

/**
 * Issues the key a peer node uses to reach this node: a key-only user `peer-<name>` (role
 * analyst) in the peer's organisation, created on first use, granted read and write on the
 * peer's mapped local collections, and a new API key whose `peerId` is the peer. Requests made
 * with it are the peer's: they read by the rule's peer rows and write with the peer as origin.
 * The key is returned once; only its hash is stored.
 */
export async function createPeerKey(
  store: Store,
  peerRef: string,
  now = nowMicros(),
): Promise<PeerKey> {
  const peer = await findPeer(store, peerRef)
  const userName = `peer-${peer.name}`
  let user: User | undefined = await store.getUserByName(userName)
  if (user !== undefined && user.orgId !== peer.orgId) {
    throw new AppError('STORE_CONFLICT', {
      detail: `user "${userName}" exists in another organisation than peer ${peer.name}'s`,
    })
  }
  if (user === undefined) {
    user = {
      id: randomUUID(),
      orgId: peer.orgId,
      name: userName,
      role: 'analyst',
      passwordHash: null,
      disabled: false,
      createdAt: microsToTimestamp(now),
    }
    await store.createUser(user)
  }
  for (const map of peer.maps) {
    await store.setCollectionGrant({
      collectionId: map.localCollectionId,
      subjectKind: 'user',
      subjectId: user.id,
      canRead: true,
      canWrite: true,
    })
  }
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const generated = generateApiKey()
    if ((await store.getApiKeyByPrefix(generated.prefix)) !== undefined) continue
    const apiKey: ApiKey = {
      id: randomUUID(),
      userId: user.id,
      prefix: generated.prefix,
      keyHash: generated.keyHash,
      label: `peer ${peer.name}`,
      revoked: false,
      createdAt: microsToTimestamp(now),
      lastUsedAt: null,
      peerId: peer.id,
    }
    await store.createApiKey(apiKey)
    return {
      key: generated.key,
      keyId: apiKey.id,
      prefix: apiKey.prefix,
      userId: user.id,
      userName,
    }
  }
  throw new AppError('STORE_CONFLICT', { detail: 'could not find a free API key prefix' })
}
