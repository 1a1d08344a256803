import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { DistributionScope, Role, TlpLevel } from '../store/store.js'
import {
  SHARING_RULES,
  decideVisibility,
  type SharedVersion,
  type SharingContext,
  type Viewer,
} from './policy.js'
import { TLP_LEVELS, tlpRank } from './tlp.js'

// Small pools, so that random versions, viewers and groups often meet.
const LOCAL_ORGS = ['o0', 'o1', 'o2', 'o3', 'o4', 'o5']
const REMOTE_ORGS = ['r0', 'r1']
const ORGS = [...LOCAL_ORGS, ...REMOTE_ORGS]
const GROUP_IDS = ['g0', 'g1', 'g2', 'g3']
const PEERS = ['p0', 'p1', 'p2']
const SCOPES: DistributionScope[] = ['organisation', 'groups', 'community', 'federation']
const ROLES: Role[] = ['admin', 'analyst', 'reader']
const RUNS = { numRuns: 1500 }

const tlpArb = fc.constantFrom(...TLP_LEVELS)

const contextArb: fc.Arbitrary<SharingContext> = fc
  .record({
    community: fc.subarray(ORGS),
    groups: fc.tuple(...GROUP_IDS.map(() => fc.subarray(ORGS))),
    collectionPublic: fc.boolean(),
  })
  .map(({ community, groups, collectionPublic }) => ({
    communityOrgIds: new Set(community),
    groupMembers: new Map(GROUP_IDS.map((id, i) => [id, new Set(groups[i])])),
    collectionPublic,
  }))

const versionArb: fc.Arbitrary<SharedVersion> = fc.record({
  publisherOrgId: fc.option(fc.constantFrom(...ORGS), { nil: null }),
  tlp: tlpArb,
  distribution: fc.record({
    scope: fc.constantFrom(...SCOPES),
    // 'g-gone' stands for a deleted group: listed, but unknown to the context.
    groups: fc.subarray([...GROUP_IDS, 'g-gone']),
    recipients: fc.subarray(ORGS),
  }),
  originPeer: fc.option(fc.constantFrom(...PEERS), { nil: null }),
  anonymous: fc.boolean(),
})

const userArb = fc.record({
  kind: fc.constant('user' as const),
  orgId: fc.constantFrom(...ORGS),
  role: fc.constantFrom(...ROLES),
  isNodeAdmin: fc.boolean(),
})
const peerArb = fc.record({
  kind: fc.constant('peer' as const),
  peerId: fc.constantFrom(...PEERS),
  orgId: fc.constantFrom(...ORGS),
})
const viewerArb: fc.Arbitrary<Viewer> = fc.oneof(
  userArb,
  peerArb,
  fc.constant({ kind: 'public' as const }),
)

function sees(viewer: Viewer, version: SharedVersion, context: SharingContext): boolean {
  return decideVisibility(viewer, version, context).visible
}

function withTlp(version: SharedVersion, tlp: TlpLevel): SharedVersion {
  return { ...version, tlp }
}

/**
 * The rule restated as audience sets, the shape a SQL filter takes: who the distribution
 * reaches, intersected with what the TLP allows, plus who always sees. Independent of the
 * first-match order of the implementation.
 */
function oracle(viewer: Viewer, v: SharedVersion, ctx: SharingContext): boolean {
  const { scope, groups, recipients } = v.distribution
  switch (viewer.kind) {
    case 'user': {
      const groupMembers = new Set(groups.flatMap((g) => [...(ctx.groupMembers.get(g) ?? [])]))
      const scopeAudience = new Set(
        scope === 'organisation'
          ? []
          : scope === 'groups'
            ? [...ctx.communityOrgIds].filter((o) => groupMembers.has(o))
            : [...ctx.communityOrgIds],
      )
      const reached = new Set([...recipients, ...scopeAudience])
      const tlpAllows = v.tlp === 'red' ? new Set(recipients) : reached
      const always =
        viewer.orgId === v.publisherOrgId ||
        (viewer.isNodeAdmin && v.publisherOrgId === null && v.originPeer === null)
      return always || (reached.has(viewer.orgId) && tlpAllows.has(viewer.orgId))
    }
    case 'public':
      return ctx.collectionPublic && v.tlp === 'clear' && scope === 'federation'
    case 'peer': {
      const reached = recipients.includes(viewer.orgId) || scope === 'federation'
      const fromPeer = v.originPeer !== null
      const tlpAllows =
        v.originPeer !== viewer.peerId &&
        (v.tlp === 'clear' ||
          v.tlp === 'green' ||
          (!fromPeer && (v.tlp !== 'red' || recipients.includes(viewer.orgId))))
      return reached && tlpAllows
    }
  }
}

/** One way of restricting a version or the context, none of which may make anything visible. */
type Restriction =
  | { kind: 'narrower-scope'; to: number }
  | { kind: 'drop-group'; index: number }
  | { kind: 'drop-recipient'; index: number }
  | { kind: 'raise-tlp'; to: number }
  | { kind: 'mark-from-peer'; peer: string }
  | { kind: 'leave-community'; org: string }
  | { kind: 'leave-group'; group: string; org: string }
  | { kind: 'close-collection' }

