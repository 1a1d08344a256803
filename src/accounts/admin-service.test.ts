import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError, type ErrorCode } from '../errors.js'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Role } from '../store/store.js'
import { AdminService, stixMediaType } from './admin-service.js'
import { apiKeyMatches } from './api-key.js'
import { verifyPassword } from './password.js'

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
