import { describe, expect, it } from 'vitest'
import type { Distribution, Organisation, SharingGroup } from '../store/store.js'
import {
  ceilingFor,
  checkCeiling,
  decidePublication,
  parseSharingProperty,
  type PublishContext,
} from './publish.js'

const ID = 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'

function org(id: string, name: string): Organisation {
  return { id, name, identityId: `identity--${id}`, createdAt: '2026-01-01T00:00:00Z' }
}

function group(id: string, name: string, ownerOrgId: string, members: string[]): SharingGroup {
  return { id, name, ownerOrgId, description: '', members, createdAt: '2026-01-01T00:00:00Z' }
}

const orgs = [org('o-a', 'Acme'), org('o-b', 'Beta'), org('o-c', 'Gamma')]
const groups = [
  group('g-1', 'finance', 'o-a', ['o-b']),
  group('g-2', 'energy', 'o-c', ['o-b']),
  group('g-3', 'mixed', 'o-c', ['o-a']),
]

function byIdAndName<T extends { id: string; name: string }>(items: T[]): Map<string, T> {
  return new Map(items.flatMap((item) => [[item.id, item] as const, [item.name, item] as const]))
}

const community: Distribution = { scope: 'community', groups: [], recipients: [] }

function context(overrides: Partial<PublishContext> = {}): PublishContext {
  return {
    publisherOrgId: 'o-a',
    organisationDefault: null,
    anonymousByDefault: false,
    collectionDefault: community,
    ceiling: undefined,
    groups: byIdAndName(groups),
    organisations: byIdAndName(orgs),
    ...overrides,
  }
}

describe('parseSharingProperty (issue 5, per-object distribution)', () => {
  it('reads every member, and groups alone imply the scope "groups"', () => {
    expect(
      parseSharingProperty({ groups: ['finance'], recipients: ['Beta'], anonymous: true }),
    ).toEqual({
      ok: true,
      request: { scope: 'groups', groups: ['finance'], recipients: ['Beta'], anonymous: true },
    })
    expect(parseSharingProperty({ distribution: 'federation' })).toEqual({
      ok: true,
      request: { scope: 'federation' },
    })
  })

  it('refuses a non-object, unknown members, bad scopes, lists and flags with a message', () => {
    const cases: [unknown, RegExp][] = [
      ['community', /must be a JSON object/],
      [{ scope: 'community' }, /unknown member\(s\) "scope"/],
      [{ distribution: 'public' }, /must be one of organisation, groups, community, federation/],
      [{ groups: 'finance' }, /"groups" must be a list/],
      [{ recipients: ['Beta', ''] }, /"recipients"\[1\] must be a non-empty/],
      [{ anonymous: 'yes' }, /anonymous must be true or false/],
      [{ distribution: 'groups' }, /needs at least one sharing group/],
      [{ distribution: 'community', groups: ['finance'] }, /groups go with the distribution/],
    ]
    for (const [value, message] of cases) {
      const parsed = parseSharingProperty(value)
      expect(parsed.ok).toBe(false)
      if (!parsed.ok) expect(parsed.message).toMatch(message)
    }
  })
})

