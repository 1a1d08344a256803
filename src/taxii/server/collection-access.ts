import type { Principal } from '../../accounts/principal.js'
import type { CollectionGrant } from '../../store/store.js'

/** What a principal may do with one collection. */
export interface CollectionAccess {
  /** The principal may learn that the collection exists (it holds some grant on it). */
  visible: boolean
  canRead: boolean
  canWrite: boolean
}

/**
 * Combines the grants on one collection that reach the principal (to the user, or to the
 * user's organisation). Node admins can read and write every collection.
 */
export function collectionAccess(
  principal: Principal,
  grants: readonly CollectionGrant[],
): CollectionAccess {
  if (principal.role === 'admin') return { visible: true, canRead: true, canWrite: true }
  let canRead = false
  let canWrite = false
  for (const grant of grants) {
    const reaches =
      (grant.subjectKind === 'user' && grant.subjectId === principal.userId) ||
      (grant.subjectKind === 'org' && grant.subjectId === principal.orgId)
    if (!reaches) continue
    canRead ||= grant.canRead
    canWrite ||= grant.canWrite
  }
  return { visible: canRead || canWrite, canRead, canWrite }
}
