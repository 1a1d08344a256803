import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { adminWorld, type AdminWorld } from '../../test/helpers/admin-world.js'
import { adminActorOf, localCliActor } from '../accounts/admin-service.js'
import type { Principal } from '../accounts/principal.js'
import { AuditLog, type AuditEntry } from '../audit/audit-log.js'
import { isAppError, type ErrorCode } from '../errors.js'
import { SharingService } from './sharing-service.js'
import { readDefaultTlp } from './viewer.js'

let world: AdminWorld

beforeEach(async () => {
  world = await adminWorld()
})

afterEach(async () => {
  await world.store.close()
})

async function as(userName: string): Promise<SharingService> {
  const user = world.users[userName]
  if (user === undefined) throw new Error(`no user ${userName}`)
  const principal: Principal = {
    via: 'api-key',
    userId: user.id,
    userName: user.name,
    orgId: user.orgId,
    role: user.role,
    keyId: `key-of-${user.name}`,
  }
  return new SharingService(world.store, await adminActorOf(world.store, principal))
}

const cli = (): SharingService => new SharingService(world.store, localCliActor)

async function failure(promise: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  try {
    await promise
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected an AppError')
}

async function auditEntries(): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = []
  for await (const entry of new AuditLog(world.store).list()) entries.push(entry)
  return entries
}

describe('SharingService role limits (issue 5, Management)', () => {
  it('refuses readers and analysts any sharing change, and audits the refusal', async () => {
    for (const who of ['acme-reader', 'acme-analyst']) {
      const service = await as(who)
      expect((await failure(service.createGroup({ name: `g-${who}` }))).code, who).toBe(
        'ADMIN_FORBIDDEN',
      )
      expect(
        (await failure(service.updateOrganisationSharing('Acme', { anonymousByDefault: true })))
          .code,
        who,
      ).toBe('ADMIN_FORBIDDEN')
    }
    const denied = (await auditEntries()).filter((e) => e.outcome === 'denied')
    expect(denied).toHaveLength(4)
    expect(denied[0]).toMatchObject({
      action: 'share-change',
      actor: { kind: 'key', id: 'key-of-acme-reader' },
      details: { change: 'group.create', by: 'acme-reader' },
    })
  })

  it("keeps an organisation admin to its own organisation's groups and settings", async () => {
    const beta = await as('beta-admin')
    await beta.createGroup({ name: 'beta-group', members: ['Beta'] })
    const acme = await as('acme-admin')
    const refusals = [
      acme.createGroup({ name: 'stolen', owner: 'Beta' }),
      acme.addGroupMember('beta-group', 'Acme'),
      acme.removeGroupMember('beta-group', 'Beta'),
      acme.updateGroup('beta-group', { description: 'mine now' }),
      acme.deleteGroup('beta-group'),
      acme.getGroup('beta-group'),
      acme.updateOrganisationSharing('Beta', { anonymousByDefault: true }),
      acme.getOrganisationSharing('Beta'),
      acme.updateCollectionSharing('default', { public: true }),
      acme.updateNodeSettings({ defaultTlp: 'clear' }),
    ]
    for (const [i, refusal] of refusals.entries()) {
      expect((await failure(refusal)).code, `refusal ${i}`).toBe('ADMIN_FORBIDDEN')
    }
    expect((await failure(acme.addGroupMember('beta-group', 'Acme'))).message).toMatch(
      /only admins of the owner organisation "Beta"/,
    )
  })

  it('lets a node admin do everything, on any organisation', async () => {
    const admin = await as('admin')
    const group = await admin.createGroup({ name: 'alliance', owner: 'Beta', members: ['Acme'] })
    expect(group.owner.name).toBe('Beta')
    await admin.addGroupMember('alliance', 'Gamma')
    await admin.updateOrganisationSharing('Beta', { anonymousByDefault: true })
    await admin.updateCollectionSharing('default', { public: true })
    await admin.updateNodeSettings({ defaultTlp: 'green' })
    expect(await readDefaultTlp(world.store)).toBe('green')
    expect((await world.store.getCollectionByAlias('default'))?.public).toBe(true)
    expect((await world.store.getOrganisationSharing(world.orgs.beta.id)).anonymousByDefault).toBe(
      true,
    )
  })
})

