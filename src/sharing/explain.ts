/**
 * `sharing explain` (issue 5, "Explain"): for one object id and one viewer, every stored
 * version with the decision of the sharing rule (`decideVisibility`: visible or not, the rule
 * code and its reason), the facts it read (TLP and where it came from, distribution with
 * names, publisher, origin peer, anonymity), and whether the viewer can read the collection at
 * all (TAXII serves a version only when both agree).
 *
 * Who may ask: node admins (and the local CLI) about any object; an organisation's admins
 * about the versions their organisation published, and only those (an object with none is
 * "not found" to them, so asking never reveals that other organisations' objects exist).
 */
import { type AdminActor, AdminGuard, AdminService } from '../accounts/admin-service.js'
import type { Principal } from '../accounts/principal.js'
import { AppError } from '../errors.js'
import type { Peer } from '../store/peer-store.js'
import type {
  Collection,
  CollectionGrant,
  DistributionScope,
  Organisation,
  Role,
  StoredObjectVersion,
  Store,
  TlpLevel,
  User,
} from '../store/store.js'
import { decideVisibility, sharedVersionOf, type Decision, type Viewer } from './policy.js'
import type { NamedRef } from './sharing-service.js'
import { readDefaultTlp, readNodeOrgId, sharingContextOf, viewerOf } from './viewer.js'

/** The viewer an explanation is for, as resolved from the `--viewer` reference. */
export type ExplainedViewer =
  | { kind: 'organisation'; org: NamedRef }
  | { kind: 'user'; user: NamedRef; org: NamedRef; role: Role; isNodeAdmin: boolean }
  | { kind: 'peer'; peer: NamedRef; org: NamedRef }
  | { kind: 'public' }

/** One stored version and what the rule decides for the viewer. */
export interface VersionExplanation {
  collection: { id: string; alias: string; public: boolean }
  version: string
  dateAdded: string
  publisher: NamedRef | null
  /** The effective TLP the rule read. */
  tlp: TlpLevel
  /** `marking`: from the object's markings at ingest; `node-default`: none, the node default. */
  tlpSource: 'marking' | 'node-default'
  distribution: { scope: DistributionScope; groups: NamedRef[]; recipients: NamedRef[] }
  anonymous: boolean
  originPeer: string | null
  /** `decideVisibility`'s answer: visible or not, the rule code and why. */
  decision: Decision
  /**
   * Whether the viewer may read the collection (a grant for users and organisations, the
   * public flag for the public, a collection map for a peer).
   */
  readsCollection: boolean
  /** The viewer receives this version: the rule and the collection access both allow it. */
  sees: boolean
  /** It would receive it anonymised (`created_by_ref` replaced by the alliance identity). */
  anonymised: boolean
}

