import type { Principal } from '../../accounts/principal.js'
import type { CollectionGrant } from '../../store/store.js'

/** What a principal may do with one collection. */
export interface CollectionAccess {
  /** The principal may learn that the collection exists (a grant, or the collection is public). */
  visible: boolean
  canRead: boolean
  canWrite: boolean
}

/** The facts about the node and the collection that access depends on besides the grants. */
export interface AccessFacts {
  /** The node's own organisation (`node.org_id`); its admins are the node admins. */
  nodeOrgId: string | undefined
  /** The collection is open to unauthenticated readers (`Collection.public`). */
  public: boolean
}

/**
 * Combines the grants on one collection that reach the principal (to the user, or to the
 * user's organisation). Node admins (role admin of the node's own organisation) can read and
 * write every collection; an admin of another organisation has only its grants. Readers never
 * write, whatever their grants (issue 5, role limits). A public collection is visible and
 * readable by everyone, without credentials too (`principal` undefined); what each reader sees in
 * it is decided by the sharing rule.
 */
export function collectionAccess(
  principal: Principal | undefined,
  grants: readonly CollectionGrant[],
  facts: AccessFacts,
): CollectionAccess {
  if (principal === undefined) {
    return { visible: facts.public, canRead: facts.public, canWrite: false }
  }
  const nodeAdmin =
    principal.role === 'admin' &&
    principal.peerId === undefined &&
    facts.nodeOrgId !== undefined &&
    principal.orgId === facts.nodeOrgId
  if (nodeAdmin) return { visible: true, canRead: true, canWrite: true }
  let canRead = facts.public
  let canWrite = false
  let granted = false
  for (const grant of grants) {
    const reaches =
      (grant.subjectKind === 'user' && grant.subjectId === principal.userId) ||
      (grant.subjectKind === 'org' && grant.subjectId === principal.orgId)
    if (!reaches) continue
    granted ||= grant.canRead || grant.canWrite
    canRead ||= grant.canRead
    canWrite ||= grant.canWrite
  }
  if (principal.role === 'reader') canWrite = false
  return { visible: granted || facts.public, canRead, canWrite }
}