const restrictionArb: fc.Arbitrary<Restriction> = fc.oneof(
  fc.record({ kind: fc.constant('narrower-scope' as const), to: fc.nat({ max: 3 }) }),
  fc.record({ kind: fc.constant('drop-group' as const), index: fc.nat({ max: 4 }) }),
  fc.record({ kind: fc.constant('drop-recipient' as const), index: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('raise-tlp' as const), to: fc.nat({ max: 4 }) }),
  fc.record({ kind: fc.constant('mark-from-peer' as const), peer: fc.constantFrom(...PEERS) }),
  fc.record({ kind: fc.constant('leave-community' as const), org: fc.constantFrom(...ORGS) }),
  fc.record({
    kind: fc.constant('leave-group' as const),
    group: fc.constantFrom(...GROUP_IDS),
    org: fc.constantFrom(...ORGS),
  }),
  fc.constant({ kind: 'close-collection' as const }),
)

function restrict(
  r: Restriction,
  v: SharedVersion,
  ctx: SharingContext,
): [SharedVersion, SharingContext] {
  const d = v.distribution
  switch (r.kind) {
    case 'narrower-scope': {
      // SCOPES runs narrowest to widest; a restriction never moves up.
      const to = Math.min(r.to, SCOPES.indexOf(d.scope))
      return [{ ...v, distribution: { ...d, scope: SCOPES[to]! } }, ctx]
    }
    case 'drop-group':
      return [
        { ...v, distribution: { ...d, groups: d.groups.filter((_, i) => i !== r.index) } },
        ctx,
      ]
    case 'drop-recipient':
      return [
        { ...v, distribution: { ...d, recipients: d.recipients.filter((_, i) => i !== r.index) } },
        ctx,
      ]
    case 'raise-tlp':
      return [withTlp(v, TLP_LEVELS[Math.max(r.to, tlpRank(v.tlp))]!), ctx]
    case 'mark-from-peer':
      return [v.originPeer === null ? { ...v, originPeer: r.peer } : v, ctx]
    case 'leave-community':
      return [
        v,
        { ...ctx, communityOrgIds: new Set([...ctx.communityOrgIds].filter((o) => o !== r.org)) },
      ]
    case 'leave-group': {
      const members = new Map(ctx.groupMembers)
      members.set(r.group, new Set([...(members.get(r.group) ?? [])].filter((o) => o !== r.org)))
      return [v, { ...ctx, groupMembers: members }]
    }
    case 'close-collection':
      return [v, { ...ctx, collectionPublic: false }]
  }
}

