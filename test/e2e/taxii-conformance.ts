/**
 * The TAXII 2.1 conformance suite, run over a real socket against `createTaxiiApp` on a given
 * store adapter (`taxii-sqlite.test.ts`, `taxii-postgres.test.ts`). Users authenticate with
 * API keys through the real accounts authenticator.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateApiKey } from '../../src/accounts/api-key.js'
import { createAuthenticator } from '../../src/accounts/authenticator.js'
import { hashPassword } from '../../src/accounts/password.js'
import type { CollectionGrant, Role, Store } from '../../src/store/store.js'
import { createTaxiiApp } from '../../src/taxii/server/create-taxii-app.js'
import {
  envelopeSchema,
  errorMessageSchema,
  manifestResourceSchema,
  statusResourceSchema,
  versionsResourceSchema,
} from '../../src/taxii/resources.js'
import {
  TLP,
  envelope,
  makeIdentity,
  makeIndicator,
  makeIpv4,
  makeMalware,
  type StixObject,
} from '../fixtures/taxii/builders.js'
import { serveApp, type ServedApp } from '../helpers/serve.js'

const TAXII = 'application/taxii+json;version=2.1'
const MAX_PAGE = 50
const SMALL_ROOT_LIMIT = 64 * 1024

interface Actor {
  userId: string
  orgId: string
  key: string
}

interface RequestOptions {
  method?: string
  as?: Actor | null
  accept?: string | null
  contentType?: string | null
  body?: string | ReadableStream<Uint8Array>
  headers?: Record<string, string>
}

export function describeTaxiiServer(
  name: string,
  makeStore: () => Promise<Store>,
  skipReason?: string,
): void {
  if (skipReason) {
    describe.skip(`TAXII 2.1 server over HTTP (${name}) skipped: ${skipReason}`, () => {
      it('needs the store', () => undefined)
    })
    return
  }
  describe(`TAXII 2.1 server over HTTP (${name})`, () => {
    let store: Store
    let served: ServedApp
    let orgA: string
    let orgB: string
    let alice: Actor // analyst in org A
    let bob: Actor // reader in org B
    let admin: Actor
    let carol: Actor // analyst in org A, second user
    const roots = { main: 'api1', big: 'api2' }
    let rootIds: { main: string; big: string }
    let shared: string // org A read/write, bob read via user grant
    let secret: string // no grant for alice or bob
    let dropbox: string // alice write-only

    async function makeActor(orgId: string, role: Role): Promise<Actor> {
      const userId = randomUUID()
      await store.createUser({
        id: userId,
        orgId,
        name: `user-${userId.slice(0, 8)}`,
        role,
        passwordHash: null,
        disabled: false,
        createdAt: new Date().toISOString(),
      })
      const key = generateApiKey()
      await store.createApiKey({
        id: randomUUID(),
        userId,
        prefix: key.prefix,
        keyHash: key.keyHash,
        label: 'test',
        revoked: false,
        createdAt: new Date().toISOString(),
        lastUsedAt: null,
        peerId: null,
      })
      return { userId, orgId, key: key.key }
    }

    async function makeCollection(
      grants: Omit<CollectionGrant, 'collectionId'>[],
      rootId = rootIds.main,
      alias = `c-${randomUUID().slice(0, 8)}`,
    ): Promise<string> {
      const id = randomUUID()
      await store.createCollection({
        id,
        apiRootId: rootId,
        alias,
        title: `Collection ${alias}`,
        description: 'for tests',
        mediaTypes: ['application/stix+json;version=2.1'],
        defaultDistribution: { scope: 'community', groups: [], recipients: [] },
        public: false,
        createdAt: new Date().toISOString(),
      })
      for (const grant of grants) await store.setCollectionGrant({ collectionId: id, ...grant })
      return id
    }

    function orgGrant(orgId: string, canRead: boolean, canWrite: boolean) {
      return { subjectKind: 'org' as const, subjectId: orgId, canRead, canWrite }
    }
    function userGrant(userId: string, canRead: boolean, canWrite: boolean) {
      return { subjectKind: 'user' as const, subjectId: userId, canRead, canWrite }
    }

    async function call(path: string, options: RequestOptions = {}): Promise<Response> {
      const headers: Record<string, string> = { ...options.headers }
      const accept = options.accept === undefined ? TAXII : options.accept
      if (accept !== null) headers['Accept'] = accept
      const as = options.as === undefined ? alice : options.as
      if (as !== null) headers['Authorization'] = `Bearer ${as.key}`
      if (options.body !== undefined) {
        const contentType = options.contentType === undefined ? TAXII : options.contentType
        if (contentType !== null) headers['Content-Type'] = contentType
      }
      const init: RequestInit & { duplex?: 'half' } = {
        method: options.method ?? 'GET',
        headers,
      }
      if (options.body !== undefined) {
        init.body = options.body
        if (typeof options.body !== 'string') init.duplex = 'half'
      }
      return fetch(`${served.baseUrl}${path}`, init)
    }

    async function json(response: Response): Promise<Record<string, unknown>> {
      return (await response.json()) as Record<string, unknown>
    }

    async function expectError(response: Response, status: number, code?: string) {
      expect(response.status).toBe(status)
      expect(response.headers.get('content-type')).toBe(TAXII)
      const text = await response.text()
      expect(text).not.toMatch(/\n\s+at /)
      const body = errorMessageSchema.parse(JSON.parse(text))
      expect(body.http_status).toBe(String(status))
      if (code) expect(body.error_code).toBe(code)
      return body
    }

    function objectsPath(collection: string, rest = ''): string {
      return `/${roots.main}/collections/${collection}/objects/${rest}`
    }

    async function post(collection: string, objects: StixObject[], as: Actor = alice) {
      const response = await call(objectsPath(collection), {
        method: 'POST',
        as,
        body: envelope(objects),
      })
      expect(response.status).toBe(202)
      return statusResourceSchema.parse(await response.json())
    }

    async function getEnvelope(path: string, as: Actor = alice) {
      const response = await call(path, { as })
      expect(response.status).toBe(200)
      const text = await response.text()
      return {
        response,
        text,
        body: envelopeSchema.parse(JSON.parse(text)),
        ids: ((JSON.parse(text) as { objects?: { id: string }[] }).objects ?? []).map((o) => o.id),
      }
    }

    beforeAll(async () => {
      store = await makeStore()
      orgA = randomUUID()
      orgB = randomUUID()
      const now = new Date().toISOString()
      await store.createOrganisation({
        id: orgA,
        name: `A-${orgA}`,
        identityId: `identity--${orgA}`,
        createdAt: now,
      })
      await store.createOrganisation({
        id: orgB,
        name: `B-${orgB}`,
        identityId: `identity--${orgB}`,
        createdAt: now,
      })
      alice = await makeActor(orgA, 'analyst')
      carol = await makeActor(orgA, 'analyst')
      bob = await makeActor(orgB, 'reader')
      admin = await makeActor(orgB, 'admin')
      await store.setSetting('node.org_id', orgB) // admins of the node's organisation are node admins
      rootIds = { main: randomUUID(), big: randomUUID() }
      await store.createApiRoot({
        id: rootIds.main,
        path: roots.main,
        title: 'Main root',
        description: 'The test root',
        maxContentLength: SMALL_ROOT_LIMIT,
        createdAt: now,
      })
      await store.createApiRoot({
        id: rootIds.big,
        path: roots.big,
        title: 'Big root',
        description: null,
        maxContentLength: 24 * 1024 * 1024,
        createdAt: now,
      })
      shared = await makeCollection(
        [orgGrant(orgA, true, true), userGrant(bob.userId, true, false)],
        rootIds.main,
        'shared-intel',
      )
      secret = await makeCollection([orgGrant(orgB, true, true)])
      dropbox = await makeCollection([userGrant(alice.userId, false, true)])
      const app = createTaxiiApp({
        store,
        authenticator: createAuthenticator(store),
        settings: {
          maxPageSize: MAX_PAGE,
          defaultPageSize: 20,
          title: 'Test node',
          contact: 'ops@example.org',
          defaultApiRootPath: roots.main,
        },
      })
      served = await serveApp(app)
    })

    afterAll(async () => {
      await served?.close()
      await store?.close()
    })

    describe('authentication (section 1.6.9)', () => {
      it('returns 401 with WWW-Authenticate when no credentials are sent', async () => {
        // Discovery, API roots and the collections list are open for public collections (issue 5).
        const response = await call(objectsPath(shared), { as: null })
        await expectError(response, 401, 'TAXII_UNAUTHORIZED')
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=.*Bearer/)
      })

      it('accepts HTTP Basic credentials and refuses a wrong password with 401', async () => {
        const name = `basic-${randomUUID().slice(0, 8)}`
        await store.createUser({
          id: randomUUID(),
          orgId: orgA,
          name,
          role: 'reader',
          passwordHash: await hashPassword('correct horse battery', { N: 1024, r: 8, p: 1 }),
          disabled: false,
          createdAt: new Date().toISOString(),
        })
        const basic = (password: string) =>
          `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`
        const ok = await call('/taxii2/', {
          as: null,
          headers: { Authorization: basic('correct horse battery') },
        })
        expect(ok.status).toBe(200)
        const wrong = await call('/taxii2/', {
          as: null,
          headers: { Authorization: basic('wrong') },
        })
        await expectError(wrong, 401, 'TAXII_UNAUTHORIZED')
        expect(wrong.headers.get('www-authenticate')).toContain('Basic')
      })

      it('returns 401 for an unknown API key and for a malformed Authorization header', async () => {
        const wrong = { ...alice, key: generateApiKey().key }
        await expectError(await call('/taxii2/', { as: wrong }), 401)
        const response = await call('/taxii2/', {
          as: null,
          headers: { Authorization: 'Digest x' },
        })
        await expectError(response, 401)
      })
    })

    describe('GET /taxii2/ (section 4.1)', () => {
      it('returns the discovery resource with full API root URLs and the default', async () => {
        const response = await call('/taxii2/')
        expect(response.status).toBe(200)
        expect(response.headers.get('content-type')).toBe(TAXII)
        const body = await json(response)
        expect(body['title']).toBe('Test node')
        expect(body['contact']).toBe('ops@example.org')
        expect(body['api_roots']).toEqual(
          expect.arrayContaining([`${served.baseUrl}/api1/`, `${served.baseUrl}/api2/`]),
        )
        expect(body['default']).toBe(`${served.baseUrl}/api1/`)
      })

      it('answers 404 with a hint when the trailing slash is missing (section 3.1)', async () => {
        const body = await expectError(await call('/taxii2'), 404, 'TAXII_NOT_FOUND')
        expect(body.description).toContain('end with "/"')
      })

      it('returns 405 with Allow for a method the endpoint does not define', async () => {
        const response = await call('/taxii2/', { method: 'PUT', body: '{}' })
        await expectError(response, 405, 'TAXII_METHOD_NOT_ALLOWED')
        expect(response.headers.get('allow')).toBe('GET')
      })

      it('refuses unknown query parameters with 400 naming them', async () => {
        const body = await expectError(await call('/taxii2/?foo=1'), 400, 'TAXII_BAD_PARAMETER')
        expect(body.description).toContain('foo')
      })
    })

    describe('content negotiation (sections 1.6.8, 3.1)', () => {
      const acceptable = [
        TAXII,
        'application/taxii+json',
        'application/taxii+json; version=2.1',
        'application/taxii+json;version="2.1"',
        '*/*',
        'application/*',
        'text/html;q=0.9, application/taxii+json;version=2.1;q=0.5',
        'application/json, */*;q=0.1',
      ]
      for (const accept of acceptable) {
        it(`accepts Accept: ${accept}`, async () => {
          const response = await call('/taxii2/', { accept })
          expect(response.status).toBe(200)
          expect(response.headers.get('content-type')).toBe(TAXII)
        })
      }
      const refused = [
        'application/json',
        'application/taxii+json;version=2.0',
        'text/html',
        'application/taxii+json;version=2.1;q=0, */*',
        'application/stix+json;version=2.1',
      ]
      for (const accept of refused) {
        it(`returns 406 for Accept: ${accept}`, async () => {
          await expectError(await call('/taxii2/', { accept }), 406, 'TAXII_NOT_ACCEPTABLE')
        })
      }
    })

    describe('GET /{api-root}/ (section 4.2)', () => {
      it('returns the API root resource with versions and max_content_length', async () => {
        const response = await call('/api1/')
        expect(response.status).toBe(200)
        expect(await json(response)).toEqual({
          title: 'Main root',
          description: 'The test root',
          versions: [TAXII],
          max_content_length: SMALL_ROOT_LIMIT,
        })
      })

      it('returns 404 for an unknown API root', async () => {
        await expectError(await call('/nope/'), 404, 'TAXII_NOT_FOUND')
        await expectError(await call('/nope/collections/'), 404, 'TAXII_NOT_FOUND')
      })
    })

    describe('GET /{api-root}/collections/ (section 5.1)', () => {
      it('lists only the collections the principal holds a grant on, with can_read/can_write', async () => {
        const response = await call('/api1/collections/')
        expect(response.status).toBe(200)
        const body = (await json(response)) as { collections: Record<string, unknown>[] }
        const byId = new Map(body.collections.map((c) => [c['id'], c]))
        expect(byId.get(shared)).toMatchObject({
          can_read: true,
          can_write: true,
          alias: 'shared-intel',
        })
        expect(byId.get(dropbox)).toMatchObject({ can_read: false, can_write: true })
        expect(byId.has(secret)).toBe(false)
        expect(byId.get(shared)?.['media_types']).toEqual(['application/stix+json;version=2.1'])
      })

      it('shows a node admin every collection', async () => {
        const body = (await json(await call('/api1/collections/', { as: admin }))) as {
          collections: { id: string }[]
        }
        const ids = body.collections.map((c) => c.id)
        expect(ids).toEqual(expect.arrayContaining([shared, secret, dropbox]))
      })

      it('returns an empty object when no collection is visible (section 5.1.1)', async () => {
        expect(await json(await call('/api2/collections/', { as: bob }))).toEqual({})
      })
    })

    describe('GET /{api-root}/collections/{id}/ (section 5.2)', () => {
      it('returns the collection resource, also by alias', async () => {
        const byId = await json(await call(`/api1/collections/${shared}/`, { as: bob }))
        expect(byId).toMatchObject({
          id: shared,
          can_read: true,
          can_write: false,
          title: 'Collection shared-intel',
        })
        const byAlias = await json(await call('/api1/collections/shared-intel/', { as: bob }))
        expect(byAlias['id']).toBe(shared)
      })

      it('returns 404 for a collection without a grant, an unknown one, or one in another root', async () => {
        await expectError(await call(`/api1/collections/${secret}/`), 404, 'TAXII_NOT_FOUND')
        await expectError(await call(`/api1/collections/${randomUUID()}/`), 404)
        await expectError(await call(`/api2/collections/${shared}/`), 404)
      })
    })

    describe('POST /{api-root}/collections/{id}/objects/ (section 5.5)', () => {
      it('accepts an envelope with 202 and a complete status resource', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        const objects = [makeIndicator(), makeMalware(), makeIpv4()]
        const response = await call(objectsPath(collection), {
          method: 'POST',
          body: envelope(objects),
        })
        expect(response.status).toBe(202)
        expect(response.headers.get('content-type')).toBe(TAXII)
        const status = statusResourceSchema.parse(await response.json())
        expect(status).toMatchObject({
          status: 'complete',
          total_count: 3,
          success_count: 3,
          failure_count: 0,
          pending_count: 0,
        })
        expect(status.successes?.map((s) => s.id)).toEqual(objects.map((o) => o['id']))
        expect(status.successes?.[0]?.version).toBe('2026-01-01T00:00:00.000Z')
        expect(status.successes?.[2]?.version).toBe('')
        expect(status.failures).toBeUndefined()
        expect(status.request_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
      })

      it('reports an invalid object as a failure naming its id, path and rule, and stores the valid ones', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        const good = makeIndicator()
        const bad = makeMalware()
        delete bad['is_family']
        const status = await post(collection, [good, bad, 'not an object' as unknown as StixObject])
        expect(status.total_count).toBe(3)
        expect(status.success_count).toBe(1)
        expect(status.failure_count).toBe(2)
        expect(status.failures?.[0]?.id).toBe(bad['id'])
        expect(status.failures?.[0]?.version).toBe(bad['modified'])
        expect(status.failures?.[0]?.message).toContain('is_family')
        expect(status.failures?.[1]?.id).toBe('objects[2]')
        const read = await getEnvelope(objectsPath(collection))
        expect(read.ids).toEqual([good['id']])
      })

      it('treats the same version posted again as a success and does not duplicate it', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        const indicator = makeIndicator()
        await post(collection, [indicator])
        const again = await post(collection, [indicator, indicator])
        expect(again.success_count).toBe(2)
        expect(again.failure_count).toBe(0)
        const read = await getEnvelope(`${objectsPath(collection)}?match[version]=all`)
        expect(read.ids).toEqual([indicator['id']])
      })

      it('stores each object byte-for-byte as received', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        const id = `indicator--${randomUUID()}`
        const raw = `{ "name" : "Caf\\u00e9 ✓ ünïcode",\n  "type":"indicator","spec_version":"2.1","id":"${id}","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"  }`
        const response = await call(objectsPath(collection), {
          method: 'POST',
          body: `{"objects":[${raw}]}`,
        })
        expect(response.status).toBe(202)
        const read = await getEnvelope(objectsPath(collection))
        expect(read.text).toContain(raw)
        const single = await getEnvelope(objectsPath(collection, `${id}/`))
        expect(single.text).toContain(raw)
      })

      it('records publisher, markings, TLP and distribution with each version', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        const amber = makeIndicator({ object_marking_refs: [TLP.green, TLP.amber] })
        // TLP:RED needs a named recipient (issue 5); the property is not stored.
        const red = makeMalware({
          object_marking_refs: [TLP.red1],
          x_intelmesh_sharing: { recipients: [orgB] },
        })
        const none = makeIdentity()
        const revoked = makeIndicator({ revoked: true })
        await post(collection, [amber, red, none, revoked])
        const page = await store.queryObjects({ collectionId: collection, limit: 10 })
        const byId = new Map(page.items.map((item) => [item.id, item]))
        expect(byId.get(String(amber['id']))).toMatchObject({
          tlp: 'amber',
          markingRefs: [TLP.green, TLP.amber],
          publisherOrgId: orgA,
          publisherActor: expect.stringMatching(/^key:/) as unknown,
          distribution: { scope: 'community', groups: [], recipients: [] },
          anonymous: false,
          originPeer: null,
          revoked: false,
        })
        expect(byId.get(String(red['id']))?.tlp).toBe('red')
        expect(byId.get(String(none['id']))?.tlp).toBeNull()
        expect(byId.get(String(revoked['id']))?.revoked).toBe(true)
      })

      it('answers 400 for a body that is not JSON, and stores nothing', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        const body = await expectError(
          await call(objectsPath(collection), {
            method: 'POST',
            body: '{"objects":[{"type": "indicator",',
          }),
          400,
        )
        expect(body.description).toMatch(/line|byte|JSON/i)
        expect(await store.countObjects(collection)).toBe(0)
      })

      it('answers 400 for a STIX bundle instead of an envelope', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        const bundle = JSON.stringify({
          type: 'bundle',
          id: `bundle--${randomUUID()}`,
          objects: [makeIndicator()],
        })
        const body = await expectError(
          await call(objectsPath(collection), { method: 'POST', body: bundle }),
          400,
        )
        expect(body.description).toContain('envelope')
        expect(await store.countObjects(collection)).toBe(0)
      })

      it('answers 400 for JSON nested too deeply', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        const deep = `{"objects":[${'['.repeat(5000)}${']'.repeat(5000)}]}`
        await expectError(await call(objectsPath(collection), { method: 'POST', body: deep }), 400)
      })

      it('answers 422 when objects is not a list, or for a top-level array (section 5.5)', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        for (const body of ['{"objects":{}}', '[]']) {
          const error = await expectError(
            await call(objectsPath(collection), { method: 'POST', body }),
            422,
            'TAXII_UNPROCESSABLE',
          )
          expect(error.description).toContain('envelope')
        }
      })

      it('returns 415 for a body of another media type', async () => {
        for (const contentType of [
          'application/json',
          'application/stix+json;version=2.1',
          'application/taxii+json;version=2.0',
          null,
        ]) {
          const response = await call(objectsPath(shared), {
            method: 'POST',
            body: envelope([makeIndicator()]),
            contentType,
          })
          await expectError(response, 415, 'TAXII_UNSUPPORTED_MEDIA_TYPE')
        }
      })

      it('returns 413 when Content-Length exceeds max_content_length', async () => {
        const big = envelope([makeIndicator({ description: 'x'.repeat(SMALL_ROOT_LIMIT) })])
        const body = await expectError(
          await call(objectsPath(shared), { method: 'POST', body: big }),
          413,
          'TAXII_PAYLOAD_TOO_LARGE',
        )
        expect(body.description).toContain(String(SMALL_ROOT_LIMIT))
        expect(body.details).toEqual({ max_content_length: SMALL_ROOT_LIMIT })
      })

      it('returns 413 for a chunked body that passes max_content_length, without reading it all', async () => {
        let sent = 0
        const chunk = new TextEncoder().encode(`{"objects":[${' '.repeat(16 * 1024)}`)
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            // 64 MiB offered: the server stops reading at the limit, so the upload stalls early.
            if (sent > 1024 * SMALL_ROOT_LIMIT) return controller.close()
            sent += chunk.byteLength
            controller.enqueue(chunk)
          },
        })
        const response = await call(objectsPath(shared), { method: 'POST', body: stream }).catch(
          (error: unknown) => error,
        )
        if (response instanceof Response) {
          await expectError(response, 413, 'TAXII_PAYLOAD_TOO_LARGE')
        } else {
          // The server may close the connection while the client is still sending.
          expect(response).toBeInstanceOf(Error)
        }
        expect(sent).toBeLessThan(256 * SMALL_ROOT_LIMIT)
      })

      it('accepts a 10 MB string under a root whose max_content_length allows it', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)], rootIds.big)
        const indicator = makeIndicator({ description: 'y'.repeat(10 * 1024 * 1024) })
        const response = await call(`/api2/collections/${collection}/objects/`, {
          method: 'POST',
          body: envelope([indicator]),
        })
        expect(response.status).toBe(202)
        const status = statusResourceSchema.parse(await response.json())
        expect(status.success_count).toBe(1)
        expect(await store.countObjects(collection)).toBe(1)
      })

      it('returns 403 without can_write on a visible collection and 404 on an invisible one', async () => {
        await expectError(
          await call(objectsPath(shared), {
            method: 'POST',
            as: bob,
            body: envelope([makeIndicator()]),
          }),
          403,
          'TAXII_FORBIDDEN',
        )
        await expectError(
          await call(objectsPath(secret), { method: 'POST', body: envelope([makeIndicator()]) }),
          404,
        )
      })

      it('accepts an empty envelope with total_count 0', async () => {
        const response = await call(objectsPath(shared), { method: 'POST', body: '{}' })
        expect(response.status).toBe(202)
        expect(await json(response)).toMatchObject({ total_count: 0, success_count: 0 })
      })
    })

    describe('GET /{api-root}/status/{id}/ (section 4.3)', () => {
      it('returns the status to its requester only; others get 404', async () => {
        const status = await post(shared, [makeIndicator()])
        const response = await call(`/api1/status/${status.id}/`)
        expect(response.status).toBe(200)
        expect(response.headers.get('content-type')).toBe(TAXII)
        expect(statusResourceSchema.parse(await response.json())).toEqual(status)
        await expectError(await call(`/api1/status/${status.id}/`, { as: carol }), 404)
        await expectError(await call(`/api1/status/${status.id}/`, { as: admin }), 404)
        await expectError(await call(`/api2/status/${status.id}/`), 404)
        await expectError(await call(`/api1/status/${randomUUID()}/`), 404)
        await expectError(await call(`/api1/status/not-a-uuid%27%3B--/`), 404)
      })
    })

    describe('GET /{api-root}/collections/{id}/objects/ (section 5.4) and filters (section 3.4)', () => {
      let collection: string
      let ind1v1: StixObject
      let ind1v2: StixObject
      let ind1v3: StixObject
      let mal: StixObject
      let sco: StixObject

      beforeAll(async () => {
        collection = await makeCollection([
          orgGrant(orgA, true, true),
          userGrant(bob.userId, true, false),
        ])
        const id = `indicator--${randomUUID()}`
        ind1v1 = makeIndicator({ id, modified: '2026-02-01T00:00:00.000Z' })
        ind1v2 = makeIndicator({ id, modified: '2026-02-02T00:00:00.000Z' })
        ind1v3 = makeIndicator({ id, modified: '2026-02-03T00:00:00.123456Z' })
        mal = makeMalware()
        sco = makeIpv4()
        await post(collection, [ind1v1])
        await post(collection, [mal, ind1v2])
        await post(collection, [sco])
        await post(collection, [ind1v3])
      })

      it('returns the latest version of each object, oldest date_added first, in an envelope', async () => {
        const read = await getEnvelope(objectsPath(collection))
        expect(read.response.headers.get('content-type')).toBe(TAXII)
        expect(read.body.more).toBe(false)
        expect(read.ids).toEqual([mal['id'], sco['id'], ind1v1['id']])
        const objects = read.body.objects as StixObject[]
        expect(objects[2]?.['modified']).toBe('2026-02-03T00:00:00.123456Z')
      })

      it('sets X-TAXII-Date-Added-First and -Last over the returned page (section 3.2)', async () => {
        const read = await getEnvelope(`${objectsPath(collection)}?match[version]=all`)
        const manifest = manifestResourceSchema.parse(
          await json(await call(`/api1/collections/${collection}/manifest/?match[version]=all`)),
        )
        const dates = (manifest.objects ?? []).map((m) => m.date_added)
        expect(read.response.headers.get('x-taxii-date-added-first')).toBe(dates[0])
        expect(read.response.headers.get('x-taxii-date-added-last')).toBe(dates[dates.length - 1])
        expect(dates).toEqual([...dates].sort())
        expect(new Set(dates).size).toBe(dates.length)
      })

      it('filters by match[type], match[id] and comma lists (OR within a field, AND across)', async () => {
        expect((await getEnvelope(`${objectsPath(collection)}?match[type]=malware`)).ids).toEqual([
          mal['id'],
        ])
        expect(
          (await getEnvelope(`${objectsPath(collection)}?match[type]=malware,ipv4-addr`)).ids,
        ).toEqual([mal['id'], sco['id']])
        expect(
          (await getEnvelope(`${objectsPath(collection)}?match[id]=${String(sco['id'])}`)).ids,
        ).toEqual([sco['id']])
        expect(
          (
            await getEnvelope(
              `${objectsPath(collection)}?match[id]=${String(sco['id'])}&match[type]=malware`,
            )
          ).ids,
        ).toEqual([])
        expect((await getEnvelope(`${objectsPath(collection)}?match[type]=grouping`)).body).toEqual(
          { more: false },
        )
      })

      it('filters by match[version]: first, last, all, exact timestamps and combinations (section 3.4.1)', async () => {
        const id = String(ind1v1['id'])
        const versionsOf = async (q: string) =>
          (
            (await getEnvelope(`${objectsPath(collection)}?match[id]=${id}&match[version]=${q}`))
              .body.objects ?? []
          ).map((o) => o['modified'])
        expect(await versionsOf('first')).toEqual(['2026-02-01T00:00:00.000Z'])
        expect(await versionsOf('last')).toEqual(['2026-02-03T00:00:00.123456Z'])
        expect(await versionsOf('all')).toEqual([
          '2026-02-01T00:00:00.000Z',
          '2026-02-02T00:00:00.000Z',
          '2026-02-03T00:00:00.123456Z',
        ])
        expect(await versionsOf('2026-02-02T00:00:00Z')).toEqual(['2026-02-02T00:00:00.000Z'])
        expect(await versionsOf('first,last')).toEqual([
          '2026-02-01T00:00:00.000Z',
          '2026-02-03T00:00:00.123456Z',
        ])
        expect(await versionsOf('2026-02-02T00:00:00.000Z,last')).toEqual([
          '2026-02-02T00:00:00.000Z',
          '2026-02-03T00:00:00.123456Z',
        ])
        expect(await versionsOf('2025-01-01T00:00:00.000Z')).toEqual([])
      })

      it('filters by match[spec_version]', async () => {
        expect(
          (await getEnvelope(`${objectsPath(collection)}?match[spec_version]=2.1`)).ids,
        ).toHaveLength(3)
        expect(
          (await getEnvelope(`${objectsPath(collection)}?match[spec_version]=2.0`)).ids,
        ).toEqual([])
      })

      it('filters by added_after (exclusive), combined with other filters', async () => {
        const manifest = manifestResourceSchema.parse(
          await json(await call(`/api1/collections/${collection}/manifest/?match[version]=all`)),
        )
        const records = manifest.objects ?? []
        const second = records[1]?.date_added ?? ''
        const after = await getEnvelope(
          `${objectsPath(collection)}?added_after=${second}&match[version]=all`,
        )
        expect(after.ids).toEqual(records.slice(2).map((r) => r.id))
        const typed = await getEnvelope(
          `${objectsPath(collection)}?added_after=${second}&match[type]=indicator`,
        )
        expect(typed.ids).toEqual([ind1v1['id']])
        expect(
          (await getEnvelope(`${objectsPath(collection)}?added_after=2999-01-01T00:00:00Z`)).body,
        ).toEqual({ more: false })
      })

      it('pages with limit, more and next, never repeating or skipping (section 3.5)', async () => {
        const all = await getEnvelope(`${objectsPath(collection)}?match[version]=all`)
        const seen: string[] = []
        let next: string | undefined
        let pages = 0
        do {
          const q = `?match[version]=all&limit=2${next ? `&next=${encodeURIComponent(next)}` : ''}`
          const page = await getEnvelope(`${objectsPath(collection)}${q}`)
          expect(page.ids.length).toBeLessThanOrEqual(2)
          for (const o of page.body.objects ?? [])
            seen.push(`${String(o['id'])}@${String(o['modified'])}`)
          next = page.body.next
          if (page.body.more) expect(next).toBeDefined()
          pages++
        } while (next)
        expect(pages).toBe(3)
        expect(seen).toEqual(
          (all.body.objects ?? []).map((o) => `${String(o['id'])}@${String(o['modified'])}`),
        )
      })

      it('caps limit at the server maximum page size and reports more', async () => {
        const many = await makeCollection([orgGrant(orgA, true, true)])
        await post(
          many,
          Array.from({ length: MAX_PAGE + 5 }, () => makeIpv4()),
        )
        const page = await getEnvelope(`${objectsPath(many)}?limit=100000000000000000000`)
        expect(page.ids).toHaveLength(MAX_PAGE)
        expect(page.body.more).toBe(true)
        const defaulted = await getEnvelope(objectsPath(many))
        expect(defaulted.ids).toHaveLength(20)
        const rest = await getEnvelope(
          `${objectsPath(many)}?limit=${MAX_PAGE}&next=${encodeURIComponent(page.body.next ?? '')}`,
        )
        expect(rest.ids).toHaveLength(5)
        expect(rest.body.more).toBe(false)
        expect(rest.body.next).toBeUndefined()
      })

      it('answers 400 TAXII_BAD_NEXT for a forged, altered or mismatched next token', async () => {
        const page = await getEnvelope(`${objectsPath(collection)}?match[version]=all&limit=1`)
        const token = page.body.next ?? ''
        expect(token).not.toBe('')
        for (const bad of [
          'garbage',
          `${token}x`,
          token.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')),
        ]) {
          const body = await expectError(
            await call(
              `${objectsPath(collection)}?match[version]=all&limit=1&next=${encodeURIComponent(bad)}`,
            ),
            400,
            'TAXII_BAD_NEXT',
          )
          expect(body.description).toContain('next')
        }
        const mismatched = await call(
          `${objectsPath(collection)}?match[version]=all&match[type]=malware&next=${encodeURIComponent(token)}`,
        )
        await expectError(mismatched, 400, 'TAXII_BAD_NEXT')
      })

      it('answers 400 naming the parameter for malformed filters', async () => {
        const cases: [string, string][] = [
          ['added_after=yesterday', 'added_after'],
          ['added_after=2026-13-01T00:00:00Z', 'added_after'],
          ['added_after=2026-02-30T00:00:00Z', 'added_after'],
          ['added_after=2026-01-01 00:00:00Z', 'added_after'],
          ['added_after=2026-01-01T00:00:00', 'added_after'],
          ['limit=0', 'limit'],
          ['limit=-3', 'limit'],
          ['limit=ten', 'limit'],
          ['limit=1&limit=2', 'limit'],
          ['match[version]=newest', 'match[version]'],
          ['match[version]=all,first', 'match[version]'],
          ['match[version]=last,last', 'match[version]'],
          ['match[type]=indicator,,malware', 'match[type]'],
          ['match[spec_version]=two', 'match[spec_version]'],
          ['match[id]=', 'match[id]'],
          ['limt=10', 'limt'],
        ]
        for (const [q, parameter] of cases) {
          const body = await expectError(
            await call(`${objectsPath(collection)}?${q}`),
            400,
            'TAXII_BAD_PARAMETER',
          )
          expect(body.description, q).toContain(parameter)
          expect(body.details?.['parameter']).toBe(parameter)
        }
      })

      it('ignores match fields the specification does not define (section 3.4)', async () => {
        const read = await getEnvelope(`${objectsPath(collection)}?match[x_color]=blue`)
        expect(read.ids).toHaveLength(3)
      })

      it('returns 403 without can_read on a visible collection, 404 on an invisible one', async () => {
        await expectError(await call(objectsPath(dropbox)), 403, 'TAXII_FORBIDDEN')
        await expectError(await call(`/api1/collections/${dropbox}/manifest/`), 403)
        await expectError(await call(objectsPath(secret)), 404)
        await expectError(await call(`/api1/collections/${secret}/manifest/`), 404)
      })

      it('lets a read-only principal read', async () => {
        const read = await getEnvelope(objectsPath(collection), bob)
        expect(read.ids).toHaveLength(3)
      })

      describe('GET .../manifest/ (section 5.3)', () => {
        it('returns manifest records with date_added, version and media_type', async () => {
          const response = await call(`/api1/collections/${collection}/manifest/`)
          expect(response.status).toBe(200)
          expect(response.headers.get('x-taxii-date-added-first')).toMatch(/Z$/)
          const manifest = manifestResourceSchema.parse(await response.json())
          expect(manifest.more).toBe(false)
          expect(manifest.objects?.map((m) => [m.id, m.version])).toEqual([
            [mal['id'], mal['modified']],
            [sco['id'], ''],
            [ind1v1['id'], '2026-02-03T00:00:00.123456Z'],
          ])
          expect(manifest.objects?.[0]?.media_type).toBe('application/stix+json;version=2.1')
          expect(manifest.objects?.[0]?.date_added).toMatch(
            /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
          )
        })

        it('pages with limit and next like the objects endpoint', async () => {
          const first = manifestResourceSchema.parse(
            await json(await call(`/api1/collections/${collection}/manifest/?limit=2`)),
          )
          expect(first.more).toBe(true)
          const rest = manifestResourceSchema.parse(
            await json(
              await call(
                `/api1/collections/${collection}/manifest/?limit=2&next=${encodeURIComponent(first.next ?? '')}`,
              ),
            ),
          )
          expect([...(first.objects ?? []), ...(rest.objects ?? [])].map((m) => m.id)).toEqual([
            mal['id'],
            sco['id'],
            ind1v1['id'],
          ])
        })
      })

      describe('GET .../objects/{object-id}/ (section 5.6)', () => {
        it('returns the latest version by default, and versions on request', async () => {
          const id = String(ind1v1['id'])
          const read = await getEnvelope(objectsPath(collection, `${id}/`))
          expect(read.body.objects?.map((o) => o['modified'])).toEqual([
            '2026-02-03T00:00:00.123456Z',
          ])
          expect(read.response.headers.get('x-taxii-date-added-first')).toBe(
            read.response.headers.get('x-taxii-date-added-last'),
          )
          const all = await getEnvelope(
            objectsPath(collection, `${id}/?match[version]=all&limit=2`),
          )
          expect(all.body.objects).toHaveLength(2)
          expect(all.body.more).toBe(true)
          const rest = await getEnvelope(
            objectsPath(
              collection,
              `${id}/?match[version]=all&limit=2&next=${encodeURIComponent(all.body.next ?? '')}`,
            ),
          )
          expect(rest.body.objects?.map((o) => o['modified'])).toEqual([
            '2026-02-03T00:00:00.123456Z',
          ])
        })

        it('returns 404 for an object not in the collection, whatever its id looks like', async () => {
          await expectError(
            await call(objectsPath(collection, `%27%3B%20DROP%20TABLE%20objects%3B--/`)),
            404,
          )
          await expectError(
            await call(objectsPath(collection, `${'x'.repeat(5000)}/versions/`)),
            404,
          )
          await expectError(
            await call(objectsPath(collection, `indicator--${randomUUID()}/`)),
            404,
            'TAXII_NOT_FOUND',
          )
        })

        it('answers 400 for match fields this endpoint does not support (section 5.6)', async () => {
          await expectError(
            await call(objectsPath(collection, `${String(mal['id'])}/?match[type]=malware`)),
            400,
            'TAXII_BAD_PARAMETER',
          )
        })
      })

      describe('GET .../objects/{object-id}/versions/ (section 5.8)', () => {
        it('lists every version, oldest date_added first, with the date headers', async () => {
          const response = await call(objectsPath(collection, `${String(ind1v1['id'])}/versions/`))
          expect(response.status).toBe(200)
          expect(response.headers.get('x-taxii-date-added-last')).toMatch(/Z$/)
          const body = versionsResourceSchema.parse(await response.json())
          expect(body).toEqual({
            more: false,
            versions: [
              '2026-02-01T00:00:00.000Z',
              '2026-02-02T00:00:00.000Z',
              '2026-02-03T00:00:00.123456Z',
            ],
          })
          const paged = versionsResourceSchema.parse(
            await json(
              await call(objectsPath(collection, `${String(ind1v1['id'])}/versions/?limit=1`)),
            ),
          )
          expect(paged).toMatchObject({ more: true, versions: ['2026-02-01T00:00:00.000Z'] })
        })

        it('returns 404 for an unknown object and refuses match[version] (section 5.8)', async () => {
          await expectError(
            await call(objectsPath(collection, `malware--${randomUUID()}/versions/`)),
            404,
          )
          await expectError(
            await call(
              objectsPath(collection, `${String(mal['id'])}/versions/?match[version]=all`),
            ),
            400,
          )
        })
      })
    })

    describe('DELETE .../objects/{object-id}/ (section 5.7)', () => {
      it('deletes the versions matching match[version], then the whole object', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        const id = `indicator--${randomUUID()}`
        await post(collection, [
          makeIndicator({ id, modified: '2026-03-01T00:00:00.000Z' }),
          makeIndicator({ id, modified: '2026-03-02T00:00:00.000Z' }),
        ])
        const first = await call(objectsPath(collection, `${id}/?match[version]=first`), {
          method: 'DELETE',
        })
        expect(first.status).toBe(200)
        expect(first.headers.get('content-type')).toBe(TAXII)
        const left = versionsResourceSchema.parse(
          await json(await call(objectsPath(collection, `${id}/versions/`))),
        )
        expect(left.versions).toEqual(['2026-03-02T00:00:00.000Z'])
        expect((await call(objectsPath(collection, `${id}/`), { method: 'DELETE' })).status).toBe(
          200,
        )
        await expectError(await call(objectsPath(collection, `${id}/`)), 404)
        expect((await getEnvelope(objectsPath(collection))).ids).toEqual([])
      })

      it('honours match[spec_version] and deletes nothing of another specification version', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        const indicator = makeIndicator()
        await post(collection, [indicator])
        const path = objectsPath(collection, `${String(indicator['id'])}/`)
        expect((await call(`${path}?match[spec_version]=2.0`, { method: 'DELETE' })).status).toBe(
          200,
        )
        expect((await getEnvelope(path)).ids).toEqual([indicator['id']])
        expect((await call(`${path}?match[spec_version]=2.1`, { method: 'DELETE' })).status).toBe(
          200,
        )
        await expectError(await call(path), 404)
        await expectError(
          await call(`${path}?limit=1`, { method: 'DELETE' }),
          400,
          'TAXII_BAD_PARAMETER',
        )
      })

      it('returns 403 when the principal can read but not write, 404 when it has no grant', async () => {
        const collection = await makeCollection([
          orgGrant(orgA, true, true),
          userGrant(bob.userId, true, false),
        ])
        const indicator = makeIndicator()
        await post(collection, [indicator])
        const path = objectsPath(collection, `${String(indicator['id'])}/`)
        await expectError(await call(path, { method: 'DELETE', as: bob }), 403, 'TAXII_FORBIDDEN')
        await expectError(
          await call(objectsPath(secret, `${String(indicator['id'])}/`), { method: 'DELETE' }),
          404,
        )
        await expectError(
          await call(objectsPath(dropbox, `${String(indicator['id'])}/`), { method: 'DELETE' }),
          403,
        )
        expect((await getEnvelope(path)).ids).toEqual([indicator['id']])
      })
    })

    describe('paging while objects are being added (sections 3.4, 3.5)', () => {
      it('never skips or repeats an object when paging by next or by added_after during concurrent POSTs', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        const posted: string[] = []
        let posting = true
        const posters = Array.from({ length: 4 }, async () => {
          for (let round = 0; round < 6; round++) {
            const objects = Array.from({ length: 15 }, () => makeIpv4())
            const status = await post(collection, objects)
            expect(status.success_count).toBe(15)
            posted.push(...objects.map((o) => String(o['id'])))
          }
        })
        const done = Promise.all(posters).finally(() => {
          posting = false
        })

        async function drain(useNext: boolean): Promise<string[]> {
          const seen: string[] = []
          let addedAfter: string | undefined
          let next: string | undefined
          for (;;) {
            const stillPosting = posting
            const params = new URLSearchParams({ limit: '7' })
            if (addedAfter) params.set('added_after', addedAfter)
            if (next) params.set('next', next)
            const page = await getEnvelope(`${objectsPath(collection)}?${params.toString()}`)
            seen.push(...page.ids)
            const last = page.response.headers.get('x-taxii-date-added-last')
            if (useNext && page.body.more && page.body.next) {
              next = page.body.next
              continue
            }
            next = undefined
            if (last) addedAfter = last
            if (!page.body.more && !stillPosting) return seen
            if (!page.body.more) await new Promise((resolve) => setTimeout(resolve, 5))
          }
        }

        const [byNext, byAddedAfter] = await Promise.all([drain(true), drain(false), done])
        expect(new Set(byNext).size).toBe(byNext.length)
        expect(new Set(byAddedAfter).size).toBe(byAddedAfter.length)
        expect([...byNext].sort()).toEqual([...posted].sort())
        expect([...byAddedAfter].sort()).toEqual([...posted].sort())
      })
    })

    describe('every endpoint', () => {
      function endpoints(): [string, string][] {
        const object = `indicator--${randomUUID()}`
        return [
          ['GET', '/taxii2/'],
          ['GET', '/api1/'],
          ['GET', `/api1/status/${randomUUID()}/`],
          ['GET', '/api1/collections/'],
          ['GET', `/api1/collections/${shared}/`],
          ['GET', `/api1/collections/${shared}/manifest/`],
          ['GET', objectsPath(shared)],
          ['POST', objectsPath(shared)],
          ['GET', objectsPath(shared, `${object}/`)],
          ['DELETE', objectsPath(shared, `${object}/`)],
          ['GET', objectsPath(shared, `${object}/versions/`)],
        ]
      }

      it('answers 401 with WWW-Authenticate without credentials (section 1.6.9)', async () => {
        const publicReads = ['/taxii2/', '/api1/', '/api1/collections/']
        for (const [method, path] of endpoints()) {
          if (method === 'GET' && publicReads.includes(path)) continue
          const init: RequestOptions = { method, as: null }
          if (method === 'POST') init.body = envelope([makeIndicator()])
          const response = await call(path, init)
          await expectError(response, 401, 'TAXII_UNAUTHORIZED')
          expect(response.headers.get('www-authenticate'), `${method} ${path}`).toContain('Bearer')
        }
      })

      it('answers 406 when Accept excludes the TAXII media type (section 3.1)', async () => {
        for (const [method, path] of endpoints()) {
          const init: RequestOptions = { method, accept: 'application/xml' }
          if (method === 'POST') init.body = envelope([makeIndicator()])
          await expectError(await call(path, init), 406, 'TAXII_NOT_ACCEPTABLE')
        }
      })

      it('omits the X-TAXII-Date-Added headers on an empty page', async () => {
        const collection = await makeCollection([orgGrant(orgA, true, true)])
        const response = await call(objectsPath(collection))
        expect(response.status).toBe(200)
        expect(await response.json()).toEqual({ more: false })
        expect(response.headers.get('x-taxii-date-added-first')).toBeNull()
        expect(response.headers.get('x-taxii-date-added-last')).toBeNull()
      })
    })

    describe('errors', () => {
      it('renders unknown paths as TAXII 404 error messages', async () => {
        const body = await expectError(await call('/api1/collections/x/y/z/w/'), 404)
        expect(body.title).toBe('Not found')
      })
    })
  })
}
