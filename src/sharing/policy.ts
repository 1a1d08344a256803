/**
 * The sharing rule of issue 5 (DESIGN.md, Sharing model) as one pure function,
 * {@link decideVisibility}: does this viewer see this stored object version, and which rule
 * decided it. TAXII, exports, streams, search, correlation counts and outbound sync all ask it;
 * the store's SQL filter must agree with it.
 *
 * ## Terms
 * - The **audience** of a distribution, for viewers on this node: the publisher, the named
 *   `recipients`, plus by scope: `organisation` → nobody more; `groups` → the current members of
 *   the listed sharing groups that are organisations of this node; `community` and `federation`
 *   → every organisation of this node. Sharing groups and the community are audiences *on this
 *   node*: they never reach a peer node, even when the peer's organisation is also a member.
 * - A **peer** (outbound sync) is reached by scope `federation` ("the community and the peers it
 *   syncs with") or by naming the peer's organisation in `recipients`.
 * - The **public** (an unauthenticated reader of a public collection) is reached only by scope
 *   `federation`: it is the only scope that narrows nothing, so a CLEAR version distributed to
 *   `organisation`, `groups` or `community` stays off public collections.
 * - The TLP caps the audience; the distribution narrows it and never widens it:
 *   CLEAR → anyone reached, including the public; GREEN → anyone reached except the public;
 *   AMBER and AMBER+STRICT → the organisations reached, and never to a peer when the version was
 *   itself received from a peer (no onward forwarding); RED → only the named recipients
 *   (+ the publisher), never to a peer unless that peer's organisation is a named recipient and
 *   the version did not come from a peer.
 * - AMBER and AMBER+STRICT decide identically: issue 5 gives them the same audience. What
 *   AMBER+STRICT adds (no sharing with the recipient's clients) binds the people who read it,
 *   which no filter on this node can enforce.
 *
 * ## Who always sees what
 * - The **publisher**: every user of the publishing organisation sees its own versions, whatever
 *   their TLP and distribution (`PUBLISHER_OWN`). Roles (reader, analyst, admin) widen nothing.
 * - **Node admins** see what their organisation's users see, plus the versions the node itself
 *   published (`publisherOrgId` null and not received from a peer: seeded and system objects),
 *   at every TLP (`NODE_OWN`). They do *not* see other organisations' versions outside the
 *   audience those organisations chose: members must be able to trust that a RED report reaches
 *   exactly its recipients, operator included. (Administration needs ids and metadata, which
 *   the store gives without this rule; content stays behind it.)
 * - A peer never gets back a version that came from it (`PEER_ECHO`, DESIGN.md, Federation).
 *
 * ## Decision table
 * First matching row wins; `✓` visible, `✗` hidden. Columns are the TLP levels
 * CLEAR / GREEN / AMBER / AMBER+STRICT / RED.
 *
 * User of an organisation on this node (`orgId`; `role` and `isNodeAdmin` as above):
 *
 * | condition                                           | CLEAR | GREEN | AMBER | A+S | RED | rule |
 * |-----------------------------------------------------|-------|-------|-------|-----|-----|------|
 * | orgId is the publisher                              | ✓     | ✓     | ✓     | ✓   | ✓   | PUBLISHER_OWN |
 * | node admin, version published by the node itself    | ✓     | ✓     | ✓     | ✓   | ✓   | NODE_OWN |
 * | orgId is a named recipient                          | ✓     | ✓     | ✓     | ✓   | ✓   | NAMED_RECIPIENT |
 * | TLP is RED (and none of the above)                  |       |       |       |     | ✗   | RED_NOT_RECIPIENT |
 * | scope organisation                                  | ✗     | ✗     | ✗     | ✗   |     | NOT_DISTRIBUTED |
 * | scope groups, orgId in a listed group and on node   | ✓     | ✓     | ✓     | ✓   |     | GROUP_MEMBER |
 * | scope groups, otherwise                             | ✗     | ✗     | ✗     | ✗   |     | NOT_DISTRIBUTED |
 * | scope community or federation, orgId on this node   | ✓     | ✓     | ✓     | ✓   |     | COMMUNITY_MEMBER |
 * | scope community or federation, otherwise            | ✗     | ✗     | ✗     | ✗   |     | NOT_DISTRIBUTED |
 *
 * Public reader (no credentials) of a collection:
 *
 * | condition                                           | CLEAR | GREEN | AMBER | A+S | RED | rule |
 * |-----------------------------------------------------|-------|-------|-------|-----|-----|------|
 * | the collection is not public                        | ✗     | ✗     | ✗     | ✗   | ✗   | PUBLIC_COLLECTION_CLOSED |
 * | TLP is not CLEAR                                    |       | ✗     | ✗     | ✗   | ✗   | PUBLIC_NOT_CLEAR |
 * | scope is not federation                             | ✗     |       |       |     |     | PUBLIC_NOT_FEDERATED |
 * | otherwise                                           | ✓     |       |       |     |     | PUBLIC_CLEAR |
 *
 * Peer node (outbound sync; `peerId`, and the peer's `orgId`):
 *
 * | condition                                           | CLEAR | GREEN | AMBER | A+S | RED | rule |
 * |-----------------------------------------------------|-------|-------|-------|-----|-----|------|
 * | the version came from this very peer                | ✗     | ✗     | ✗     | ✗   | ✗   | PEER_ECHO |
 * | the version came from another peer                  |       |       | ✗     | ✗   | ✗   | PEER_NO_ONWARD |
 * | orgId is a named recipient                          | ✓     | ✓     | ✓     | ✓   | ✓   | NAMED_RECIPIENT |
 * | TLP is RED                                          |       |       |       |     | ✗   | RED_NOT_RECIPIENT |
 * | scope federation                                    | ✓     | ✓     | ✓     | ✓   |     | FEDERATION_PEER |
 * | scope organisation, groups or community             | ✗     | ✗     | ✗     | ✗   |     | PEER_NOT_FEDERATED |
 *
 * Before any row: a version whose stored TLP or distribution is not one of the known values is
 * hidden from every viewer (`INVALID_FACTS`), so corrupted data fails closed.
 *
 * The `anonymous` flag never changes visibility; it changes the view (see `anonymise.ts`).
 *
 * @module
 */

