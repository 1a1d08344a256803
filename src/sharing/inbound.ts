/**
 * The audience given to what a peer node sends, whether this node pulls it or the peer pushes
 * it with TAXII POST (issue 6, "Inbound": "a distribution no wider than the peer granted"). A
 * peer's node granted its objects to this node as a whole; inside this node the TLP decides
 * how far they go:
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
 * property is removed before the object is stored. Pure: the caller reads the node's
 * organisation and default TLP.
 *
 * @module
 */
import type { Distribution, DistributionScope, TlpLevel } from '../store/store.js'
import { SHARING_PROPERTY, isDistributionScope, scopeRank } from './publish.js'
import { tlpRank } from './tlp.js'

export { SHARING_PROPERTY }

/**
 * The distribution stored with a version received from a peer (see the module comment).
 *
 * @param tlp the version's effective TLP (its markings, else the node default)
 * @param nodeOrgId this node's organisation, the recipient of AMBER+STRICT and RED
 * @param asked the object's `x_intelmesh_sharing` value as received (anything; only a known
 *   `distribution` counts, and only to narrow)
 */
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
  if (wanted !== undefined && scopeRank(wanted) < scopeRank(scope)) {
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
  return isDistributionScope(value) ? value : undefined
}

/**
 * The refusal of a peer's version of an object published on this node (STIX 2.1 section 3.6:
 * only the creator of an object makes new versions of it), naming the object and the rule.
 */
export function foreignVersionRefusal(objectId: string, version: string): string {
  return `${objectId} version ${version === '' ? '(none)' : version}: not stored: the object was published on this node, and only its creator makes new versions of it (STIX 2.1 section 3.6)`
}
