/**
 * The audience given to what a peer sends (issue 6, "Inbound": "a distribution no wider than
 * the peer granted"). A peer's node granted its objects to this node as a whole; inside this
 * node the TLP decides how far they go:
 *
 * | TLP          | scope         | recipients             | why |
 * |--------------|---------------|------------------------|-----|
 * | CLEAR, GREEN | federation    | none                   | may go on to other peers and the community |
 * | AMBER        | community     | none                   | the organisations of this node; never onward (PEER_NO_ONWARD) |
 * | AMBER+STRICT | organisation  | this node's organisation | only the receiving organisation, not its community |
 * | RED          | organisation  | this node's organisation | only the named recipient: the peer named this node |
 *
 * The publisher (the peer's organisation on this node) always sees its own. An object without
 * a TLP marking takes this node's default TLP. An object may narrow its audience with
 * `x_intelmesh_sharing.distribution` (never widen it); its groups and recipients name things
 * of the other node, so they do not apply here: `groups` narrows to `organisation`. The
 * property is removed before the object is stored.
 */
import { tlpRank } from '../sharing/tlp.js'
import type { Distribution, DistributionScope, TlpLevel } from '../store/store.js'

/** The custom property an object may carry to choose its own audience. */
export const SHARING_PROPERTY = 'x_intelmesh_sharing'

const SCOPE_RANK: Record<DistributionScope, number> = {
  organisation: 0,
  groups: 1,
  community: 2,
  federation: 3,
}

/** The distribution stored with a version received from a peer (see the module comment). */
export function inboundDistribution(
  tlp: TlpLevel,
  nodeOrgId: string | undefined,
  asked: unknown,
): Distribution {
  const recipients = nodeOrgId === undefined ? [] : [nodeOrgId]
  let scope: DistributionScope
  if (tlpRank(tlp) >= tlpRank('amber+strict')) scope = 'organisation'
  else if (tlp === 'amber') scope = 'community'
  else scope = 'federation'
  const wanted = askedScope(asked)
  if (wanted !== undefined && SCOPE_RANK[wanted] < SCOPE_RANK[scope]) {
    scope = wanted === 'groups' ? 'organisation' : wanted
  }
  return {
    scope,
    groups: [],
    recipients: scope === 'organisation' ? recipients : [],
  }
}

function askedScope(asked: unknown): DistributionScope | undefined {
  if (asked === null || typeof asked !== 'object' || Array.isArray(asked)) return undefined
  const value = (asked as Record<string, unknown>)['distribution']
  return typeof value === 'string' && value in SCOPE_RANK ? (value as DistributionScope) : undefined
}