describe('decideVisibility: properties (issue 5, The rule and Tests; DESIGN.md Sharing model)', () => {
  it('always decides, with a known rule whose polarity matches, a reason, and no randomness', () => {
    fc.assert(
      fc.property(viewerArb, versionArb, contextArb, (viewer, v, ctx) => {
        const d = decideVisibility(viewer, v, ctx)
        expect(Object.keys(SHARING_RULES)).toContain(d.rule)
        expect(d.visible).toBe(SHARING_RULES[d.rule].visible)
        expect(d.reason).not.toBe('')
        expect(decideVisibility(viewer, v, ctx)).toEqual(d)
      }),
      RUNS,
    )
  })

  it('agrees with the rule restated as audience sets (the shape of the future SQL filter)', () => {
    fc.assert(
      fc.property(viewerArb, versionArb, contextArb, (viewer, v, ctx) => {
        expect(sees(viewer, v, ctx)).toBe(oracle(viewer, v, ctx))
      }),
      { numRuns: 5000 },
    )
  })

  it('narrows: no added restriction (scope, groups, recipients, TLP, peer origin, membership, closed collection) makes anything visible', () => {
    fc.assert(
      fc.property(
        viewerArb,
        versionArb,
        contextArb,
        fc.array(restrictionArb, { minLength: 1, maxLength: 4 }),
        (viewer, v, ctx, restrictions) => {
          let [rv, rctx] = [v, ctx]
          for (const r of restrictions) [rv, rctx] = restrict(r, rv, rctx)
          if (sees(viewer, rv, rctx)) expect(sees(viewer, v, ctx)).toBe(true)
        },
      ),
      RUNS,
    )
  })

  it('never widens: whatever a distribution lets through, federation (the widest) lets through too', () => {
    fc.assert(
      fc.property(viewerArb, versionArb, contextArb, (viewer, v, ctx) => {
        const widest = { ...v, distribution: { ...v.distribution, scope: 'federation' as const } }
        if (sees(viewer, v, ctx)) expect(sees(viewer, widest, ctx)).toBe(true)
      }),
      RUNS,
    )
  })

  it('is monotonic in TLP: visible at a level means visible at every less restrictive level', () => {
    fc.assert(
      fc.property(viewerArb, versionArb, contextArb, (viewer, v, ctx) => {
        const seen = TLP_LEVELS.map((tlp) => sees(viewer, withTlp(v, tlp), ctx))
        for (let i = 1; i < seen.length; i++) if (seen[i]) expect(seen[i - 1]).toBe(true)
      }),
      RUNS,
    )
  })

  it('RED never reaches an organisation that is not a named recipient (nor the publisher, nor the node\u2019s own for its admins)', () => {
    fc.assert(
      fc.property(viewerArb, versionArb, contextArb, (viewer, v, ctx) => {
        const red = withTlp(v, 'red')
        if (!sees(viewer, red, ctx)) return
        const { recipients } = red.distribution
        switch (viewer.kind) {
          case 'user':
            expect(
              recipients.includes(viewer.orgId) ||
                viewer.orgId === red.publisherOrgId ||
                (viewer.isNodeAdmin && red.publisherOrgId === null && red.originPeer === null),
            ).toBe(true)
            break
          case 'peer':
            expect(recipients.includes(viewer.orgId) && red.originPeer === null).toBe(true)
            break
          case 'public':
            expect.unreachable('a public reader saw TLP:RED')
        }
      }),
      RUNS,
    )
  })

  it('nothing reaches an unauthenticated reader unless TLP:CLEAR, in a public collection, distributed to the federation', () => {
    fc.assert(
      fc.property(versionArb, contextArb, (v, ctx) => {
        const d = decideVisibility({ kind: 'public' }, v, ctx)
        expect(d.visible).toBe(
          v.tlp === 'clear' && ctx.collectionPublic && v.distribution.scope === 'federation',
        )
      }),
      RUNS,
    )
  })

  it('a peer never gets AMBER, AMBER+STRICT or RED that came from a peer, nor anything back from its origin', () => {
    fc.assert(
      fc.property(
        peerArb,
        versionArb,
        contextArb,
        fc.constantFrom(...PEERS),
        (viewer, v, ctx, origin) => {
          const fromPeer = { ...v, originPeer: origin }
          if (tlpRank(v.tlp) >= tlpRank('amber')) expect(sees(viewer, fromPeer, ctx)).toBe(false)
          const echo = { ...v, originPeer: viewer.peerId }
          expect(decideVisibility(viewer, echo, ctx).rule).toBe('PEER_ECHO')
        },
      ),
      RUNS,
    )
  })

  it('a peer is reached only by the federation scope or by being a named recipient', () => {
    fc.assert(
      fc.property(peerArb, versionArb, contextArb, (viewer, v, ctx) => {
        if (!sees(viewer, v, ctx)) return
        expect(
          v.distribution.scope === 'federation' || v.distribution.recipients.includes(viewer.orgId),
        ).toBe(true)
      }),
      RUNS,
    )
  })

  it('the publisher always sees its own, whatever the role, TLP, distribution and context', () => {
    fc.assert(
      fc.property(userArb, versionArb, contextArb, (viewer, v, ctx) => {
        const own = { ...v, publisherOrgId: viewer.orgId }
        expect(decideVisibility(viewer, own, ctx)).toMatchObject({
          visible: true,
          rule: 'PUBLISHER_OWN',
        })
      }),
      RUNS,
    )
  })

  it('roles widen nothing, and node admins see a superset of their organisation (only the node\u2019s own added)', () => {
    fc.assert(
      fc.property(userArb, versionArb, contextArb, (viewer, v, ctx) => {
        const asUser = { ...viewer, isNodeAdmin: false }
        const asAdmin = { ...viewer, isNodeAdmin: true }
        const plain = decideVisibility(asUser, v, ctx)
        for (const role of ROLES)
          expect(decideVisibility({ ...asUser, role }, v, ctx)).toEqual(plain)
        const admin = decideVisibility(asAdmin, v, ctx)
        if (plain.visible) expect(admin.visible).toBe(true)
        if (admin.visible && !plain.visible) {
          expect(admin.rule).toBe('NODE_OWN')
          expect(v.publisherOrgId === null && v.originPeer === null).toBe(true)
        }
      }),
      RUNS,
    )
  })

  it('a user of an organisation not on this node sees only what names it (publisher or recipient)', () => {
    fc.assert(
      fc.property(userArb, versionArb, contextArb, (viewer, v, ctx) => {
        const gone = {
          ...ctx,
          communityOrgIds: new Set([...ctx.communityOrgIds].filter((o) => o !== viewer.orgId)),
        }
        const d = decideVisibility({ ...viewer, isNodeAdmin: false }, v, gone)
        if (d.visible) {
          expect(
            v.publisherOrgId === viewer.orgId || v.distribution.recipients.includes(viewer.orgId),
          ).toBe(true)
        }
      }),
      RUNS,
    )
  })

  it('the anonymous flag never changes a decision', () => {
    fc.assert(
      fc.property(viewerArb, versionArb, contextArb, (viewer, v, ctx) => {
        expect(decideVisibility(viewer, { ...v, anonymous: !v.anonymous }, ctx)).toEqual(
          decideVisibility(viewer, v, ctx),
        )
      }),
      RUNS,
    )
  })
})