import type { DistributionScope, Role, StoredObjectVersion, TlpLevel } from '../store/store.js'
import { isTlpLevel, tlpRank } from './tlp.js'

/** Every rule code {@link decideVisibility} reports, with whether it grants or hides. Stable. */
export const SHARING_RULES = {
  PUBLISHER_OWN: { visible: true, summary: 'A user of the publishing organisation sees its own' },
  NODE_OWN: { visible: true, summary: 'A node admin sees what the node itself published' },
  NAMED_RECIPIENT: { visible: true, summary: "The viewer's organisation is a named recipient" },
  GROUP_MEMBER: {
    visible: true,
    summary: "The viewer's organisation is in a sharing group the version is distributed to",
  },
  COMMUNITY_MEMBER: {
    visible: true,
    summary: 'The version is distributed to the community and the viewer is a member',
  },
  FEDERATION_PEER: {
    visible: true,
    summary: 'The version is distributed to the federation and its TLP lets it go to peers',
  },
  PUBLIC_CLEAR: {
    visible: true,
    summary: 'A TLP:CLEAR version distributed to the federation, in a public collection',
  },
  RED_NOT_RECIPIENT: {
    visible: false,
    summary: "TLP:RED and the viewer's organisation is not a named recipient",
  },
  NOT_DISTRIBUTED: {
    visible: false,
    summary: "The distribution does not reach the viewer's organisation",
  },
  PUBLIC_COLLECTION_CLOSED: {
    visible: false,
    summary: 'An unauthenticated reader, and the collection is not public',
  },
  PUBLIC_NOT_CLEAR: {
    visible: false,
    summary: 'An unauthenticated reader, and the TLP is above CLEAR',
  },
  PUBLIC_NOT_FEDERATED: {
    visible: false,
    summary: 'An unauthenticated reader, and the distribution is narrower than federation',
  },
  PEER_ECHO: { visible: false, summary: 'The version came from this peer' },
  PEER_NO_ONWARD: {
    visible: false,
    summary: 'TLP:AMBER, AMBER+STRICT or RED received from a peer is never forwarded to a peer',
  },
  INVALID_FACTS: {
    visible: false,
    summary: 'The stored TLP or distribution is not one the rule knows; hidden from everyone',
  },
  PEER_NOT_FEDERATED: {
    visible: false,
    summary: 'A peer, and the distribution stays on this node (not federation, not a recipient)',
  },
} as const satisfies Record<string, { visible: boolean; summary: string }>

/** A stable code naming the rule that decided (for `intelmesh sharing explain`). */
export type RuleCode = keyof typeof SHARING_RULES

/** The outcome of {@link decideVisibility}. */
export interface Decision {
  visible: boolean
  rule: RuleCode
  /** One sentence for people, naming the facts that decided. */
  reason: string
}

/** Who an object version is distributed to, as {@link decideVisibility} reads it. */
export interface SharingDistribution {
  scope: DistributionScope
  /** Sharing group ids; read only when `scope` is `groups`. */
  groups: readonly string[]
  /** Named recipient organisation ids: always reached, and the only audience of TLP:RED. */
  recipients: readonly string[]
}