describe('SharingService sharing groups', () => {
  it('owns a new group by the creator’s organisation; members read it, outsiders do not', async () => {
    const acme = await as('acme-admin')
    const group = await acme.createGroup({
      name: ' isac ',
      description: 'banks',
      members: ['Beta', 'Beta'],
    })
    expect(group).toMatchObject({
      name: 'isac',
      owner: { name: 'Acme' },
      members: [{ name: 'Beta' }],
    })
    expect((await (await as('beta-reader')).listGroups()).map((g) => g.name)).toEqual(['isac'])
    expect(await (await as('gamma-admin')).listGroups()).toEqual([])
    expect((await failure((await as('gamma-admin')).getGroup('isac'))).code).toBe('ADMIN_FORBIDDEN')
    expect((await failure(acme.createGroup({ name: 'isac' }))).code).toBe('STORE_CONFLICT')
    expect((await failure(acme.createGroup({ name: '' }))).code).toBe('ADMIN_INVALID_INPUT')
    expect((await failure(acme.createGroup({ name: 'x', members: ['Nowhere'] }))).code).toBe(
      'STORE_NOT_FOUND',
    )
  })

  it('removes a member at once: the next membership read no longer has it', async () => {
    const acme = await as('acme-admin')
    const group = await acme.createGroup({ name: 'g', members: ['Beta'] })
    expect(await world.store.groupIdsOfOrganisation(world.orgs.beta.id)).toEqual([group.id])
    expect((await acme.removeGroupMember('g', 'Beta')).changed).toBe(true)
    expect(await world.store.groupIdsOfOrganisation(world.orgs.beta.id)).toEqual([])
    expect((await acme.removeGroupMember('g', 'Beta')).changed).toBe(false)
    expect((await acme.addGroupMember('g', 'Gamma')).changed).toBe(true)
    expect((await acme.addGroupMember('g', 'Gamma')).changed).toBe(false)
    await acme.deleteGroup('g')
    expect(await world.store.getSharingGroupByName('g')).toBeUndefined()
  })

  it('refuses to delete a group a default distribution names (409), until it is changed', async () => {
    const acme = await as('acme-admin')
    await acme.createGroup({ name: 'g', members: ['Beta'] })
    await acme.updateOrganisationSharing('Acme', {
      defaultDistribution: { scope: 'groups', groups: ['g'] },
    })
    await cli().updateCollectionSharing('default', {
      defaultDistribution: { scope: 'groups', groups: ['g'] },
    })
    const refused = await failure(acme.deleteGroup('g'))
    expect(refused.code).toBe('STORE_CONFLICT')
    expect(refused.message).toMatch(/organisation "Acme", collection "default"; change that first/)
    await acme.updateOrganisationSharing('Acme', { defaultDistribution: null })
    await cli().updateCollectionSharing('default', { defaultDistribution: { scope: 'community' } })
    expect((await acme.deleteGroup('g')).name).toBe('g')
  })

  it('needs an owner from the CLI, which may name any', async () => {
    expect((await failure(cli().createGroup({ name: 'g' }))).code).toBe('ADMIN_INVALID_INPUT')
    expect((await cli().createGroup({ name: 'g', owner: 'Gamma' })).owner.name).toBe('Gamma')
  })
})

describe('SharingService organisation sharing', () => {
  it('merges a patch: absent stays, null removes, names become ids', async () => {
    const acme = await as('acme-admin')
    await acme.createGroup({ name: 'g', members: ['Beta'] })
    const first = await acme.updateOrganisationSharing('Acme', {
      defaultDistribution: { scope: 'groups', groups: ['g'], recipients: ['Gamma'] },
      ceilings: {
        roles: { analyst: { tlp: 'amber', scope: 'community' } },
        users: { 'acme-reader': { tlp: 'red' } },
      },
    })
    const group = await world.store.getSharingGroupByName('g')
    expect(first.defaultDistribution).toEqual({
      scope: 'groups',
      groups: [group?.id],
      recipients: [world.orgs.gamma.id],
    })
    const stored = await world.store.getOrganisationSharing(world.orgs.acme.id)
    expect(stored.ceilings).toEqual({
      roles: { analyst: { tlp: 'amber', scope: 'community' } },
      users: { [world.users['acme-reader']?.id ?? '']: { tlp: 'red' } },
    })
    await acme.updateOrganisationSharing('Acme', { anonymousByDefault: true })
    const second = await world.store.getOrganisationSharing(world.orgs.acme.id)
    expect(second.ceilings.roles.analyst).toEqual({ tlp: 'amber', scope: 'community' })
    expect(second.anonymousByDefault).toBe(true)
    await acme.updateOrganisationSharing('Acme', {
      defaultDistribution: null,
      ceilings: { roles: { analyst: null }, users: { 'acme-reader': null } },
    })
    expect(await world.store.getOrganisationSharing(world.orgs.acme.id)).toEqual({
      defaultDistribution: null,
      anonymousByDefault: true,
      ceilings: { roles: {}, users: {} },
    })
  })

  it('names the field of a bad distribution or ceiling', async () => {
    const acme = await as('acme-admin')
    const cases: [Parameters<SharingService['updateOrganisationSharing']>[1], RegExp][] = [
      [{ defaultDistribution: { scope: 'groups' } }, /defaultDistribution\.groups must name/],
      [{ defaultDistribution: { scope: 'community', groups: ['x'] } }, /only with scope "groups"/],
      [{ ceilings: { roles: { analyst: {} } } }, /ceilings\.roles\.analyst must give tlp/],
      [{ ceilings: { users: { 'beta-reader': { tlp: 'red' } } } }, /not of organisation "Acme"/],
    ]
    for (const [patch, message] of cases) {
      const error = await failure(acme.updateOrganisationSharing('Acme', patch))
      expect(error.code).toBe('ADMIN_INVALID_INPUT')
      expect(error.message).toMatch(message)
    }
  })

  it('is readable by the organisation’s own users only (and node admins)', async () => {
    expect((await (await as('acme-reader')).getOrganisationSharing('Acme')).org.name).toBe('Acme')
    expect((await failure((await as('beta-reader')).getOrganisationSharing('Acme'))).code).toBe(
      'ADMIN_FORBIDDEN',
    )
    expect((await (await as('admin')).getOrganisationSharing('Acme')).anonymousByDefault).toBe(
      false,
    )
  })
})

