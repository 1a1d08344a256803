import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Authenticator, Principal } from '../../accounts/principal.js'
import { SqliteStore } from '../../store/sqlite/sqlite-store.js'
import type { Store } from '../../store/store.js'
import { errorMessageSchema, statusResourceSchema } from '../resources.js'
import { createTaxiiApp } from './create-taxii-app.js'

const TAXII = 'application/taxii+json;version=2.1'

/** Authenticates `Bearer <user id>` as that user; anything else is rejected. */
function fixedAuthenticator(principals: Map<string, Principal>): Authenticator {
  return {
    authenticate(header) {
      if (header === undefined) return Promise.resolve({ kind: 'anonymous' })
      const principal = principals.get(header.replace(/^Bearer /, ''))
      return Promise.resolve(
        principal ? { kind: 'authenticated', principal } : { kind: 'rejected', reason: 'unknown' },
      )
    },
  }
}

describe('createTaxiiApp (in process)', () => {
  let store: Store
  let now: number
  const principals = new Map<string, Principal>()
  const userId = randomUUID()
  const orgId = randomUUID()
  const rootId = randomUUID()
  const collectionId = randomUUID()
  const logged: string[] = []

  beforeEach(async () => {
    store = SqliteStore.open(':memory:')
    await store.migrate()
    now = Date.UTC(2026, 0, 1) * 1000
    const createdAt = new Date().toISOString()
    await store.createOrganisation({
      id: orgId,
      name: 'A',
      identityId: `identity--${orgId}`,
      createdAt,
    })
    await store.createUser({
      id: userId,
      orgId,
      name: 'u',
      role: 'analyst',
      passwordHash: null,
      disabled: false,
      createdAt,
    })
    await store.createApiRoot({
      id: rootId,
      path: 'r',
      title: 'R',
      description: null,
      maxContentLength: 1000,
      createdAt,
    })
    await store.createCollection({
      id: collectionId,
      apiRootId: rootId,
      alias: 'c',
      title: 'C',
      description: null,
      mediaTypes: [],
      defaultDistribution: { scope: 'organisation', groups: [], recipients: [] },
      public: false,
      createdAt,
    })
    await store.setCollectionGrant({
      collectionId,
      subjectKind: 'org',
      subjectId: orgId,
      canRead: true,
      canWrite: true,
    })
    principals.set(userId, {
      via: 'api-key',
      userId,
      userName: 'u',
      orgId,
      role: 'analyst',
      keyId: 'k1',
    })
    logged.length = 0
  })

  afterEach(async () => {
    await store.close()
  })

  function app(over: Partial<Store> = {}) {
    const wrapped = Object.assign(Object.create(store) as Store, over)
    return createTaxiiApp({
      store: wrapped,
      authenticator: fixedAuthenticator(principals),
      clock: () => now,
      log: (line) => logged.push(line),
    })
  }

  const headers = { Accept: TAXII, Authorization: `Bearer ${userId}` }

  it('renders an unexpected error as a 500 TAXII error without internals, and logs it', async () => {
    const failing = app({
      listApiRoots: () => Promise.reject(new Error('disk on fire at /secret/path')),
    })
    const response = await failing.request('/taxii2/', { headers })
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toBe(TAXII)
    const text = await response.text()
    expect(text).not.toContain('disk on fire')
    const body = errorMessageSchema.parse(JSON.parse(text))
    expect(body).toMatchObject({ http_status: '500', error_code: 'TAXII_INTERNAL' })
    expect(logged.join('\n')).toContain('disk on fire')
    expect(logged.join('\n')).toContain(body.error_id)
  })

  it('keeps a status readable for 24 hours, then answers 404 (TAXII 2.1 section 4.3)', async () => {
    const taxii = app()
    const object = {
      type: 'ipv4-addr',
      spec_version: '2.1',
      id: `ipv4-addr--${randomUUID()}`,
      value: '192.0.2.1',
    }
    const posted = await taxii.request('/r/collections/c/objects/', {
      method: 'POST',
      headers: { ...headers, 'Content-Type': TAXII },
      body: JSON.stringify({ objects: [object] }),
    })
    expect(posted.status).toBe(202)
    const status = statusResourceSchema.parse(await posted.json())
    expect(status.request_timestamp).toBe('2026-01-01T00:00:00.000000Z')
    now += 23 * 3600 * 1_000_000
    expect((await taxii.request(`/r/status/${status.id}/`, { headers })).status).toBe(200)
    now += 2 * 3600 * 1_000_000
    expect((await taxii.request(`/r/status/${status.id}/`, { headers })).status).toBe(404)
  })

  it('assigns date_added from the injected clock', async () => {
    const taxii = app()
    const object = {
      type: 'ipv4-addr',
      spec_version: '2.1',
      id: `ipv4-addr--${randomUUID()}`,
      value: '192.0.2.2',
    }
    await taxii.request('/r/collections/c/objects/', {
      method: 'POST',
      headers: { ...headers, 'Content-Type': TAXII },
      body: JSON.stringify({ objects: [object] }),
    })
    const response = await taxii.request('/r/collections/c/objects/', { headers })
    expect(response.headers.get('x-taxii-date-added-first')).toBe('2026-01-01T00:00:00.000000Z')
  })

  it('answers HEAD like GET without a body', async () => {
    const response = await app().request('/r/', { method: 'HEAD', headers })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(TAXII)
    expect(await response.text()).toBe('')
  })

  it('checks Accept before credentials (406 even without Authorization)', async () => {
    const response = await app().request('/taxii2/', { headers: { Accept: 'text/html' } })
    expect(response.status).toBe(406)
  })

  it('returns 413 for a Content-Length above max_content_length before reading the body', async () => {
    const response = await app().request('/r/collections/c/objects/', {
      method: 'POST',
      headers: { ...headers, 'Content-Type': TAXII, 'Content-Length': '1001' },
      body: 'x'.repeat(1001),
    })
    expect(response.status).toBe(413)
    expect(errorMessageSchema.parse(await response.json()).details).toEqual({
      max_content_length: 1000,
    })
  })

  it('answers 400 for a body that is not UTF-8', async () => {
    const response = await app().request('/r/collections/c/objects/', {
      method: 'POST',
      headers: { ...headers, 'Content-Type': TAXII },
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
    })
    expect(response.status).toBe(400)
    expect(errorMessageSchema.parse(await response.json()).description).toContain('UTF-8')
  })

  describe('the sharing rule (issue 5)', () => {
    const otherOrg = randomUUID()
    const otherUser = randomUUID()

    beforeEach(async () => {
      await store.createOrganisation({
        id: otherOrg,
        name: 'B',
        identityId: `identity--${otherOrg}`,
        createdAt: new Date().toISOString(),
      })
      await store.setCollectionGrant({
        collectionId,
        subjectKind: 'org',
        subjectId: otherOrg,
        canRead: true,
        canWrite: true,
      })
      principals.set(otherUser, {
        via: 'api-key',
        userId: otherUser,
        userName: 'b',
        orgId: otherOrg,
        role: 'analyst',
        keyId: 'k2',
      })
    })

    async function postAsOther(taxii: ReturnType<typeof app>, sharing: Record<string, unknown>) {
      const object = {
        type: 'identity',
        spec_version: '2.1',
        id: `identity--${randomUUID()}`,
        created: '2026-01-01T00:00:00.000Z',
        modified: '2026-01-01T00:00:00.000Z',
        name: 'Someone',
        created_by_ref: `identity--${otherOrg}`,
        x_intelmesh_sharing: sharing,
      }
      const posted = await taxii.request('/r/collections/c/objects/', {
        method: 'POST',
        headers: { Accept: TAXII, Authorization: `Bearer ${otherUser}`, 'Content-Type': TAXII },
        body: JSON.stringify({ objects: [object] }),
      })
      expect(statusResourceSchema.parse(await posted.json()).success_count).toBe(1)
      return object.id
    }

    it('refuses to serve an anonymised object when no alliance identity is configured (500, logged)', async () => {
      const taxii = app()
      await postAsOther(taxii, { distribution: 'community', anonymous: true })
      const response = await taxii.request('/r/collections/c/objects/', { headers })
      expect(response.status).toBe(500)
      expect(await response.text()).not.toContain('Someone')
      expect(logged.join('\n')).toContain('no alliance identity is configured')
    })

    it('reads every version only when the benchmark switches the rule off', async () => {
      const on = app()
      const id = await postAsOther(on, { distribution: 'organisation' })
      expect((await on.request(`/r/collections/c/objects/${id}/`, { headers })).status).toBe(404)
      const off = createTaxiiApp({
        store,
        authenticator: fixedAuthenticator(principals),
        clock: () => now,
        log: (line) => logged.push(line),
        settings: { applySharingRule: false },
      })
      expect((await off.request(`/r/collections/c/objects/${id}/`, { headers })).status).toBe(200)
    })
  })
})
