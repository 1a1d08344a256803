import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError, type ErrorCode } from '../errors.js'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Role } from '../store/store.js'
import { adminWorld, type AdminWorld } from '../../test/helpers/admin-world.js'
import { AuditLog } from '../audit/audit-log.js'
import { AdminService, AuthorisedAdmin, adminActorOf, stixMediaType } from './admin-service.js'
import { apiKeyMatches } from './api-key.js'
import { verifyPassword } from './password.js'
import type { Principal } from './principal.js'

const fast = { N: 2 ** 10, r: 8, p: 1 }
let store: SqliteStore
let admin: AdminService

async function errorOf(promise: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  try {
    await promise
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected an AppError')
}

beforeEach(async () => {
  store = SqliteStore.open(':memory:')
  await store.migrate()
  admin = new AdminService(store, {
    scryptParams: fast,
    now: () => new Date('2026-02-03T04:05:06.789Z'),
  })
})

afterEach(async () => {
  await store.close()
})

describe('AdminService organisations', () => {
  it('creates an organisation with its own STIX identity id', async () => {
    const org = await admin.addOrganisation('  Acme Security ')
    expect(org.name).toBe('Acme Security')
    expect(org.identityId).toMatch(/^identity--[0-9a-f-]{36}$/)
    expect(org.createdAt).toBe('2026-02-03T04:05:06.789Z')
    expect(await admin.listOrganisations()).toEqual([org])
    expect(await admin.findOrganisation(org.id)).toEqual(org)
  })

  it('refuses a duplicate name, an empty name and a malformed identity id', async () => {
    await admin.addOrganisation('Acme')
    expect(await errorOf(admin.addOrganisation('Acme'))).toMatchObject({
      code: 'STORE_CONFLICT',
      message: expect.stringContaining('"Acme" already exists') as unknown,
    })
    expect((await errorOf(admin.addOrganisation('  '))).code).toBe('ADMIN_INVALID_INPUT')
    expect((await errorOf(admin.addOrganisation('X', { identityId: 'identity--nope' }))).code).toBe(
      'ADMIN_INVALID_INPUT',
    )
  })

  it('names the organisation it cannot find', async () => {
    expect(await errorOf(admin.findOrganisation('Nobody'))).toMatchObject({
      code: 'STORE_NOT_FOUND',
      message: expect.stringContaining('"Nobody"') as unknown,
    })
  })
})

describe('AdminService users', () => {
  beforeEach(async () => {
    await admin.addOrganisation('Acme')
  })

  it('stores a scrypt hash of the password, never the password', async () => {
    const user = await admin.addUser({
      name: 'alice',
      org: 'Acme',
      role: 'analyst',
      password: 'a long password',
    })
    const stored = await store.getUserByName('alice')
    expect(stored?.passwordHash).toMatch(/^scrypt\$1024\$8\$1\$/)
    expect(stored?.passwordHash).not.toContain('a long password')
    expect(await verifyPassword('a long password', stored?.passwordHash ?? '')).toBe(true)
    expect(user).toMatchObject({ name: 'alice', role: 'analyst', disabled: false })
  })

  it('refuses bad names, roles, short passwords, unknown organisations and duplicates', async () => {
    expect(
      (await errorOf(admin.addUser({ name: 'a:b', org: 'Acme', role: 'reader' }))).message,
    ).toContain('user name "a:b"')
    // An unknown role, as a caller outside TypeScript may pass one through.
    const root = 'root' as Role
    expect(
      (await errorOf(admin.addUser({ name: 'x', org: 'Acme', role: root }))).message,
    ).toContain('role "root"')
    expect(
      (await errorOf(admin.addUser({ name: 'x', org: 'Acme', role: 'reader', password: 'short' })))
        .message,
    ).toContain('at least 12')
    expect((await errorOf(admin.addUser({ name: 'x', org: 'Nope', role: 'reader' }))).code).toBe(
      'STORE_NOT_FOUND',
    )
    await admin.addUser({ name: 'x', org: 'Acme', role: 'reader' })
    expect((await errorOf(admin.addUser({ name: 'x', org: 'Acme', role: 'reader' }))).code).toBe(
      'STORE_CONFLICT',
    )
  })

  it('lists users, by organisation too, and disables and re-enables them', async () => {
    await admin.addOrganisation('Other')
    await admin.addUser({ name: 'alice', org: 'Acme', role: 'admin' })
    await admin.addUser({ name: 'bob', org: 'Other', role: 'reader' })
    expect((await admin.listUsers()).map((u) => u.name).sort()).toEqual(['alice', 'bob'])
    expect((await admin.listUsers('Other')).map((u) => u.name)).toEqual(['bob'])
    expect((await admin.setUserDisabled('bob', true)).disabled).toBe(true)
    expect((await store.getUserByName('bob'))?.disabled).toBe(true)
    await admin.setUserDisabled('bob', false)
    expect((await store.getUserByName('bob'))?.disabled).toBe(false)
    expect((await errorOf(admin.setUserDisabled('carol', true))).code).toBe('STORE_NOT_FOUND')
  })
})

describe('AdminService API keys', () => {
  beforeEach(async () => {
    await admin.addOrganisation('Acme')
    await admin.addUser({ name: 'alice', org: 'Acme', role: 'analyst' })
  })

  it('returns the key once and stores only its hash and prefix', async () => {
    const { apiKey, key } = await admin.createApiKey('alice', 'sensor feed')
    expect(key.startsWith(`imk_${apiKey.prefix}_`)).toBe(true)
    const stored = await store.getApiKeyByPrefix(apiKey.prefix)
    expect(stored).toMatchObject({ label: 'sensor feed', revoked: false, lastUsedAt: null })
    expect(JSON.stringify(stored)).not.toContain(key.slice(13))
    expect(apiKeyMatches(key, stored?.keyHash ?? '')).toBe(true)
  })

  it('revokes by prefix, by id or by the whole key, and names an unknown one', async () => {
    const a = await admin.createApiKey('alice')
    const b = await admin.createApiKey('alice')
    const c = await admin.createApiKey('alice')
    await admin.revokeApiKey(a.apiKey.prefix)
    await admin.revokeApiKey(b.apiKey.id)
    await admin.revokeApiKey(c.key)
    expect((await admin.listApiKeys('alice')).every((k) => k.revoked)).toBe(true)
    expect(await errorOf(admin.revokeApiKey('deadbeef'))).toMatchObject({
      code: 'STORE_NOT_FOUND',
      message: expect.stringContaining('"deadbeef"') as unknown,
    })
    const wrongSecret = `imk_${a.apiKey.prefix}_${'A'.repeat(43)}`
    expect((await errorOf(admin.revokeApiKey(wrongSecret))).code).toBe('STORE_NOT_FOUND')
  })
})

describe('AdminService collections and grants', () => {
  beforeEach(async () => {
    await admin.addOrganisation('Acme')
    await admin.addUser({ name: 'alice', org: 'Acme', role: 'analyst' })
    await admin.addApiRoot({ path: 'api1', title: 'Main' })
  })

  it('adds a collection under an API root with STIX 2.1 as its media type', async () => {
    const collection = await admin.addCollection({
      alias: 'intel',
      title: 'Intel',
      apiRoot: '/api1/',
    })
    expect(collection.mediaTypes).toEqual([stixMediaType])
    expect(collection.defaultDistribution.scope).toBe('community')
    expect((await admin.findCollection(collection.id)).alias).toBe('intel')
  })

  it('refuses a bad alias, an unknown API root, a duplicate alias and the reserved taxii2 root', async () => {
    expect(
      (await errorOf(admin.addCollection({ alias: 'a b', title: 'x', apiRoot: 'api1' }))).code,
    ).toBe('ADMIN_INVALID_INPUT')
    expect(
      await errorOf(admin.addCollection({ alias: 'ok', title: 'x', apiRoot: 'api9' })),
    ).toMatchObject({
      code: 'STORE_NOT_FOUND',
      message: expect.stringContaining('"api9"') as unknown,
    })
    await admin.addCollection({ alias: 'ok', title: 'x', apiRoot: 'api1' })
    expect(
      (await errorOf(admin.addCollection({ alias: 'ok', title: 'y', apiRoot: 'api1' }))).code,
    ).toBe('STORE_CONFLICT')
    expect((await errorOf(admin.addApiRoot({ path: 'taxii2', title: 'x' }))).code).toBe(
      'ADMIN_INVALID_INPUT',
    )
    expect((await errorOf(admin.addApiRoot({ path: 'api1', title: 'x' }))).code).toBe(
      'STORE_CONFLICT',
    )
  })

  it('grants to an organisation or a user, replaces a grant, and lists grants by name', async () => {
    await admin.addCollection({ alias: 'intel', title: 'Intel', apiRoot: 'api1' })
    await admin.grant({ collection: 'intel', org: 'Acme', canRead: true, canWrite: true })
    await admin.grant({ collection: 'intel', user: 'alice', canRead: true, canWrite: false })
    await admin.grant({ collection: 'intel', org: 'Acme', canRead: true, canWrite: false })
    const [listing] = await admin.listCollections()
    expect(listing?.apiRootPath).toBe('api1')
    expect(
      listing?.grants.map((g) => [g.subjectKind, g.subjectName, g.canRead, g.canWrite]).sort(),
    ).toEqual([
      ['org', 'Acme', true, false],
      ['user', 'alice', true, false],
    ])
  })

  it('needs exactly one subject for a grant', async () => {
    await admin.addCollection({ alias: 'intel', title: 'Intel', apiRoot: 'api1' })
    expect(
      (await errorOf(admin.grant({ collection: 'intel', canRead: true, canWrite: false }))).code,
    ).toBe('ADMIN_INVALID_INPUT')
    expect(
      (
        await errorOf(
          admin.grant({
            collection: 'intel',
            org: 'Acme',
            user: 'alice',
            canRead: true,
            canWrite: false,
          }),
        )
      ).code,
    ).toBe('ADMIN_INVALID_INPUT')
    expect(
      (
        await errorOf(
          admin.grant({ collection: 'nope', org: 'Acme', canRead: true, canWrite: false }),
        )
      ).code,
    ).toBe('STORE_NOT_FOUND')
  })
})

describe('AuthorisedAdmin role limits (issue 5, Management)', () => {
  let world: AdminWorld

  beforeEach(async () => {
    world = await adminWorld()
  })

  afterEach(async () => {
    await world.store.close()
  })

  function principalOf(userName: string, extra: Partial<Principal> = {}): Principal {
    const user = world.users[userName]
    if (user === undefined) throw new Error(`no user ${userName}`)
    return {
      via: 'api-key',
      userId: user.id,
      userName: user.name,
      orgId: user.orgId,
      role: user.role,
      ...extra,
    }
  }

  async function as(userName: string, extra: Partial<Principal> = {}): Promise<AuthorisedAdmin> {
    const actor = await adminActorOf(world.store, principalOf(userName, extra))
    return new AuthorisedAdmin(world.store, actor, { scryptParams: fast })
  }

  it('lets a reader manage nothing but read themselves and keep their own keys', async () => {
    const reader = await as('acme-reader')
    expect((await errorOf(reader.createUser({ name: 'x', role: 'reader' }))).code).toBe(
      'ADMIN_FORBIDDEN',
    )
    expect((await errorOf(reader.setUserDisabled('acme-analyst', true))).code).toBe(
      'ADMIN_FORBIDDEN',
    )
    expect((await reader.listUsers()).map((u) => u.name)).toEqual(['acme-reader'])
    expect((await reader.getUser('acme-reader')).name).toBe('acme-reader')
    const own = await reader.createApiKey({ label: 'mine' })
    expect(own.value.userName).toBe('acme-reader')
    expect((await errorOf(reader.createApiKey({ user: 'acme-analyst' }))).code).toBe(
      'ADMIN_FORBIDDEN',
    )
    expect((await reader.listApiKeys()).every((k) => k.userName === 'acme-reader')).toBe(true)
    expect((await reader.revokeApiKey(own.value.prefix)).revoked).toBe(true)
    expect((await errorOf(reader.listAudit({}))).code).toBe('ADMIN_FORBIDDEN')
    expect(
      (await errorOf(reader.createCollection({ alias: 'c', title: 'c', apiRoot: 'api1' }))).code,
    ).toBe('ADMIN_FORBIDDEN')
  })

  it('refuses an analyst every user management', async () => {
    const analyst = await as('acme-analyst')
    expect((await errorOf(analyst.createUser({ name: 'x', role: 'reader' }))).code).toBe(
      'ADMIN_FORBIDDEN',
    )
    expect((await errorOf(analyst.setUserRole('acme-reader', 'analyst'))).code).toBe(
      'ADMIN_FORBIDDEN',
    )
    expect((await errorOf(analyst.resetPassword('acme-reader'))).code).toBe('ADMIN_FORBIDDEN')
    expect((await errorOf(analyst.listUsers('Acme'))).code).toBe('ADMIN_FORBIDDEN')
  })

  it('keeps an organisation admin to its own organisation', async () => {
    const acme = await as('acme-admin')
    const betaKey = (await world.store.listApiKeys(world.users['beta-reader']?.id))[0]
    const refusals: [string, Promise<unknown>][] = [
      ['create', acme.createUser({ name: 'x', org: 'Beta', role: 'reader' })],
      ['disable', acme.setUserDisabled('beta-reader', true)],
      ['role', acme.setUserRole('beta-reader', 'admin')],
      ['password', acme.resetPassword('beta-reader')],
      ['read', acme.getUser('beta-reader')],
      ['keys', acme.listApiKeys('beta-reader')],
      ['key', acme.createApiKey({ user: 'beta-reader' })],
      ['revoke', acme.revokeApiKey(betaKey?.prefix ?? '')],
      ['org', acme.createOrganisation('Zeta')],
      [
        'grant',
        acme.setGrant({ collection: 'default', org: 'Acme', canRead: true, canWrite: true }),
      ],
    ]
    for (const [what, refusal] of refusals) {
      expect((await errorOf(refusal)).code, what).toBe('ADMIN_FORBIDDEN')
    }
    const created = await acme.createUser({ name: 'acme-new', role: 'analyst', password: null })
    expect(created.value).toMatchObject({ orgName: 'Acme', hasPassword: false })
    expect(created.secret).toBeUndefined()
    expect((await acme.setUserRole('acme-new', 'admin')).role).toBe('admin')
    expect((await world.store.getUserByName('acme-new'))?.role).toBe('admin')
    expect((await acme.setUserDisabled('acme-new', true)).disabled).toBe(true)
    const keys = await acme.listApiKeys()
    const acmeIds = new Set((await world.store.listUsers(world.orgs.acme.id)).map((u) => u.id))
    expect(keys.length).toBeGreaterThan(0)
    expect(keys.every((k) => acmeIds.has(k.userId))).toBe(true)
  })

  it('refuses an admin disabling themselves or changing their own role', async () => {
    const acme = await as('acme-admin')
    expect((await errorOf(acme.setUserDisabled('acme-admin', true))).code).toBe(
      'ADMIN_INVALID_INPUT',
    )
    expect((await errorOf(acme.setUserRole('acme-admin', 'reader'))).code).toBe(
      'ADMIN_INVALID_INPUT',
    )
  })

  it('never treats a peer key as an admin, whatever its user role', async () => {
    const peer = await as('acme-admin', { peerId: 'peer-1' })
    expect((await errorOf(peer.createUser({ name: 'x', role: 'reader' }))).code).toBe(
      'ADMIN_FORBIDDEN',
    )
    expect(peer.guard.auditActor()).toEqual({ kind: 'peer', id: 'peer-1' })
    expect(await peer.whoAmI()).toMatchObject({ isNodeAdmin: false, peerId: 'peer-1' })
    expect((await errorOf(peer.createApiKey({ label: 'more' }))).code).toBe('ADMIN_FORBIDDEN')
  })

  it('lets node admins manage every organisation, and only them create peer keys', async () => {
    const admin = await as('admin')
    expect(admin.guard.isNodeAdmin).toBe(true)
    await admin.createUser({ name: 'beta-new', org: 'Beta', role: 'reader', password: null })
    await admin.setUserRole('beta-new', 'analyst')
    const peerKey = await admin.createApiKey({ user: 'beta-new', peerId: 'peer-9' })
    expect(peerKey.value.peerId).toBe('peer-9')
    expect(
      (await errorOf((await as('beta-admin')).createApiKey({ user: 'beta-new', peerId: 'peer-9' })))
        .code,
    ).toBe('ADMIN_FORBIDDEN')
    expect((await errorOf(admin.createApiRoot({ path: 'API', title: 'x' }))).code).toBe(
      'ADMIN_INVALID_INPUT',
    )
    expect((await errorOf(admin.removeGrant({ collection: 'default', org: 'Gamma' }))).code).toBe(
      'STORE_NOT_FOUND',
    )
  })

  it('shows a non-node-admin only the collections and grants that reach them', async () => {
    const admin = await as('admin')
    await admin.setGrant({ collection: 'default', org: 'Beta', canRead: true, canWrite: false })
    const beta = await as('beta-reader')
    const listed = await beta.listCollections()
    expect(listed.map((l) => l.collection.alias)).toEqual(['default'])
    expect(listed[0]?.grants.map((g) => g.subjectName)).toEqual(['Beta'])
    expect(await (await as('gamma-reader')).listCollections()).toEqual([])
    expect((await errorOf((await as('gamma-reader')).getCollection('default'))).code).toBe(
      'STORE_NOT_FOUND',
    )
  })

  it('audits every change without secrets, and the chain verifies', async () => {
    const acme = await as('acme-admin')
    const user = await acme.createUser({ name: 'acme-new', role: 'reader' })
    const key = await acme.createApiKey({ user: 'acme-new', label: 'k' })
    const reset = await acme.resetPassword('acme-new')
    await acme.revokeApiKey(key.value.prefix)
    await errorOf(acme.createOrganisation('Nope'))
    const entries = []
    for await (const entry of new AuditLog(world.store).list()) entries.push(entry)
    expect(entries.map((e) => [e.details['change'], e.outcome])).toEqual([
      ['user.create', 'success'],
      ['key.create', 'success'],
      ['user.reset-password', 'success'],
      ['key.revoke', 'success'],
      ['organisation.create', 'denied'],
    ])
    expect(entries.every((e) => e.action === 'admin-change' && e.actor.kind === 'user')).toBe(true)
    const text = JSON.stringify(entries)
    for (const secret of [user.secret, key.secret, reset.secret]) {
      expect(secret).toBeDefined()
      expect(text).not.toContain(secret)
    }
    expect(await new AuditLog(world.store).verify()).toMatchObject({ ok: true, entries: 5 })
  })
})
