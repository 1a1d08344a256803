import { describe, expect, it } from 'vitest'
import type { DistributionScope, Role, TlpLevel } from '../store/store.js'
import {
  SHARING_RULES,
  decideVisibility,
  sharedVersionOf,
  type RuleCode,
  type SharedVersion,
  type SharingContext,
  type Viewer,
} from './policy.js'
import { TLP_LEVELS } from './tlp.js'

// One node: five organisations on it, one that has left but is still listed in a group, and
// organisations of other nodes reached through peers.
const COMMUNITY = new Set(['org-pub', 'org-rcp', 'org-grp', 'org-com', 'org-admin'])
const GROUPS = new Map([
  ['grp-1', new Set(['org-grp', 'org-gone'])],
  ['grp-2', new Set(['org-com'])],
])
const RECIPIENTS = ['org-rcp', 'org-peer-r']

function context(collectionPublic = false): SharingContext {
  return { groupMembers: GROUPS, communityOrgIds: COMMUNITY, collectionPublic }
}

function version(
  tlp: TlpLevel,
  scope: DistributionScope,
  overrides: Partial<SharedVersion> = {},
): SharedVersion {
  return {
    publisherOrgId: 'org-pub',
    tlp,
    distribution: { scope, groups: ['grp-1'], recipients: RECIPIENTS },
    originPeer: null,
    anonymous: false,
    ...overrides,
  }
}

function user(orgId: string, role: Role = 'analyst', isNodeAdmin = false): Viewer {
  return { kind: 'user', orgId, role, isNodeAdmin }
}

function peer(peerId: string, orgId: string): Viewer {
  return { kind: 'peer', peerId, orgId }
}

type Row = readonly [RuleCode, RuleCode, RuleCode, RuleCode, RuleCode]

/** The same code at every TLP level. */
function all(code: RuleCode): Row {
  return [code, code, code, code, code]
}

/** One code below RED, another at RED. */
function belowRed(code: RuleCode, red: RuleCode): Row {
  return [code, code, code, code, red]
}

interface Case {
  name: string
  viewer: Viewer
  overrides?: Partial<SharedVersion>
  collectionPublic?: boolean
  /** Expected rule per TLP level (CLEAR, GREEN, AMBER, AMBER+STRICT, RED) for each scope. */
  expected: Record<DistributionScope, Row>
}

function sameForEveryScope(row: Row): Record<DistributionScope, Row> {
  return { organisation: row, groups: row, community: row, federation: row }
}

const COMMUNITY_NOT_IN_GROUP: Record<DistributionScope, Row> = {
  organisation: belowRed('NOT_DISTRIBUTED', 'RED_NOT_RECIPIENT'),
  groups: belowRed('NOT_DISTRIBUTED', 'RED_NOT_RECIPIENT'),
  community: belowRed('COMMUNITY_MEMBER', 'RED_NOT_RECIPIENT'),
  federation: belowRed('COMMUNITY_MEMBER', 'RED_NOT_RECIPIENT'),
}

const PUBLIC_OPEN: Record<DistributionScope, Row> = {
  organisation: [
    'PUBLIC_NOT_FEDERATED',
    'PUBLIC_NOT_CLEAR',
    'PUBLIC_NOT_CLEAR',
    'PUBLIC_NOT_CLEAR',
    'PUBLIC_NOT_CLEAR',
  ],
  groups: [
    'PUBLIC_NOT_FEDERATED',
    'PUBLIC_NOT_CLEAR',
    'PUBLIC_NOT_CLEAR',
    'PUBLIC_NOT_CLEAR',
    'PUBLIC_NOT_CLEAR',
  ],
  community: [
    'PUBLIC_NOT_FEDERATED',
    'PUBLIC_NOT_CLEAR',
    'PUBLIC_NOT_CLEAR',
    'PUBLIC_NOT_CLEAR',
    'PUBLIC_NOT_CLEAR',
  ],
  federation: [
    'PUBLIC_CLEAR',
    'PUBLIC_NOT_CLEAR',
    'PUBLIC_NOT_CLEAR',
    'PUBLIC_NOT_CLEAR',
    'PUBLIC_NOT_CLEAR',
  ],
}