export interface Explanation {
  objectId: string
  viewer: ExplainedViewer
  /** Every version the asker may inspect, by collection then date added. */
  versions: VersionExplanation[]
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function invalid(detail: string): AppError {
  return new AppError('ADMIN_INVALID_INPUT', { detail })
}

function notFound(detail: string): AppError {
  return new AppError('STORE_NOT_FOUND', { detail })
}

/** What the rule and the collection check need about the resolved viewer. */
interface ResolvedViewer {
  explained: ExplainedViewer
  viewer: Viewer
  /** May this viewer read `collection`, given its grants? */
  reads(collection: Collection, grants: readonly CollectionGrant[]): boolean
}

function grantReaches(grants: readonly CollectionGrant[], orgId: string, userId?: string): boolean {
  return grants.some(
    (g) =>
      g.canRead &&
      ((g.subjectKind === 'org' && g.subjectId === orgId) ||
        (g.subjectKind === 'user' && userId !== undefined && g.subjectId === userId)),
  )
}

async function findOrg(store: Store, ref: string): Promise<Organisation | undefined> {
  return (
    (await store.getOrganisationByName(ref)) ??
    (uuidPattern.test(ref) ? await store.getOrganisation(ref) : undefined)
  )
}

async function findUser(store: Store, ref: string): Promise<User | undefined> {
  return (
    (await store.getUserByName(ref)) ??
    (uuidPattern.test(ref) ? await store.getUser(ref) : undefined)
  )
}

async function findPeer(store: Store, ref: string): Promise<Peer | undefined> {
  return (
    (await store.peers.getPeerByName(ref)) ??
    (uuidPattern.test(ref) ? await store.peers.getPeer(ref) : undefined)
  )
}

async function orgRef(store: Store, orgId: string): Promise<NamedRef> {
  return { id: orgId, name: (await store.getOrganisation(orgId))?.name ?? orgId }
}

function orgViewer(org: Organisation): ResolvedViewer {
  return {
    explained: { kind: 'organisation', org: { id: org.id, name: org.name } },
    // An organisation as a whole has no node-admin users in mind: its plain members' view.
    viewer: { kind: 'user', orgId: org.id, role: 'reader', isNodeAdmin: false },
    reads: (collection, grants) => collection.public || grantReaches(grants, org.id),
  }
}

async function userViewer(store: Store, user: User): Promise<ResolvedViewer> {
  const principal: Principal = {
    via: 'password',
    userId: user.id,
    userName: user.name,
    orgId: user.orgId,
    role: user.role,
  }
  const viewer = viewerOf(principal, await readNodeOrgId(store))
  const isNodeAdmin = viewer.kind === 'user' && viewer.isNodeAdmin
  return {
    explained: {
      kind: 'user',
      user: { id: user.id, name: user.name },
      org: await orgRef(store, user.orgId),
      role: user.role,
      isNodeAdmin,
    },
    viewer,
    // As TAXII's collectionAccess: node admins read every collection, anyone a public one,
    // others need a read grant to them or their organisation; a disabled user reads nothing.
    reads: (collection, grants) =>
      !user.disabled &&
      (isNodeAdmin || collection.public || grantReaches(grants, user.orgId, user.id)),
  }
}

/**
 * Resolves `org:<name|id>`, `user:<name|id>`, `peer:<name|id>`, `public`, or a bare name or
 * id (an organisation, else a user; ambiguous names must be prefixed).
 */
async function resolveViewer(store: Store, ref: string): Promise<ResolvedViewer> {
  const trimmed = ref.trim()
  if (trimmed === '') throw invalid('viewer is empty; give an organisation or a user')
  if (trimmed === 'public') {
    return {
      explained: { kind: 'public' },
      viewer: { kind: 'public' },
      reads: (collection) => collection.public,
    }
  }
  const colon = trimmed.indexOf(':')
  const prefix = colon > 0 ? trimmed.slice(0, colon) : undefined
  const name = prefix !== undefined ? trimmed.slice(colon + 1) : trimmed
  if (prefix === 'org') {
    const org = await findOrg(store, name)
    if (!org) throw notFound(`no organisation "${name}"`)
    return orgViewer(org)
  }
  if (prefix === 'user') {
    const user = await findUser(store, name)
    if (!user) throw notFound(`no user "${name}"`)
    return userViewer(store, user)
  }
  if (prefix === 'peer') {
    const peer = await findPeer(store, name)
    if (!peer) throw notFound(`no peer "${name}"`)
    return {
      explained: {
        kind: 'peer',
        peer: { id: peer.id, name: peer.name },
        org: await orgRef(store, peer.orgId),
      },
      viewer: { kind: 'peer', peerId: peer.id, orgId: peer.orgId },
      reads: (collection) =>
        peer.enabled && peer.maps.some((m) => m.localCollectionId === collection.id),
    }
  }
  // A bare reference (names may contain ":" too): an organisation, else a user.
  const [org, user] = await Promise.all([findOrg(store, trimmed), findUser(store, trimmed)])
  if (org && user) {
    throw invalid(
      `"${trimmed}" names both an organisation and a user; write org:${trimmed} or user:${trimmed}`,
    )
  }
  if (org) return orgViewer(org)
  if (user) return userViewer(store, user)
  throw notFound(
    `no organisation or user "${trimmed}" (prefix org:, user: or peer:, or say public)`,
  )
}

/**
 * Explains, version by version, whether `viewer` sees object `objectId` and which rule of
 * `decideVisibility` decided, as `actor` is allowed to know it.
 */
export async function explainVisibility(
  store: Store,
  actor: AdminActor,
  request: { object: string; viewer: string },
): Promise<Explanation> {
  const guard = new AdminGuard(store, actor)
  const objectId = request.object.trim()
  if (!/^[a-z0-9-]+--[0-9a-fA-F-]{36}$/.test(objectId)) {
    throw invalid(`object "${request.object}" is not a STIX id (<type>--<uuid>)`)
  }
  let versions: StoredObjectVersion[]
  if (guard.isNodeAdmin) {
    versions = await store.findObjectVersions(objectId)
  } else {
    const principal = guard.principal
    if (principal === undefined || !guard.isOrgAdmin(principal.orgId)) {
      throw new AppError('ADMIN_FORBIDDEN', {
        detail:
          'only node admins, and organisation admins for their own objects, may ask for sharing explanations',
      })
    }
    versions = (await store.findObjectVersions(objectId)).filter(
      (v) => v.publisherOrgId === principal.orgId,
    )
  }
  if (versions.length === 0) throw notFound(`no object ${objectId} stored on this node`)

  const resolved = await resolveViewer(store, request.viewer)
  const defaultTlp = await readDefaultTlp(store)
  const [orgs, groups] = await Promise.all([store.listOrganisations(), store.listSharingGroups()])
  const orgNames = new Map(orgs.map((o) => [o.id, o.name]))
  const groupNames = new Map(groups.map((g) => [g.id, g.name]))
  const named = (names: Map<string, string>, id: string): NamedRef => ({
    id,
    name: names.get(id) ?? id,
  })
  const admin = new AdminService(store)
  const collections = new Map<string, { collection: Collection; grants: CollectionGrant[] }>()
  const explained: VersionExplanation[] = []
  for (const version of versions) {
    let entry = collections.get(version.collectionId)
    if (entry === undefined) {
      const collection = await admin.findCollection(version.collectionId)
      entry = { collection, grants: await store.listCollectionGrants(collection.id) }
      collections.set(collection.id, entry)
    }
    const { collection, grants } = entry
    const context = await sharingContextOf(store, collection)
    const decision = decideVisibility(
      resolved.viewer,
      sharedVersionOf(version, defaultTlp),
      context,
    )
    const readsCollection = resolved.reads(collection, grants)
    const sees = decision.visible && readsCollection
    const viewerOrg = resolved.viewer.kind === 'public' ? undefined : resolved.viewer.orgId
    explained.push({
      collection: { id: collection.id, alias: collection.alias, public: collection.public },
      version: version.version,
      dateAdded: version.dateAdded,
      publisher: version.publisherOrgId === null ? null : named(orgNames, version.publisherOrgId),
      tlp: version.tlp ?? defaultTlp,
      tlpSource: version.tlp === null ? 'node-default' : 'marking',
      distribution: {
        scope: version.distribution.scope,
        groups: version.distribution.groups.map((id) => named(groupNames, id)),
        recipients: version.distribution.recipients.map((id) => named(orgNames, id)),
      },
      anonymous: version.anonymous,
      originPeer: version.originPeer,
      decision,
      readsCollection,
      sees,
      anonymised: sees && version.anonymous && viewerOrg !== version.publisherOrgId,
    })
  }
  return { objectId, viewer: resolved.explained, versions: explained }
}

function viewerLine(viewer: ExplainedViewer): string {
  switch (viewer.kind) {
    case 'organisation':
      return `organisation "${viewer.org.name}" (${viewer.org.id})`
    case 'user':
      return `user "${viewer.user.name}" (${viewer.role}${viewer.isNodeAdmin ? ', node admin' : ''} in "${viewer.org.name}")`
    case 'peer':
      return `peer "${viewer.peer.name}" (organisation "${viewer.org.name}")`
    case 'public':
      return 'the public (unauthenticated readers)'
  }
}

/** The explanation as text for people (the CLI's default output). */
export function formatExplanation(explanation: Explanation): string {
  const lines = [`object ${explanation.objectId}`, `viewer ${viewerLine(explanation.viewer)}`]
  for (const v of explanation.versions) {
    const distribution = [
      v.distribution.scope,
      ...(v.distribution.groups.length > 0
        ? [`groups ${v.distribution.groups.map((g) => g.name).join(', ')}`]
        : []),
      ...(v.distribution.recipients.length > 0
        ? [`recipients ${v.distribution.recipients.map((r) => r.name).join(', ')}`]
        : []),
    ].join('; ')
    lines.push(
      '',
      `version ${v.version || '(none)'} in collection "${v.collection.alias}"${v.collection.public ? ' (public)' : ''}, added ${v.dateAdded}`,
      `  publisher     ${v.publisher === null ? '(the node)' : v.publisher.name}${v.originPeer !== null ? `, received from peer ${v.originPeer}` : ''}`,
      `  TLP           ${v.tlp.toUpperCase()}${v.tlpSource === 'node-default' ? ' (no marking: node default)' : ''}`,
      `  distribution  ${distribution}${v.anonymous ? ' (anonymous)' : ''}`,
      `  rule          ${v.decision.rule}: ${v.decision.visible ? 'visible' : 'hidden'} — ${v.decision.reason}`,
      `  collection    ${v.readsCollection ? 'readable by the viewer' : 'NOT readable by the viewer (no grant)'}`,
      `  => ${v.sees ? `SEES this version${v.anonymised ? ' (anonymised)' : ''}` : 'does NOT see this version'}`,
    )
  }
  return `${lines.join('\n')}\n`
}