/** The sharing facts of one stored object version. */
export interface SharedVersion {
  /** The publishing organisation, or null for what the node itself published or received. */
  publisherOrgId: string | null
  /** The effective TLP: the stored one, else the node default (see `effectiveTlp`). */
  tlp: TlpLevel
  distribution: SharingDistribution
  /** The peer this version came from, or null when published on this node. */
  originPeer: string | null
  /** Anonymous publishing: no effect on visibility, only on the view. */
  anonymous: boolean
}

/** Who is asking. */
export type Viewer =
  /** A user of an organisation on this node. */
  | { kind: 'user'; orgId: string; role: Role; isNodeAdmin: boolean }
  /** An unauthenticated reader of a (possibly) public collection. */
  | { kind: 'public' }
  /** A peer node this node syncs with, receiving by outbound sync. */
  | { kind: 'peer'; peerId: string; orgId: string }

/** What the rule needs to know about the node at the time of the decision. */
export interface SharingContext {
  /** Sharing group id → its current member organisation ids. Unknown groups reach nobody. */
  groupMembers: ReadonlyMap<string, ReadonlySet<string>>
  /** The organisations on this node (the community). */
  communityOrgIds: ReadonlySet<string>
  /** Whether the collection being read is open to unauthenticated readers. */
  collectionPublic: boolean
}

/**
 * The sharing facts of a stored row; a row without a TLP takes the node default
 * (issue 5: "none → the node's default").
 */
export function sharedVersionOf(
  row: Pick<
    StoredObjectVersion,
    'publisherOrgId' | 'tlp' | 'distribution' | 'originPeer' | 'anonymous'
  >,
  nodeDefaultTlp: TlpLevel,
): SharedVersion {
  return {
    publisherOrgId: row.publisherOrgId,
    tlp: row.tlp ?? nodeDefaultTlp,
    distribution: row.distribution,
    originPeer: row.originPeer,
    anonymous: row.anonymous,
  }
}

const TLP_NAMES: Record<TlpLevel, string> = {
  clear: 'TLP:CLEAR',
  green: 'TLP:GREEN',
  amber: 'TLP:AMBER',
  'amber+strict': 'TLP:AMBER+STRICT',
  red: 'TLP:RED',
}

function decision(rule: RuleCode, reason: string): Decision {
  return { visible: SHARING_RULES[rule].visible, rule, reason }
}

function listedGroupOf(
  orgId: string,
  groups: readonly string[],
  context: SharingContext,
): string | undefined {
  for (const groupId of groups) {
    if (context.groupMembers.get(groupId)?.has(orgId) === true) return groupId
  }
  return undefined
}

const SCOPES: readonly string[] = ['organisation', 'groups', 'community', 'federation']

/** What is wrong with facts read from storage, if anything (the types cannot vouch for rows). */
function invalidFacts(version: SharedVersion): string | undefined {
  const tlp: unknown = version.tlp
  if (!isTlpLevel(tlp)) return `the TLP ${JSON.stringify(tlp)} is not a TLP level`
  const distribution: unknown = version.distribution
  if (typeof distribution !== 'object' || distribution === null) {
    return 'the version has no distribution'
  }
  const { scope, groups, recipients } = distribution as Record<string, unknown>
  if (typeof scope !== 'string' || !SCOPES.includes(scope)) {
    return `the distribution scope ${JSON.stringify(scope)} is not one of ${SCOPES.join(', ')}`
  }
  if (!Array.isArray(groups) || !Array.isArray(recipients)) {
    return 'the distribution lacks its groups or recipients list'
  }
  return undefined
}