const PEER_LOCAL_VERSION: Record<DistributionScope, Row> = {
  organisation: belowRed('PEER_NOT_FEDERATED', 'RED_NOT_RECIPIENT'),
  groups: belowRed('PEER_NOT_FEDERATED', 'RED_NOT_RECIPIENT'),
  community: belowRed('PEER_NOT_FEDERATED', 'RED_NOT_RECIPIENT'),
  federation: belowRed('FEDERATION_PEER', 'RED_NOT_RECIPIENT'),
}

const FROM_PEER_B = { originPeer: 'peer-b' }

// The decision table of policy.ts, written out cell by cell: every viewer kind against every
// TLP level and distribution scope (issue 5, "The rule"; DESIGN.md, Sharing model).
const CASES: Case[] = [
  {
    name: 'a user of the publishing organisation (reader role)',
    viewer: user('org-pub', 'reader'),
    expected: sameForEveryScope(all('PUBLISHER_OWN')),
  },
  {
    name: 'a user of a named recipient organisation',
    viewer: user('org-rcp'),
    expected: sameForEveryScope(all('NAMED_RECIPIENT')),
  },
  {
    name: 'a user of an organisation in the listed sharing group',
    viewer: user('org-grp'),
    expected: {
      organisation: belowRed('NOT_DISTRIBUTED', 'RED_NOT_RECIPIENT'),
      groups: belowRed('GROUP_MEMBER', 'RED_NOT_RECIPIENT'),
      community: belowRed('COMMUNITY_MEMBER', 'RED_NOT_RECIPIENT'),
      federation: belowRed('COMMUNITY_MEMBER', 'RED_NOT_RECIPIENT'),
    },
  },
  {
    name: 'a user of a community organisation that is only in an unlisted group',
    viewer: user('org-com'),
    expected: COMMUNITY_NOT_IN_GROUP,
  },
  {
    name: 'an organisation admin (not a node admin): the role widens nothing',
    viewer: user('org-com', 'admin'),
    expected: COMMUNITY_NOT_IN_GROUP,
  },
  {
    name: "a node admin, on another organisation's version: no more than its organisation sees",
    viewer: user('org-admin', 'admin', true),
    expected: COMMUNITY_NOT_IN_GROUP,
  },
  {
    name: 'a node admin, on a version the node itself published',
    viewer: user('org-admin', 'admin', true),
    overrides: { publisherOrgId: null },
    expected: sameForEveryScope(all('NODE_OWN')),
  },
  {
    name: 'a user who is not a node admin, on a version the node itself published',
    viewer: user('org-com', 'admin'),
    overrides: { publisherOrgId: null },
    expected: COMMUNITY_NOT_IN_GROUP,
  },
  {
    name: 'a node admin, on a version without publisher received from a peer (not the node\u2019s own)',
    viewer: user('org-admin', 'admin', true),
    overrides: { publisherOrgId: null, ...FROM_PEER_B },
    expected: COMMUNITY_NOT_IN_GROUP,
  },
  {
    name: 'a user of a community organisation, on a version received from a peer',
    viewer: user('org-com'),
    overrides: FROM_PEER_B,
    expected: COMMUNITY_NOT_IN_GROUP,
  },
  {
    name: 'a user of a community organisation, reading a public collection',
    viewer: user('org-com'),
    collectionPublic: true,
    expected: COMMUNITY_NOT_IN_GROUP,
  },
  {
    name: 'a user of an organisation still listed in the group but no longer on the node',
    viewer: user('org-gone'),
    expected: sameForEveryScope(belowRed('NOT_DISTRIBUTED', 'RED_NOT_RECIPIENT')),
  },
  {
    name: 'an unauthenticated reader of a public collection',
    viewer: { kind: 'public' },
    collectionPublic: true,
    expected: PUBLIC_OPEN,
  },
  {
    name: 'an unauthenticated reader of a public collection, on a version received from a peer',
    viewer: { kind: 'public' },
    collectionPublic: true,
    overrides: FROM_PEER_B,
    expected: PUBLIC_OPEN,
  },
  {
    name: 'an unauthenticated reader of a collection that is not public',
    viewer: { kind: 'public' },
    expected: sameForEveryScope(all('PUBLIC_COLLECTION_CLOSED')),
  },
  {
    name: 'a peer, on a version published on this node',
    viewer: peer('peer-a', 'org-peer-a'),
    expected: PEER_LOCAL_VERSION,
  },
  {
    name: 'a peer whose organisation is in the listed group and on this node: groups stay local',
    viewer: peer('peer-g', 'org-grp'),
    expected: PEER_LOCAL_VERSION,
  },
  {
    name: "a peer whose organisation published the version: the publisher's own is local",
    viewer: peer('peer-p', 'org-pub'),
    expected: PEER_LOCAL_VERSION,
  },
  {
    name: 'a peer whose organisation is a named recipient, on a version published here',
    viewer: peer('peer-r', 'org-peer-r'),
    expected: sameForEveryScope(all('NAMED_RECIPIENT')),
  },
  {
    name: 'a peer, on a version received from another peer (no onward forwarding above GREEN)',
    viewer: peer('peer-a', 'org-peer-a'),
    overrides: FROM_PEER_B,
    expected: {
      organisation: [
        'PEER_NOT_FEDERATED',
        'PEER_NOT_FEDERATED',
        'PEER_NO_ONWARD',
        'PEER_NO_ONWARD',
        'PEER_NO_ONWARD',
      ],
      groups: [
        'PEER_NOT_FEDERATED',
        'PEER_NOT_FEDERATED',
        'PEER_NO_ONWARD',
        'PEER_NO_ONWARD',
        'PEER_NO_ONWARD',
      ],
      community: [
        'PEER_NOT_FEDERATED',
        'PEER_NOT_FEDERATED',
        'PEER_NO_ONWARD',
        'PEER_NO_ONWARD',
        'PEER_NO_ONWARD',
      ],
      federation: [
        'FEDERATION_PEER',
        'FEDERATION_PEER',
        'PEER_NO_ONWARD',
        'PEER_NO_ONWARD',
        'PEER_NO_ONWARD',
      ],
    },
  },
  {
    name: 'a named-recipient peer, on a version received from another peer',
    viewer: peer('peer-r', 'org-peer-r'),
    overrides: FROM_PEER_B,
    expected: sameForEveryScope([
      'NAMED_RECIPIENT',
      'NAMED_RECIPIENT',
      'PEER_NO_ONWARD',
      'PEER_NO_ONWARD',
      'PEER_NO_ONWARD',
    ]),
  },
  {
    name: 'the peer the version came from (never sent back, DESIGN.md Federation)',
    viewer: peer('peer-b', 'org-peer-r'),
    overrides: FROM_PEER_B,
    expected: sameForEveryScope(all('PEER_ECHO')),
  },
]

