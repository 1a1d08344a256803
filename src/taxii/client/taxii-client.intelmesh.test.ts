/**
 * The client against intelmesh's own TAXII server (`createTaxiiApp` on SQLite `:memory:`),
 * served on 127.0.0.1 and reached over a real socket.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateApiKey } from '../../accounts/api-key.js'
import { createAuthenticator } from '../../accounts/authenticator.js'
import { hashPassword } from '../../accounts/password.js'
import { SqliteStore } from '../../store/sqlite/sqlite-store.js'
import { makeIndicator, makeMalware } from '../../../test/fixtures/taxii/builders.js'
import { serveApp, type ServedApp } from '../../../test/helpers/serve.js'
import { createTaxiiApp } from '../server/create-taxii-app.js'
import { TaxiiClient } from './taxii-client.js'
import { TaxiiHttpError } from './taxii-errors.js'

const ROOT = 'api1'
const PASSWORD = 'correct horse battery staple'

let store: SqliteStore
let served: ServedApp
let apiKey: string
let userName: string
let shared: string
let readOnly: string

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject')
}

function bearerClient(): TaxiiClient {
  return new TaxiiClient({ url: served.baseUrl, auth: { bearer: apiKey }, retries: 0 })
}

beforeAll(async () => {
  store = SqliteStore.open(':memory:')
  await store.migrate()
  const now = new Date().toISOString()
  const orgId = randomUUID()
  await store.createOrganisation({
    id: orgId,
    name: 'Org A',
    identityId: `identity--${orgId}`,
    createdAt: now,
  })
  const userId = randomUUID()
  userName = `analyst-${userId.slice(0, 8)}`
  await store.createUser({
    id: userId,
    orgId,
    name: userName,
    role: 'analyst',
    passwordHash: await hashPassword(PASSWORD),
    disabled: false,
    createdAt: now,
  })
  const key = generateApiKey()
  apiKey = key.key
  await store.createApiKey({
    id: randomUUID(),
    userId,
    prefix: key.prefix,
    keyHash: key.keyHash,
    label: 'client test',
    revoked: false,
    createdAt: now,
    lastUsedAt: null,
    peerId: null,
  })
  const rootId = randomUUID()
  await store.createApiRoot({
    id: rootId,
    path: ROOT,
    title: 'Main root',
    description: null,
    maxContentLength: 10 * 1024 * 1024,
    createdAt: now,
  })
  async function collection(alias: string, canWrite: boolean): Promise<string> {
    const id = randomUUID()
    await store.createCollection({
      id,
      apiRootId: rootId,
      alias,
      title: `Collection ${alias}`,
      description: null,
      mediaTypes: ['application/stix+json;version=2.1'],
      defaultDistribution: { scope: 'community', groups: [], recipients: [] },
      public: false,
      createdAt: new Date().toISOString(),
    })
    await store.setCollectionGrant({
      collectionId: id,
      subjectKind: 'org',
      subjectId: orgId,
      canRead: true,
      canWrite,
    })
    return id
  }
  shared = await collection('shared', true)
  readOnly = await collection('read-only', false)
  const app = createTaxiiApp({
    store,
    authenticator: createAuthenticator(store),
    settings: { maxPageSize: 10, defaultPageSize: 5, defaultApiRootPath: ROOT },
  })
  served = await serveApp(app)
})

afterAll(async () => {
  await served?.close()
  await store?.close()
})

describe('TaxiiClient against the intelmesh TAXII server', () => {
  const indicators = Array.from({ length: 23 }, (_, index) =>
    makeIndicator({ name: `indicator ${index}` }),
  )
  const malware = makeMalware()

  it('discovers the API root and lists collections with HTTP Basic (sections 4.1, 5.1)', async () => {
    const taxii = new TaxiiClient({
      url: served.baseUrl,
      auth: { basic: { user: userName, password: PASSWORD } },
    })
    const discovery = await taxii.discovery()
    expect(discovery.default).toBe(`${served.baseUrl}/${ROOT}/`)
    const root = await taxii.apiRoot(discovery.default ?? '')
    expect(root.versions).toContain('application/taxii+json;version=2.1')
    const collections = await taxii.collections(ROOT)
    expect(collections.map((collection) => collection.id).sort()).toEqual([shared, readOnly].sort())
    expect((await taxii.collection(ROOT, 'shared')).id).toBe(shared)
  })

  it('adds objects and returns the completed status (sections 5.5, 4.3)', async () => {
    const status = await bearerClient().addObjects(ROOT, shared, [...indicators, malware])
    expect(status.status).toBe('complete')
    expect(status.total_count).toBe(24)
    expect(status.success_count).toBe(24)
    expect(status.failure_count).toBe(0)
    const again = await bearerClient().status(ROOT, status.id)
    expect(again.id).toBe(status.id)
  })

  it('reports invalid objects as failures in the status', async () => {
    const invalid = makeIndicator({ pattern: '[ipv4-addr:value = ' })
    const status = await bearerClient().addObjects(ROOT, shared, [invalid])
    expect(status.failure_count).toBe(1)
    expect(status.failures?.[0]?.id).toBe(invalid['id'])
  })

  it('iterates every object across pages of the server (sections 3.5, 5.4)', async () => {
    const objects = await collect(bearerClient().objects(ROOT, shared, { limit: 4 }))
    expect(objects.map((object) => object.id)).toEqual([...indicators, malware].map((o) => o['id']))
  })

  it('pages by hand with next and the date headers (section 3.2)', async () => {
    const taxii = bearerClient()
    const first = await taxii.objectsPage(ROOT, shared, { limit: 20 })
    // The server caps pages at 10 whatever limit says.
    expect(first.items).toHaveLength(10)
    expect(first.more).toBe(true)
    expect(first.next).toBeDefined()
    expect(first.dateAddedFirst).toBeDefined()
    expect(first.dateAddedLast).toBeDefined()
    const second = await taxii.objectsPage(ROOT, shared, { limit: 20, next: first.next ?? '' })
    expect(second.items[0]?.id).toBe(indicators[10]?.['id'])
  })

  it('filters by type and by added_after', async () => {
    const taxii = bearerClient()
    const onlyMalware = await collect(taxii.objects(ROOT, shared, { type: 'malware' }))
    expect(onlyMalware.map((object) => object.id)).toEqual([malware['id']])
    const first = await taxii.objectsPage(ROOT, shared, { limit: 3 })
    const rest = await collect(
      taxii.objects(ROOT, shared, { addedAfter: first.dateAddedLast ?? '' }),
    )
    expect(rest).toHaveLength(21)
  })

  it('iterates the manifest (section 5.3)', async () => {
    const records = await collect(bearerClient().manifest(ROOT, shared, { type: 'indicator' }))
    expect(records).toHaveLength(23)
    expect(records[0]?.version).toBe('2026-01-01T00:00:00.000Z')
  })

  it('reads versions of an object, gets it by id, and deletes one version (5.6, 5.7, 5.8)', async () => {
    const taxii = bearerClient()
    const target = indicators[0] ?? {}
    const id = String(target['id'])
    const newer = { ...target, modified: '2026-02-01T00:00:00.000Z', name: 'renamed' }
    expect((await taxii.addObjects(ROOT, shared, [newer])).success_count).toBe(1)

    expect(await collect(taxii.objectVersions(ROOT, shared, id))).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
    ])
    const latest = await taxii.getObject(ROOT, shared, id)
    expect(latest.map((object) => object['name'])).toEqual(['renamed'])
    const all = await taxii.getObject(ROOT, shared, id, { version: 'all' })
    expect(all).toHaveLength(2)

    await taxii.deleteObject(ROOT, shared, id, { version: '2026-02-01T00:00:00.000Z' })
    expect(await collect(taxii.objectVersions(ROOT, shared, id))).toEqual([
      '2026-01-01T00:00:00.000Z',
    ])
    await taxii.deleteObject(ROOT, shared, id)
    const error = await rejection(taxii.getObject(ROOT, shared, id))
    expect((error as TaxiiHttpError).status).toBe(404)
  })

  it('throws TaxiiHttpError with the TAXII error message (section 3.6.1)', async () => {
    const notFound = await rejection(bearerClient().collection(ROOT, 'no-such-collection'))
    expect(notFound).toBeInstanceOf(TaxiiHttpError)
    expect((notFound as TaxiiHttpError).status).toBe(404)
    expect((notFound as TaxiiHttpError).errorCode).toBe('TAXII_NOT_FOUND')

    const forbidden = await rejection(bearerClient().addObjects(ROOT, readOnly, [makeMalware()]))
    expect((forbidden as TaxiiHttpError).status).toBe(403)
    expect((forbidden as TaxiiHttpError).method).toBe('POST')
    expect((forbidden as TaxiiHttpError).description).toMatch(/can_write/)

    const unauthorized = await rejection(
      new TaxiiClient({ url: served.baseUrl, auth: { bearer: 'wrong-key' } }).discovery(),
    )
    expect((unauthorized as TaxiiHttpError).status).toBe(401)
  })
})
