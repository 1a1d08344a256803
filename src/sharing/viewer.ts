/**
 * From a request to the sharing rule's inputs: who the viewer is (`viewerOf`), the facts the
 * store needs to apply the rule as a query filter (`visibilityFilterOf`), and the context
 * `decideVisibility` needs to explain one decision (`sharingContextOf`). Everything that reads
 * objects for someone (TAXII, admin API, exports, sync) goes through these, so the rule is
 * applied the same way everywhere. Group membership and the node default are read on every
 * call: a removal from a group takes effect at the next request.
 */
import type { Principal } from '../accounts/principal.js'
import type { Store, TlpLevel, VisibilityFilter } from '../store/store.js'
import type { SharingContext, Viewer } from './policy.js'
import { DEFAULT_NODE_TLP, isTlpLevel } from './tlp.js'

/** Node settings the sharing model reads (kept in the store's settings table). */
export const sharingSettings = {
  /** The TLP of objects with no TLP marking (issue 5: AMBER unless configured). */
  defaultTlp: 'sharing.default_tlp',
  /** The identity anonymous objects are attributed to; default: the node organisation's. */
  allianceIdentityId: 'sharing.alliance_identity_id',
  /** The node's own organisation id (written by bootstrap). */
  nodeOrgId: 'node.org_id',
} as const

/** The node's default TLP for objects without a TLP marking. */
export async function readDefaultTlp(store: Store): Promise<TlpLevel> {
  const value = await store.getSetting(sharingSettings.defaultTlp)
  return isTlpLevel(value) ? value : DEFAULT_NODE_TLP
}

/** The id of the organisation that runs this node, when bootstrapped. */
export async function readNodeOrgId(store: Store): Promise<string | undefined> {
  return store.getSetting(sharingSettings.nodeOrgId)
}

/**
 * The identity that anonymous objects name as their creator: the configured one, else the
 * node organisation's identity, else undefined (a node that was never bootstrapped).
 */
export async function readAllianceIdentityId(store: Store): Promise<string | undefined> {
  const configured = await store.getSetting(sharingSettings.allianceIdentityId)
  if (configured !== undefined) return configured
  const nodeOrgId = await readNodeOrgId(store)
  if (nodeOrgId === undefined) return undefined
  return (await store.getOrganisation(nodeOrgId))?.identityId
}

/**
 * Who is asking: a peer node when the API key belongs to one, a user of an organisation
 * otherwise, the public without credentials. Node admins are the admins of the node's own
 * organisation; an organisation's admins are not node admins.
 */
export function viewerOf(principal: Principal | undefined, nodeOrgId: string | undefined): Viewer {
  if (principal === undefined) return { kind: 'public' }
  if (principal.peerId !== undefined) {
    return { kind: 'peer', peerId: principal.peerId, orgId: principal.orgId }
  }
  return {
    kind: 'user',
    orgId: principal.orgId,
    role: principal.role,
    isNodeAdmin:
      principal.role === 'admin' && nodeOrgId !== undefined && principal.orgId === nodeOrgId,
  }
}

/** The store filter for `viewer` reading a collection (public flag from the collection). */
export async function visibilityFilterOf(
  store: Store,
  viewer: Viewer,
  collection: { public: boolean },
  defaultTlp?: TlpLevel,
): Promise<VisibilityFilter> {
  const tlp = defaultTlp ?? (await readDefaultTlp(store))
  switch (viewer.kind) {
    case 'public':
      return { kind: 'public', collectionPublic: collection.public, defaultTlp: tlp }
    case 'peer':
      return { kind: 'peer', peerId: viewer.peerId, orgId: viewer.orgId, defaultTlp: tlp }
    case 'user': {
      const [groupIds, org] = await Promise.all([
        store.groupIdsOfOrganisation(viewer.orgId),
        store.getOrganisation(viewer.orgId),
      ])
      return {
        kind: 'user',
        orgId: viewer.orgId,
        isNodeAdmin: viewer.isNodeAdmin,
        onNode: org !== undefined,
        groupIds,
        defaultTlp: tlp,
      }
    }
  }
}

/** The facts `decideVisibility` reads, for one collection, as they are now. */
export async function sharingContextOf(
  store: Store,
  collection: { public: boolean },
): Promise<SharingContext> {
  const [groups, orgs] = await Promise.all([store.listSharingGroups(), store.listOrganisations()])
  return {
    groupMembers: new Map(groups.map((g) => [g.id, new Set(g.members)])),
    communityOrgIds: new Set(orgs.map((o) => o.id)),
    collectionPublic: collection.public,
  }
}