const SCOPES: DistributionScope[] = ['organisation', 'groups', 'community', 'federation']

describe('decideVisibility: decision table (issue 5, The rule; DESIGN.md Sharing model)', () => {
  for (const c of CASES) {
    for (const scope of SCOPES) {
      it(`${c.name}: distribution ${scope}, CLEAR..RED → ${c.expected[scope].join(' ')}`, () => {
        const got = TLP_LEVELS.map((tlp) =>
          decideVisibility(c.viewer, version(tlp, scope, c.overrides), context(c.collectionPublic)),
        )
        expect(got.map((d) => d.rule)).toEqual(c.expected[scope])
        for (const d of got) {
          expect(d.visible).toBe(SHARING_RULES[d.rule].visible)
          expect(d.reason.length).toBeGreaterThan(10)
        }
      })
    }
  }

  it('covers every rule code at least once (INVALID_FACTS in its own block below)', () => {
    const used = new Set<string>(
      CASES.flatMap((c) => SCOPES.flatMap((scope) => [...c.expected[scope]])),
    )
    used.add('INVALID_FACTS')
    expect([...used].sort()).toEqual(Object.keys(SHARING_RULES).sort())
  })
})

describe('decideVisibility: named scenarios (issue 5)', () => {
  it('CLEAR with distribution "organisation" reaches the publisher only (distribution narrows)', () => {
    const v = version('clear', 'organisation', {
      distribution: { scope: 'organisation', groups: [], recipients: [] },
    })
    expect(decideVisibility(user('org-pub'), v, context(true)).visible).toBe(true)
    expect(decideVisibility(user('org-com'), v, context(true)).visible).toBe(false)
    expect(decideVisibility({ kind: 'public' }, v, context(true)).visible).toBe(false)
    expect(decideVisibility(peer('peer-a', 'org-peer-a'), v, context(true)).visible).toBe(false)
  })

  it('removing an organisation from a sharing group takes effect at the next decision', () => {
    const v = version('amber', 'groups')
    const before = context()
    expect(decideVisibility(user('org-grp'), v, before).rule).toBe('GROUP_MEMBER')
    const after: SharingContext = {
      ...before,
      groupMembers: new Map([['grp-1', new Set(['org-gone'])]]),
    }
    expect(decideVisibility(user('org-grp'), v, after).rule).toBe('NOT_DISTRIBUTED')
  })

  it('an unknown sharing group id reaches nobody', () => {
    const v = version('green', 'groups', {
      distribution: { scope: 'groups', groups: ['grp-deleted'], recipients: [] },
    })
    for (const org of COMMUNITY) {
      const d = decideVisibility(user(org), v, context())
      expect(d.visible).toBe(org === 'org-pub')
    }
  })

  it('names the deciding facts in the reason', () => {
    expect(
      decideVisibility(user('org-grp'), version('amber', 'groups'), context()).reason,
    ).toContain('grp-1')
    expect(
      decideVisibility(user('org-com'), version('red', 'federation'), context()).reason,
    ).toMatch(/TLP:RED.*org-com/)
    expect(
      decideVisibility(
        peer('peer-a', 'org-peer-a'),
        version('amber', 'federation', FROM_PEER_B),
        context(),
      ).reason,
    ).toMatch(/TLP:AMBER.*peer-b/)
  })

  it('ignores the anonymous flag (it changes the view, not the audience)', () => {
    for (const c of CASES) {
      for (const scope of SCOPES) {
        for (const tlp of TLP_LEVELS) {
          const ctx = context(c.collectionPublic)
          const plain = decideVisibility(
            c.viewer,
            version(tlp, scope, { ...c.overrides, anonymous: false }),
            ctx,
          )
          const anon = decideVisibility(
            c.viewer,
            version(tlp, scope, { ...c.overrides, anonymous: true }),
            ctx,
          )
          expect(anon).toEqual(plain)
        }
      }
    }
  })
})

