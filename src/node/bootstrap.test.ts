import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AdminService } from '../accounts/admin-service.js'
import { createAuthenticator } from '../accounts/authenticator.js'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import { bootstrapNode, bootstrapSettings } from './bootstrap.js'
import { startBanner } from './start-banner.js'

let store: SqliteStore
let admin: AdminService

beforeEach(async () => {
  store = SqliteStore.open(':memory:')
  await store.migrate()
  admin = new AdminService(store, { scryptParams: { N: 2 ** 10, r: 8, p: 1 } })
})

afterEach(async () => {
  await store.close()
})

const basic = (user: string, pass: string): string =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

describe('bootstrapNode', () => {
  it('creates the organisation, admin, key, API root and a read-write collection on first start', async () => {
    const result = await bootstrapNode(store, admin, { nodeName: 'Acme node' })
    if (!result.firstStart) throw new Error('expected a first start')
    expect(result.organisation.name).toBe('Acme node')
    expect(result.organisation.identityId).toMatch(/^identity--/)
    expect(result.adminUser).toMatchObject({
      name: 'admin',
      role: 'admin',
      orgId: result.organisation.id,
    })
    expect(result.apiRoot.path).toBe('api1')
    expect(result.collection.alias).toBe('default')
    expect(await store.listCollectionGrants(result.collection.id)).toEqual([
      {
        collectionId: result.collection.id,
        subjectKind: 'org',
        subjectId: result.organisation.id,
        canRead: true,
        canWrite: true,
      },
    ])
    expect(await store.getSetting(bootstrapSettings.orgId)).toBe(result.organisation.id)
    expect(await store.getSetting(bootstrapSettings.doneAt)).toBeDefined()

    const auth = createAuthenticator(store)
    expect((await auth.authenticate(`Bearer ${result.apiKey ?? ''}`)).kind).toBe('authenticated')
    expect((await auth.authenticate(basic('admin', result.generatedPassword ?? ''))).kind).toBe(
      'authenticated',
    )
  })

  it('uses the given admin password and does not print one', async () => {
    const result = await bootstrapNode(store, admin, {
      nodeName: 'n',
      adminPassword: 'chosen admin password',
    })
    expect(result.firstStart && result.generatedPassword).toBeUndefined()
    const auth = createAuthenticator(store)
    expect((await auth.authenticate(basic('admin', 'chosen admin password'))).kind).toBe(
      'authenticated',
    )
  })

  it('does nothing on a later start', async () => {
    const first = await bootstrapNode(store, admin, { nodeName: 'n' })
    const second = await bootstrapNode(store, admin, { nodeName: 'n' })
    expect(second).toEqual({
      firstStart: false,
      orgId: first.firstStart ? first.organisation.id : '',
    })
    expect(await store.listOrganisations()).toHaveLength(1)
    expect(await store.listApiKeys()).toHaveLength(1)
    expect(await store.listCollections()).toHaveLength(1)
  })

  it('finishes an interrupted bootstrap without duplicating what exists', async () => {
    const org = await admin.addOrganisation('n')
    await store.setSetting(bootstrapSettings.orgId, org.id)
    await admin.addUser({ name: 'admin', org: 'n', role: 'admin', password: 'an earlier password' })
    await admin.createApiKey('admin')
    const result = await bootstrapNode(store, admin, { nodeName: 'n' })
    if (!result.firstStart) throw new Error('expected the bootstrap to run')
    expect(result.organisation.id).toBe(org.id)
    expect(result.generatedPassword).toBeUndefined()
    expect(result.apiKey).toBeUndefined()
    expect(await store.listApiKeys()).toHaveLength(1)
    expect(await store.getSetting(bootstrapSettings.doneAt)).toBeDefined()
  })
})

describe('startBanner', () => {
  it('prints the credentials once with a ready-to-paste curl line', async () => {
    const result = await bootstrapNode(store, admin, { nodeName: 'n' })
    const banner = startBanner('http://127.0.0.1:8080', result)
    expect(banner).toContain('listening on http://127.0.0.1:8080/taxii2/')
    if (!result.firstStart) throw new Error('expected a first start')
    expect(banner).toContain(result.generatedPassword ?? 'missing')
    expect(banner).toContain(
      `curl -H 'Authorization: Bearer ${result.apiKey ?? ''}' -H 'Accept: application/taxii+json;version=2.1' http://127.0.0.1:8080/taxii2/`,
    )
    expect(banner).toContain('http://127.0.0.1:8080/api1/')
  })

  it('prints only the addresses on a later start', async () => {
    await bootstrapNode(store, admin, { nodeName: 'n' })
    const later = await bootstrapNode(store, admin, { nodeName: 'n' })
    expect(startBanner('http://127.0.0.1:9', later)).toBe(
      'intelmesh: listening on http://127.0.0.1:9/taxii2/\n' +
        '  admin API http://127.0.0.1:9/api/v1/ (OpenAPI document: http://127.0.0.1:9/api/v1/openapi.json)\n',
    )
  })
})