describe('decidePublication (issue 5, how a publisher chooses the distribution)', () => {
  it('takes the collection default when nothing else names a distribution', () => {
    expect(decidePublication(ID, 'amber', undefined, undefined, context())).toEqual({
      ok: true,
      distribution: community,
      anonymous: false,
    })
  })

  it('prefers the organisation default over the collection default', () => {
    const decided = decidePublication(
      ID,
      'amber',
      undefined,
      undefined,
      context({
        organisationDefault: { scope: 'groups', groups: ['g-1'], recipients: ['o-c'] },
        anonymousByDefault: true,
      }),
    )
    expect(decided).toEqual({
      ok: true,
      distribution: { scope: 'groups', groups: ['g-1'], recipients: ['o-c'] },
      anonymous: true,
    })
  })

  it('prefers the POST over the defaults and the object over the POST, field by field', () => {
    const ctx = context({
      organisationDefault: { scope: 'organisation', groups: [], recipients: ['o-c'] },
    })
    const post = { scope: 'federation' as const, anonymous: true }
    expect(decidePublication(ID, 'green', undefined, post, ctx)).toEqual({
      ok: true,
      distribution: { scope: 'federation', groups: [], recipients: ['o-c'] },
      anonymous: true,
    })
    const object = { scope: 'groups' as const, groups: ['finance', 'g-1'], anonymous: false }
    expect(decidePublication(ID, 'green', object, post, ctx)).toEqual({
      ok: true,
      distribution: { scope: 'groups', groups: ['g-1'], recipients: ['o-c'] },
      anonymous: false,
    })
    const recipientsOnly = { recipients: ['Beta', 'o-b'] }
    expect(decidePublication(ID, 'red', recipientsOnly, post, ctx)).toEqual({
      ok: true,
      distribution: { scope: 'federation', groups: [], recipients: ['o-b'] },
      anonymous: true,
    })
  })

  it('names unknown recipients, and groups the publisher neither owns nor belongs to', () => {
    const unknownOrg = decidePublication(
      ID,
      'amber',
      { recipients: ['Beta', 'Nope'] },
      undefined,
      context(),
    )
    expect(unknownOrg).toEqual({
      ok: false,
      message: `${ID}: unknown recipient organisation(s) "Nope"`,
    })
    const foreign = decidePublication(
      ID,
      'amber',
      { scope: 'groups', groups: ['mixed', 'energy', 'nope'] },
      undefined,
      context(),
    )
    expect(foreign.ok).toBe(false)
    if (!foreign.ok) {
      expect(foreign.message).toContain('"energy", "nope"')
      expect(foreign.message).not.toContain('"mixed"')
    }
  })

  it('refuses TLP:RED without a named recipient other than the publisher', () => {
    for (const request of [undefined, { recipients: ['Acme'] }]) {
      const decided = decidePublication(ID, 'red', request, undefined, context())
      expect(decided.ok).toBe(false)
      if (!decided.ok) expect(decided.message).toMatch(/TLP:RED .* none is named/)
    }
    expect(decidePublication(ID, 'red', { recipients: ['Gamma'] }, undefined, context()).ok).toBe(
      true,
    )
  })

  it('refuses what passes the ceiling, naming the ceiling, the object and what was asked', () => {
    const ctx = context({
      ceiling: { ceiling: { tlp: 'amber', scope: 'community' }, source: 'role analyst' },
    })
    const green = decidePublication(ID, 'green', undefined, undefined, ctx)
    expect(green.ok).toBe(false)
    if (!green.ok) {
      expect(green.message).toContain(ID)
      expect(green.message).toContain('role analyst')
      expect(green.message).toContain('asked for TLP:GREEN')
      expect(green.message).toContain('TLP:GREEN is less restrictive than allowed')
    }
    const federation = decidePublication(
      ID,
      'red',
      { scope: 'federation', recipients: ['o-b'] },
      undefined,
      ctx,
    )
    expect(federation.ok).toBe(false)
    if (!federation.ok) expect(federation.message).toContain('"federation" is wider than allowed')
    expect(decidePublication(ID, 'amber+strict', undefined, undefined, ctx).ok).toBe(true)
  })
})

describe('checkCeiling (issue 5, ceilings)', () => {
  const org = (recipients: string[]): Distribution => ({
    scope: 'organisation',
    groups: [],
    recipients,
  })
  const ceiling = { ceiling: { scope: 'organisation' as const }, source: 'user zed' }

  it('counts recipients other than the publisher as reaching beyond the organisation', () => {
    expect(checkCeiling(ID, 'red', org(['o-a']), 'o-a', ceiling)).toBeUndefined()
    expect(checkCeiling(ID, 'red', org(['o-b']), 'o-a', ceiling)).toContain(
      'naming recipient organisations reaches wider than allowed',
    )
  })

  it('lets everything through without a ceiling or with an empty one', () => {
    const wide: Distribution = { scope: 'federation', groups: [], recipients: ['o-b'] }
    expect(checkCeiling(ID, 'clear', wide, 'o-a', undefined)).toBeUndefined()
    expect(checkCeiling(ID, 'clear', wide, 'o-a', { ceiling: {}, source: 'role reader' })).toBe(
      undefined,
    )
  })
})

describe('ceilingFor', () => {
  const ceilings = {
    roles: { analyst: { tlp: 'amber' as const } },
    users: { 'u-1': { scope: 'groups' as const } },
  }

  it("uses the user's own ceiling instead of the role's", () => {
    expect(ceilingFor(ceilings, { id: 'u-1', name: 'zed', role: 'analyst' })).toEqual({
      ceiling: { scope: 'groups' },
      source: 'user zed',
    })
    expect(ceilingFor(ceilings, { id: 'u-2', name: 'amy', role: 'analyst' })).toEqual({
      ceiling: { tlp: 'amber' },
      source: 'role analyst',
    })
    expect(ceilingFor(ceilings, { id: 'u-3', name: 'adm', role: 'admin' })).toBeUndefined()
  })
})