describe('decideVisibility: corrupted facts from storage', () => {
  const viewers: Viewer[] = [
    user('org-pub', 'admin', true),
    user('org-rcp'),
    { kind: 'public' },
    peer('peer-r', 'org-peer-r'),
  ]
  const corrupted: Array<[string, unknown]> = [
    ['an unknown TLP', { ...version('clear', 'federation'), tlp: 'white' }],
    ['a null TLP (node default not applied)', { ...version('clear', 'federation'), tlp: null }],
    [
      'an unknown scope',
      {
        ...version('clear', 'federation'),
        distribution: { scope: 'public', groups: [], recipients: [] },
      },
    ],
    ['no distribution', { ...version('clear', 'federation'), distribution: null }],
    [
      'recipients that are not a list',
      {
        ...version('red', 'federation'),
        distribution: { scope: 'groups', groups: [], recipients: 'org-rcp' },
      },
    ],
  ]

  for (const [what, facts] of corrupted) {
    it(`hides a version with ${what} from every viewer, publisher included (fails closed)`, () => {
      for (const viewer of viewers) {
        const d = decideVisibility(viewer, facts as SharedVersion, context(true))
        expect(d).toMatchObject({ visible: false, rule: 'INVALID_FACTS' })
        expect(d.reason).toContain('nobody sees it')
      }
    })
  }
})

describe('sharedVersionOf', () => {
  const row = {
    publisherOrgId: 'org-pub',
    tlp: null,
    distribution: { scope: 'community' as const, groups: [], recipients: [] },
    originPeer: null,
    anonymous: true,
  }

  it('gives a row without TLP the node default (issue 5: none → the node default)', () => {
    expect(sharedVersionOf(row, 'amber').tlp).toBe('amber')
    expect(sharedVersionOf(row, 'green').tlp).toBe('green')
  })

  it('keeps the stored TLP and the other sharing facts', () => {
    expect(sharedVersionOf({ ...row, tlp: 'red' }, 'clear')).toEqual({ ...row, tlp: 'red' })
  })
})
