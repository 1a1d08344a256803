import { describe, expect, it } from 'vitest'
import { inboundDistribution as fromSync } from '../sync/inbound.js'
import { foreignVersionRefusal, inboundDistribution } from './inbound.js'

const NODE_ORG = 'org-node'

describe('inboundDistribution (issue 6, Inbound)', () => {
  it('is the one table used by pull (src/sync re-exports it) and by a peer POST', () => {
    expect(fromSync).toBe(inboundDistribution)
  })

  it('narrows AMBER to organisation with this node as recipient, and ignores recipients asked', () => {
    expect(
      inboundDistribution('amber', NODE_ORG, {
        distribution: 'organisation',
        recipients: ['org-elsewhere'],
      }),
    ).toEqual({ scope: 'organisation', groups: [], recipients: [NODE_ORG] })
    expect(inboundDistribution('amber', NODE_ORG, { distribution: 'groups' })).toEqual({
      scope: 'organisation',
      groups: [],
      recipients: [NODE_ORG],
    })
  })

  it('keeps RED and AMBER+STRICT at organisation whatever is asked', () => {
    for (const tlp of ['red', 'amber+strict'] as const) {
      for (const distribution of ['organisation', 'groups', 'community', 'federation']) {
        expect(inboundDistribution(tlp, NODE_ORG, { distribution })).toEqual({
          scope: 'organisation',
          groups: [],
          recipients: [NODE_ORG],
        })
      }
    }
  })
})

describe('foreignVersionRefusal (STIX 2.1 section 3.6)', () => {
  it('names the object, its version and the rule', () => {
    expect(foreignVersionRefusal('indicator--1', '2026-01-01T00:00:00.000Z')).toBe(
      'indicator--1 version 2026-01-01T00:00:00.000Z: not stored: the object was published on this node, and only its creator makes new versions of it (STIX 2.1 section 3.6)',
    )
    expect(foreignVersionRefusal('ipv4-addr--1', '')).toMatch(/^ipv4-addr--1 version \(none\): /)
  })
})