function decideForUser(
  viewer: Extract<Viewer, { kind: 'user' }>,
  version: SharedVersion,
  context: SharingContext,
): Decision {
  const { orgId } = viewer
  const { distribution, tlp } = version
  const tlpName = TLP_NAMES[tlp]
  if (version.publisherOrgId === orgId) {
    return decision('PUBLISHER_OWN', `organisation ${orgId} published this version`)
  }
  if (viewer.isNodeAdmin && version.publisherOrgId === null && version.originPeer === null) {
    return decision(
      'NODE_OWN',
      'the node itself published this version and the viewer is a node admin',
    )
  }
  if (distribution.recipients.includes(orgId)) {
    return decision('NAMED_RECIPIENT', `organisation ${orgId} is a named recipient (${tlpName})`)
  }
  if (tlp === 'red') {
    return decision(
      'RED_NOT_RECIPIENT',
      `TLP:RED reaches only the named recipients, and organisation ${orgId} is not one`,
    )
  }
  // Below RED the TLP allows every organisation reached; the distribution decides.
  const onNode = context.communityOrgIds.has(orgId)
  switch (distribution.scope) {
    case 'organisation':
      return decision(
        'NOT_DISTRIBUTED',
        `the distribution is "organisation" (publisher only), so organisation ${orgId} is not reached (${tlpName})`,
      )
    case 'groups': {
      const group = listedGroupOf(orgId, distribution.groups, context)
      if (group !== undefined && onNode) {
        return decision(
          'GROUP_MEMBER',
          `organisation ${orgId} is a member of sharing group ${group} (${tlpName})`,
        )
      }
      return decision(
        'NOT_DISTRIBUTED',
        group === undefined
          ? `organisation ${orgId} is in none of the sharing groups distributed to (${tlpName})`
          : `organisation ${orgId} is in sharing group ${group} but not on this node (${tlpName})`,
      )
    }
    case 'community':
    case 'federation':
      if (onNode) {
        return decision(
          'COMMUNITY_MEMBER',
          `the distribution is "${distribution.scope}" and organisation ${orgId} is on this node (${tlpName})`,
        )
      }
      return decision(
        'NOT_DISTRIBUTED',
        `the distribution is "${distribution.scope}" but organisation ${orgId} is not on this node (${tlpName})`,
      )
  }
}

function decideForPublic(version: SharedVersion, context: SharingContext): Decision {
  if (!context.collectionPublic) {
    return decision(
      'PUBLIC_COLLECTION_CLOSED',
      'the collection is not open to unauthenticated readers',
    )
  }
  if (version.tlp !== 'clear') {
    return decision(
      'PUBLIC_NOT_CLEAR',
      `${TLP_NAMES[version.tlp]} never goes to unauthenticated readers; only TLP:CLEAR does`,
    )
  }
  if (version.distribution.scope !== 'federation') {
    return decision(
      'PUBLIC_NOT_FEDERATED',
      `TLP:CLEAR, but the distribution "${version.distribution.scope}" is narrower than federation`,
    )
  }
  return decision('PUBLIC_CLEAR', 'TLP:CLEAR distributed to the federation, in a public collection')
}

function decideForPeer(
  viewer: Extract<Viewer, { kind: 'peer' }>,
  version: SharedVersion,
): Decision {
  const { peerId, orgId } = viewer
  const { distribution, tlp, originPeer } = version
  const tlpName = TLP_NAMES[tlp]
  if (originPeer === peerId) {
    return decision('PEER_ECHO', `the version came from peer ${peerId}; it is never sent back`)
  }
  if (originPeer !== null && tlpRank(tlp) >= tlpRank('amber')) {
    return decision(
      'PEER_NO_ONWARD',
      `${tlpName} received from peer ${originPeer} is never forwarded to another peer`,
    )
  }
  if (distribution.recipients.includes(orgId)) {
    return decision(
      'NAMED_RECIPIENT',
      `peer ${peerId}'s organisation ${orgId} is a named recipient (${tlpName})`,
    )
  }
  if (tlp === 'red') {
    return decision(
      'RED_NOT_RECIPIENT',
      `TLP:RED reaches only the named recipients, and peer ${peerId}'s organisation ${orgId} is not one`,
    )
  }
  if (distribution.scope === 'federation') {
    return decision('FEDERATION_PEER', `the distribution is "federation" (${tlpName})`)
  }
  return decision(
    'PEER_NOT_FEDERATED',
    `the distribution "${distribution.scope}" stays on this node and peer ${peerId} is not a named recipient`,
  )
}

/**
 * Decides whether `viewer` sees `version` (issue 5, "The rule"; DESIGN.md, Sharing model). Pure:
 * the same inputs always give the same decision. The module comment holds the decision table.
 *
 * @example
 * decideVisibility(
 *   { kind: 'user', orgId: 'org-b', role: 'reader', isNodeAdmin: false },
 *   { publisherOrgId: 'org-a', tlp: 'amber', originPeer: null, anonymous: false,
 *     distribution: { scope: 'community', groups: [], recipients: [] } },
 *   { groupMembers: new Map(), communityOrgIds: new Set(['org-a', 'org-b']), collectionPublic: false },
 * ) // { visible: true, rule: 'COMMUNITY_MEMBER', reason: '...' }
 */
export function decideVisibility(
  viewer: Viewer,
  version: SharedVersion,
  context: SharingContext,
): Decision {
  // Fail closed: a corrupted row must never fall through to a granting rule.
  const invalid = invalidFacts(version)
  if (invalid !== undefined) return decision('INVALID_FACTS', `${invalid}, so nobody sees it`)
  switch (viewer.kind) {
    case 'user':
      return decideForUser(viewer, version, context)
    case 'public':
      return decideForPublic(version, context)
    case 'peer':
      return decideForPeer(viewer, version)
  }
}