describe('SharingService node settings and collections', () => {
  it('validates node settings and reports where the values come from', async () => {
    const admin = await as('admin')
    const before = await admin.getNodeSettings()
    expect(before).toMatchObject({
      defaultTlp: 'amber',
      defaultTlpConfigured: false,
      allianceIdentityId: world.nodeOrg.identityId,
      allianceIdentityConfigured: false,
    })
    expect((await failure(admin.updateNodeSettings({}))).code).toBe('ADMIN_INVALID_INPUT')
    expect(
      (await failure(admin.updateNodeSettings({ allianceIdentityId: 'identity--nope' }))).code,
    ).toBe('ADMIN_INVALID_INPUT')
    const id = 'identity--0b1c2d3e-4f50-4617-8899-aabbccddeeff'
    expect(await admin.updateNodeSettings({ allianceIdentityId: id })).toMatchObject({
      allianceIdentityId: id,
      allianceIdentityConfigured: true,
    })
  })

  it('changes a collection’s default distribution and public flag together', async () => {
    const updated = await cli().updateCollectionSharing('default', {
      public: true,
      defaultDistribution: { scope: 'federation' },
    })
    expect(updated).toMatchObject({
      public: true,
      defaultDistribution: { scope: 'federation', groups: [], recipients: [] },
    })
    expect((await failure(cli().updateCollectionSharing('default', {}))).code).toBe(
      'ADMIN_INVALID_INPUT',
    )
    expect((await failure(cli().updateCollectionSharing('nope', { public: true }))).code).toBe(
      'STORE_NOT_FOUND',
    )
  })
})

describe('SharingService audit trail', () => {
  it('appends one share-change per change, as the actor, and the chain verifies', async () => {
    const acme = await as('acme-admin')
    await acme.createGroup({ name: 'g', members: ['Beta'] })
    await acme.addGroupMember('g', 'Gamma')
    await acme.removeGroupMember('g', 'Gamma')
    await acme.updateOrganisationSharing('Acme', { anonymousByDefault: true })
    await cli().updateCollectionSharing('default', { public: true })
    await cli().updateNodeSettings({ defaultTlp: 'green' })
    const entries = await auditEntries()
    expect(entries.map((e) => [e.action, e.actor.kind, e.details['change'], e.outcome])).toEqual([
      ['share-change', 'key', 'group.create', 'success'],
      ['share-change', 'key', 'group.add-member', 'success'],
      ['share-change', 'key', 'group.remove-member', 'success'],
      ['share-change', 'key', 'organisation.sharing', 'success'],
      ['share-change', 'system', 'collection.sharing', 'success'],
      ['share-change', 'system', 'node.settings', 'success'],
    ])
    expect(entries[3]?.details).toMatchObject({
      from: { anonymousByDefault: false },
      to: { anonymousByDefault: true },
    })
    expect(entries[4]?.collectionId).toBe(world.collection.id)
    expect(await new AuditLog(world.store).verify()).toMatchObject({ ok: true, entries: 6 })
  })
})
