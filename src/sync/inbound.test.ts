import { describe, expect, it } from 'vitest'
import { inboundDistribution } from './inbound.js'

const NODE_ORG = 'org-node'

describe('inboundDistribution', () => {
  it.each([
    ['clear', 'federation', []],
    ['green', 'federation', []],
    ['amber', 'community', []],
    ['amber+strict', 'organisation', [NODE_ORG]],
    ['red', 'organisation', [NODE_ORG]],
  ] as const)('gives TLP %s the scope %s', (tlp, scope, recipients) => {
    expect(inboundDistribution(tlp, NODE_ORG, undefined)).toEqual({
      scope,
      groups: [],
      recipients,
    })
  })

  it('lets x_intelmesh_sharing narrow the scope, never widen it', () => {
    expect(inboundDistribution('green', NODE_ORG, { distribution: 'community' }).scope).toBe(
      'community',
    )
    expect(inboundDistribution('amber', NODE_ORG, { distribution: 'federation' }).scope).toBe(
      'community',
    )
    expect(inboundDistribution('green', NODE_ORG, { distribution: 'organisation' })).toEqual({
      scope: 'organisation',
      groups: [],
      recipients: [NODE_ORG],
    })
  })

  it('reads groups of the other node as organisation, and ignores unusable requests', () => {
    expect(
      inboundDistribution('clear', NODE_ORG, { distribution: 'groups', groups: ['g'] }).scope,
    ).toBe('organisation')
    expect(inboundDistribution('clear', NODE_ORG, { distribution: 'everyone' }).scope).toBe(
      'federation',
    )
    expect(inboundDistribution('clear', NODE_ORG, 'federation').scope).toBe('federation')
    expect(inboundDistribution('clear', NODE_ORG, ['organisation']).scope).toBe('federation')
  })

  it('names no recipient when the node has no organisation yet', () => {
    expect(inboundDistribution('red', undefined, undefined)).toEqual({
      scope: 'organisation',
      groups: [],
      recipients: [],
    })
  })
})
