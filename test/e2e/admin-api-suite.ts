/**
 * The admin API over a real socket, run on SQLite and on PostgreSQL by the two
 * `admin-api-*.test.ts` files: authentication, role limits, validation and error shapes,
 * sharing groups, organisation sharing, collections, node settings, explain and the audit
 * trail; and the node handler that serves it beside TAXII.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuthenticator } from '../../src/accounts/authenticator.js'
import { createAdminApp } from '../../src/admin-api/create-admin-app.js'
import { withAdminApi } from '../../src/admin-api/mount.js'
import { AuditLog } from '../../src/audit/audit-log.js'
import type { Store } from '../../src/store/store.js'
import { createTaxiiApp } from '../../src/taxii/server/create-taxii-app.js'
import { adminWorld, indicatorVersion, type AdminWorld } from '../helpers/admin-world.js'
import { serveApp, type ServedApp } from '../helpers/serve.js'

/** Runs the suite on the stores `makeStore` opens (skipped with `skip` as the reason). */
export function describeAdminApi(
  label: string,
  makeStore: () => Promise<Store>,
  skip?: string,
): void {
  describe.skipIf(skip !== undefined)(`admin API on ${label}${skip ? ` (${skip})` : ''}`, () => {
    defineSuite(makeStore)
  })
}

let world: AdminWorld
let served: ServedApp

interface Reply {
  status: number
  headers: Headers
  body: Record<string, unknown>
}

async function call(
  method: string,
  path: string,
  options: {
    as?: string
    key?: string
    basic?: [string, string]
    body?: unknown
    raw?: string
    contentType?: string
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {}
  const key = options.key ?? (options.as !== undefined ? world.keys[options.as] : undefined)
  if (key !== undefined) headers['Authorization'] = `Bearer ${key}`
  if (options.basic !== undefined) {
    headers['Authorization'] = `Basic ${Buffer.from(options.basic.join(':')).toString('base64')}`
  }
  let body: string | undefined
  if (options.raw !== undefined) body = options.raw
  else if (options.body !== undefined) body = JSON.stringify(options.body)
  if (body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json'
  const response = await fetch(`${served.baseUrl}/api/v1${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  }
}

function errorCode(reply: Reply): unknown {
  return (reply.body['error'] as { code?: unknown } | undefined)?.code
}

function errorMessage(reply: Reply): string {
  return String((reply.body['error'] as { message?: unknown } | undefined)?.message)
}

function defineSuite(makeStore: () => Promise<Store>): void {
  beforeAll(async () => {
    world = await adminWorld(makeStore)
    const authenticator = createAuthenticator(world.store)
    const taxii = createTaxiiApp({ store: world.store, authenticator })
    const admin = createAdminApp({
      store: world.store,
      authenticator,
      version: '9.9.9',
      // Every answer is checked against the schema the OpenAPI document shows (500 otherwise).
      checkResponses: true,
    })
    served = await serveApp(withAdminApi(taxii, admin))
  })

  afterAll(async () => {
    await served.close()
    await world.store.close()
  })

  describe('admin API authentication and errors', () => {
    it('answers 401 with WWW-Authenticate and an error object without credentials', async () => {
      const reply = await call('GET', '/organisations')
      expect(reply.status).toBe(401)
      expect(reply.headers.get('www-authenticate')).toMatch(/^Basic realm="intelmesh".*Bearer/)
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/)
      expect(errorCode(reply)).toBe('ADMIN_UNAUTHORIZED')
    })

    it('answers 401 to a wrong key', async () => {
      const reply = await call('GET', '/me', { key: 'imk_0000000000000000000000000000' })
      expect(reply.status).toBe(401)
    })

    it('serves the OpenAPI document without credentials', async () => {
      const reply = await call('GET', '/openapi.json')
      expect(reply.status).toBe(200)
      expect(reply.body['openapi']).toBe('3.1.0')
      expect(reply.body['info']).toMatchObject({ version: '9.9.9' })
    })

    it('answers 404 for an unknown path and 405 with Allow for a wrong method', async () => {
      const missing = await call('GET', '/nothing-here', { as: 'admin' })
      expect(missing.status).toBe(404)
      expect(errorCode(missing)).toBe('ADMIN_NOT_FOUND')
      const wrong = await call('DELETE', '/organisations', { as: 'admin' })
      expect(wrong.status).toBe(405)
      expect(wrong.headers.get('allow')).toBe('GET, POST')
    })

    it('names the bad field, an unknown field and an unknown query parameter with 400', async () => {
      const bad = await call('POST', '/users', { as: 'acme-admin', body: { name: 5 } })
      expect(bad.status).toBe(400)
      expect(errorMessage(bad)).toMatch(/body\.name/)
      const extra = await call('POST', '/users', {
        as: 'acme-admin',
        body: { name: 'x1', rolle: 'admin' },
      })
      expect(extra.status).toBe(400)
      expect(errorMessage(extra)).toMatch(/rolle/)
      const query = await call('GET', '/users?orgg=Acme', { as: 'admin' })
      expect(query.status).toBe(400)
      expect(errorMessage(query)).toMatch(/orgg/)
    })

    it('refuses a body that is not JSON (400), not application/json (415) or over 1 MiB (413)', async () => {
      const notJson = await call('POST', '/groups', { as: 'acme-admin', raw: '{"name": ' })
      expect(notJson.status).toBe(400)
      expect(errorMessage(notJson)).toMatch(/not JSON/)
      const text = await call('POST', '/groups', {
        as: 'acme-admin',
        raw: '{"name":"g"}',
        contentType: 'text/plain',
      })
      expect(text.status).toBe(415)
      const huge = await call('POST', '/groups', {
        as: 'acme-admin',
        body: { name: 'big', description: 'x'.repeat(1024 * 1024 + 10) },
      })
      expect(huge.status).toBe(413)
      expect(errorCode(huge)).toBe('ADMIN_PAYLOAD_TOO_LARGE')
    })

    it('still serves TAXII beside it', async () => {
      const response = await fetch(`${served.baseUrl}/taxii2/`, {
        headers: { Authorization: `Bearer ${world.keys['admin'] ?? ''}` },
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/taxii\+json/)
    })
  })

  describe('admin API accounts', () => {
    it('tells a caller who they are', async () => {
      const me = await call('GET', '/me', { as: 'acme-reader' })
      expect(me.status).toBe(200)
      expect(me.body).toMatchObject({
        user: { name: 'acme-reader', orgName: 'Acme', role: 'reader' },
        isNodeAdmin: false,
      })
      const admin = await call('GET', '/me', { as: 'admin' })
      expect(admin.body['isNodeAdmin']).toBe(true)
    })

    it('lets node admins add organisations and no one else (403), and 409 on a taken name', async () => {
      const created = await call('POST', '/organisations', { as: 'admin', body: { name: 'Delta' } })
      expect(created.status).toBe(201)
      expect(created.body).toMatchObject({ name: 'Delta' })
      const again = await call('POST', '/organisations', { as: 'admin', body: { name: 'Delta' } })
      expect(again.status).toBe(409)
      const refused = await call('POST', '/organisations', {
        as: 'acme-admin',
        body: { name: 'Epsilon' },
      })
      expect(refused.status).toBe(403)
      expect(errorMessage(refused)).toMatch(/only node admins/)
      await call('POST', '/organisations', { as: 'admin', body: { name: 'Delta Force/2' } })
      const encoded = await call('GET', `/organisations/${encodeURIComponent('Delta Force/2')}`, {
        as: 'acme-reader',
      })
      expect(encoded.status).toBe(200)
      expect(encoded.body).toMatchObject({ name: 'Delta Force/2' })
    })

    it('lets an organisation admin add users to its own organisation only', async () => {
      const created = await call('POST', '/users', {
        as: 'acme-admin',
        body: { name: 'acme-new', role: 'analyst' },
      })
      expect(created.status).toBe(201)
      expect(created.body['user']).toMatchObject({ name: 'acme-new', orgName: 'Acme' })
      expect(typeof created.body['password']).toBe('string')
      const other = await call('POST', '/users', {
        as: 'acme-admin',
        body: { name: 'beta-new', org: 'Beta' },
      })
      expect(other.status).toBe(403)
      expect(errorMessage(other)).toMatch(/organisation "Beta"/)
    })

    it('refuses user management to analysts and readers', async () => {
      for (const who of ['acme-analyst', 'acme-reader']) {
        const reply = await call('POST', '/users', { as: who, body: { name: `${who}-x` } })
        expect(reply.status, who).toBe(403)
        const disable = await call('POST', '/users/acme-new/disable', { as: who })
        expect(disable.status, who).toBe(403)
      }
    })

    it('lists users by role: all, own organisation, oneself', async () => {
      const all = await call('GET', '/users', { as: 'admin' })
      expect((all.body['users'] as unknown[]).length).toBeGreaterThan(9)
      const acme = await call('GET', '/users', { as: 'acme-admin' })
      const names = (acme.body['users'] as { orgName: string }[]).map((u) => u.orgName)
      expect(new Set(names)).toEqual(new Set(['Acme']))
      const self = await call('GET', '/users', { as: 'beta-reader' })
      expect(self.body['users']).toEqual([expect.objectContaining({ name: 'beta-reader' })])
      const foreign = await call('GET', '/users?org=Beta', { as: 'acme-admin' })
      expect(foreign.status).toBe(403)
      const hidden = await call('GET', '/users/beta-reader', { as: 'acme-admin' })
      expect(hidden.status).toBe(403)
      const unknown = await call('GET', '/users/nobody', { as: 'admin' })
      expect(unknown.status).toBe(404)
    })

    it('disables a user at once, and refuses a foreign organisation admin', async () => {
      const foreign = await call('POST', '/users/acme-new/disable', { as: 'beta-admin' })
      expect(foreign.status).toBe(403)
      const key = await call('POST', '/keys', { as: 'acme-admin', body: { user: 'acme-new' } })
      expect(key.status).toBe(201)
      const secret = String(key.body['secret'])
      expect((await call('GET', '/me', { key: secret })).status).toBe(200)
      const disabled = await call('POST', '/users/acme-new/disable', { as: 'acme-admin' })
      expect(disabled.status).toBe(200)
      expect(disabled.body).toMatchObject({ disabled: true })
      expect((await call('GET', '/me', { key: secret })).status).toBe(401)
      const enabled = await call('POST', '/users/acme-new/enable', { as: 'acme-admin' })
      expect(enabled.body).toMatchObject({ disabled: false })
      expect((await call('GET', '/me', { key: secret })).status).toBe(200)
    })

    it("changes another user's role but not one's own", async () => {
      const changed = await call('PUT', '/users/acme-new/role', {
        as: 'acme-admin',
        body: { role: 'reader' },
      })
      expect(changed.status).toBe(200)
      expect(changed.body).toMatchObject({ role: 'reader' })
      const self = await call('PUT', '/users/acme-admin/role', {
        as: 'acme-admin',
        body: { role: 'reader' },
      })
      expect(self.status).toBe(400)
      const bad = await call('PUT', '/users/acme-new/role', {
        as: 'acme-admin',
        body: { role: 'root' },
      })
      expect(bad.status).toBe(400)
      expect(errorMessage(bad)).toMatch(/body\.role/)
    })

    it('resets a password (generated once) for admins and for oneself', async () => {
      const reset = await call('POST', '/users/acme-new/password', { as: 'acme-admin' })
      expect(reset.status).toBe(200)
      expect(typeof reset.body['password']).toBe('string')
      const first = 'a long enough passphrase 42'
      const byAdmin = await call('POST', '/users/acme-reader/password', {
        as: 'acme-admin',
        body: { password: first },
      })
      expect(byAdmin.status).toBe(200)
      expect(byAdmin.body['password']).toBeUndefined()
      // With an API key alone one cannot take over one's own password; with the password one can.
      const byKey = await call('POST', '/users/acme-reader/password', {
        as: 'acme-reader',
        body: { password: 'another long passphrase 43' },
      })
      expect(byKey.status).toBe(403)
      expect(errorMessage(byKey)).toMatch(/sign in with your current password/)
      const own = await call('POST', '/users/acme-reader/password', {
        basic: ['acme-reader', first],
        body: { password: 'another long passphrase 43' },
      })
      expect(own.status).toBe(200)
      const other = await call('POST', '/users/acme-analyst/password', { as: 'acme-reader' })
      expect(other.status).toBe(403)
    })

    it('lets a reader create, list and revoke only their own keys; secrets shown once', async () => {
      const created = await call('POST', '/keys', { as: 'beta-reader', body: { label: 'laptop' } })
      expect(created.status).toBe(201)
      const secret = String(created.body['secret'])
      const prefix = String((created.body['key'] as { prefix: string }).prefix)
      const listed = await call('GET', '/keys', { as: 'beta-reader' })
      const keys = listed.body['keys'] as Record<string, unknown>[]
      expect(keys.every((k) => k['userName'] === 'beta-reader')).toBe(true)
      expect(JSON.stringify(listed.body)).not.toContain(secret)
      expect(keys.some((k) => 'keyHash' in k || 'secret' in k)).toBe(false)
      const foreign = await call('DELETE', `/keys/${prefix}`, { as: 'acme-reader' })
      expect(foreign.status).toBe(403)
      const forOther = await call('POST', '/keys', {
        as: 'beta-reader',
        body: { user: 'beta-admin' },
      })
      expect(forOther.status).toBe(403)
      const revoked = await call('DELETE', `/keys/${prefix}`, { as: 'beta-reader' })
      expect(revoked.status).toBe(200)
      expect(revoked.body).toMatchObject({ revoked: true })
      expect((await call('GET', '/me', { key: secret })).status).toBe(401)
    })
  })

  describe('admin API sharing', () => {
    it('runs a sharing group: owner creates, members read, only owner admins and node admins edit', async () => {
      const created = await call('POST', '/groups', {
        as: 'acme-admin',
        body: { name: 'finance-isac', description: 'banks', members: ['Acme', 'Beta'] },
      })
      expect(created.status).toBe(201)
      expect(created.body).toMatchObject({ owner: { name: 'Acme' }, description: 'banks' })
      const taken = await call('POST', '/groups', {
        as: 'beta-admin',
        body: { name: 'finance-isac' },
      })
      expect(taken.status).toBe(409)
      const seen = await call('GET', '/groups', { as: 'beta-reader' })
      expect((seen.body['groups'] as { name: string }[]).map((g) => g.name)).toContain(
        'finance-isac',
      )
      const outsider = await call('GET', '/groups/finance-isac', { as: 'gamma-admin' })
      expect(outsider.status).toBe(403)
      const notOwner = await call('PUT', '/groups/finance-isac/members/Gamma', { as: 'beta-admin' })
      expect(notOwner.status).toBe(403)
      const analyst = await call('PUT', '/groups/finance-isac/members/Gamma', {
        as: 'acme-analyst',
      })
      expect(analyst.status).toBe(403)
      const added = await call('PUT', '/groups/finance-isac/members/Gamma', { as: 'acme-admin' })
      expect(added.body).toMatchObject({ changed: true })
      expect((await call('GET', '/groups/finance-isac', { as: 'gamma-admin' })).status).toBe(200)
      const removed = await call('DELETE', '/groups/finance-isac/members/Gamma', { as: 'admin' })
      expect(removed.body).toMatchObject({ changed: true })
      expect((await call('GET', '/groups/finance-isac', { as: 'gamma-admin' })).status).toBe(403)
      const described = await call('PATCH', '/groups/finance-isac', {
        as: 'acme-admin',
        body: { description: 'banks and insurers' },
      })
      expect(described.body).toMatchObject({ description: 'banks and insurers' })
      const unknown = await call('GET', '/groups/no-such-group', { as: 'admin' })
      expect(unknown.status).toBe(404)
    })

    it('sets organisation sharing for its own admins only, and validates ceilings', async () => {
      const set = await call('PATCH', '/organisations/Acme/sharing', {
        as: 'acme-admin',
        body: {
          anonymousByDefault: true,
          defaultDistribution: { scope: 'groups', groups: ['finance-isac'] },
          ceilings: {
            roles: { analyst: { tlp: 'amber', scope: 'community' } },
            users: { 'acme-reader': { tlp: 'red' } },
          },
        },
      })
      expect(set.status).toBe(200)
      expect(set.body).toMatchObject({
        anonymousByDefault: true,
        defaultDistribution: { scope: 'groups', recipients: [] },
        ceilings: {
          roles: { analyst: { tlp: 'amber', scope: 'community' } },
          users: [{ user: { name: 'acme-reader' }, tlp: 'red' }],
        },
      })
      const read = await call('GET', '/organisations/Acme/sharing', { as: 'acme-reader' })
      expect(read.body).toMatchObject({ anonymousByDefault: true })
      expect((await call('GET', '/organisations/Acme/sharing', { as: 'beta-admin' })).status).toBe(
        403,
      )
      const foreign = await call('PATCH', '/organisations/Acme/sharing', {
        as: 'beta-admin',
        body: { anonymousByDefault: false },
      })
      expect(foreign.status).toBe(403)
      const badTlp = await call('PATCH', '/organisations/Acme/sharing', {
        as: 'acme-admin',
        body: { ceilings: { roles: { reader: { tlp: 'purple' } } } },
      })
      expect(badTlp.status).toBe(400)
      expect(errorMessage(badTlp)).toMatch(/body\.ceilings\.roles\.reader\.tlp/)
      const strangerCeiling = await call('PATCH', '/organisations/Acme/sharing', {
        as: 'acme-admin',
        body: { ceilings: { users: { 'beta-reader': { tlp: 'red' } } } },
      })
      expect(strangerCeiling.status).toBe(400)
      const removed = await call('PATCH', '/organisations/Acme/sharing', {
        as: 'acme-admin',
        body: { defaultDistribution: null, ceilings: { users: { 'acme-reader': null } } },
      })
      expect(removed.body).toMatchObject({ defaultDistribution: null, ceilings: { users: [] } })
    })

    it('lets node admins change a collection, reserve the api path and set node settings', async () => {
      const refused = await call('PATCH', '/collections/default', {
        as: 'acme-admin',
        body: { public: true },
      })
      expect(refused.status).toBe(403)
      const changed = await call('PATCH', '/collections/default', {
        as: 'admin',
        body: { public: true, defaultDistribution: { scope: 'federation' } },
      })
      expect(changed.status).toBe(200)
      expect(changed.body).toMatchObject({
        public: true,
        defaultDistribution: { scope: 'federation' },
      })
      const reserved = await call('POST', '/api-roots', { as: 'admin', body: { path: 'api' } })
      expect(reserved.status).toBe(400)
      expect(errorMessage(reserved)).toMatch(/reserved/)
      const root = await call('POST', '/api-roots', { as: 'admin', body: { path: 'api2' } })
      expect(root.status).toBe(201)
      const collection = await call('POST', '/collections', {
        as: 'admin',
        body: { alias: 'shared', apiRoot: 'api2', defaultDistribution: { scope: 'community' } },
      })
      expect(collection.status).toBe(201)
      const grant = await call('PUT', '/collections/shared/grants', {
        as: 'admin',
        body: { org: 'Acme', canRead: true, canWrite: false },
      })
      expect(grant.status).toBe(200)
      // `default` was opened above: public collections are listed to everyone, as in TAXII.
      const listed = await call('GET', '/collections', { as: 'acme-reader' })
      expect(
        (listed.body['collections'] as { collection: { alias: string } }[]).map(
          (l) => l.collection.alias,
        ),
      ).toEqual(['default', 'shared'])
      const byOrgAdmin = await call('PUT', '/collections/shared/grants', {
        as: 'acme-admin',
        body: { org: 'Beta', canRead: true, canWrite: false },
      })
      expect(byOrgAdmin.status).toBe(403)
      const ungrant = await call('DELETE', '/collections/shared/grants/org/Acme', { as: 'admin' })
      expect(ungrant.status).toBe(200)
      expect((await call('GET', '/collections/shared', { as: 'acme-reader' })).status).toBe(404)

      const settings = await call('PATCH', '/settings', {
        as: 'admin',
        body: { defaultTlp: 'green' },
      })
      expect(settings.body).toMatchObject({ defaultTlp: 'green', defaultTlpConfigured: true })
      const byReader = await call('PATCH', '/settings', {
        as: 'acme-reader',
        body: { defaultTlp: 'clear' },
      })
      expect(byReader.status).toBe(403)
      expect((await call('GET', '/settings', { as: 'acme-reader' })).body).toMatchObject({
        defaultTlp: 'green',
      })
      await call('PATCH', '/settings', { as: 'admin', body: { defaultTlp: 'amber' } })
    })

    it('explains a decision to node admins and to the publisher’s admins only', async () => {
      const id = 'indicator--4b4c5e3e-6a3f-4f5a-9d5e-2d6f3b2a1c01'
      await world.store.addObjects(
        [
          indicatorVersion(world.collection.id, id, '2026-01-02T00:00:00.000Z', {
            publisherOrgId: world.orgs.acme.id,
            tlp: 'red',
            distribution: { scope: 'community', recipients: [world.orgs.beta.id] },
          }),
        ],
        1_000_000,
      )
      const path = `/sharing/explain?object=${id}&viewer=`
      const beta = await call('GET', `${path}Beta`, { as: 'admin' })
      expect(beta.status).toBe(200)
      expect(beta.body['versions']).toMatchObject([
        { tlp: 'red', decision: { rule: 'NAMED_RECIPIENT', visible: true } },
      ])
      const gamma = await call('GET', `${path}user:gamma-reader`, { as: 'acme-admin' })
      expect(gamma.status).toBe(200)
      expect(gamma.body['versions']).toMatchObject([
        { decision: { rule: 'RED_NOT_RECIPIENT', visible: false }, sees: false },
      ])
      expect((await call('GET', `${path}Gamma`, { as: 'beta-admin' })).status).toBe(404)
      expect((await call('GET', `${path}Gamma`, { as: 'acme-analyst' })).status).toBe(403)
      const missing = await call('GET', `/sharing/explain?object=${id}`, { as: 'admin' })
      expect(missing.status).toBe(400)
      expect(errorMessage(missing)).toMatch(/viewer/)
    })
  })

  describe('admin API audit', () => {
    it('records changes and refusals, lists them to node admins only, and the chain verifies', async () => {
      const shares = await call('GET', '/audit?action=share-change&limit=1000', { as: 'admin' })
      expect(shares.status).toBe(200)
      const entries = shares.body['entries'] as {
        outcome: string
        actor: { kind: string }
        details: Record<string, unknown>
      }[]
      const changes = new Set(entries.map((e) => e.details['change']))
      for (const change of [
        'group.create',
        'group.add-member',
        'group.remove-member',
        'organisation.sharing',
        'collection.sharing',
        'node.settings',
      ]) {
        expect(changes, change).toContain(change)
      }
      expect(entries.some((e) => e.outcome === 'denied')).toBe(true)
      expect(entries.every((e) => e.actor.kind === 'key')).toBe(true)
      const admins = await call('GET', '/audit?action=admin-change&limit=1000', { as: 'admin' })
      const adminChanges = (admins.body['entries'] as { details: Record<string, unknown> }[]).map(
        (e) => e.details['change'],
      )
      expect(adminChanges).toEqual(
        expect.arrayContaining(['user.create', 'user.disable', 'key.create', 'key.revoke']),
      )
      expect(JSON.stringify(admins.body)).not.toMatch(/"password":"/)
      expect((await call('GET', '/audit', { as: 'acme-admin' })).status).toBe(403)
      const paged = await call('GET', '/audit?limit=2', { as: 'admin' })
      expect(paged.body['next']).toBe(2)
      const verify = await call('GET', '/audit/verify', { as: 'admin' })
      expect(verify.body).toMatchObject({ ok: true })
      expect(await new AuditLog(world.store).verify()).toMatchObject({ ok: true })
      const bad = await call('GET', '/audit?since=yesterday', { as: 'admin' })
      expect(bad.status).toBe(400)
    })
  })

  describe('admin API role matrix (docs/admin-api.md, Who may do what)', () => {
    const callers = ['admin', 'acme-admin', 'beta-admin', 'acme-analyst', 'acme-reader']
    let n = 0
    const unique = (): string => `m${++n}`
    const cases: {
      what: string
      allowed: string[]
      request: () => [string, string, unknown?]
    }[] = [
      {
        what: 'create a user in Acme',
        allowed: ['admin', 'acme-admin'],
        request: () => ['POST', '/users', { name: unique(), org: 'Acme', password: null }],
      },
      {
        what: 'enable an Acme user',
        allowed: ['admin', 'acme-admin'],
        request: () => ['POST', '/users/acme-target/enable'],
      },
      {
        what: "set an Acme user's role",
        allowed: ['admin', 'acme-admin'],
        request: () => ['PUT', '/users/acme-target/role', { role: 'reader' }],
      },
      {
        what: 'read an Acme user',
        allowed: ['admin', 'acme-admin'],
        request: () => ['GET', '/users/acme-target'],
      },
      {
        what: 'create a key for an Acme user',
        allowed: ['admin', 'acme-admin'],
        request: () => ['POST', '/keys', { user: 'acme-target' }],
      },
      {
        what: 'create a group owned by Acme',
        allowed: ['admin', 'acme-admin'],
        request: () => ['POST', '/groups', { name: unique(), owner: 'Acme' }],
      },
      {
        what: "change Acme's sharing",
        allowed: ['admin', 'acme-admin'],
        request: () => ['PATCH', '/organisations/Acme/sharing', { anonymousByDefault: false }],
      },
      {
        what: "read Acme's sharing",
        allowed: ['admin', 'acme-admin', 'acme-analyst', 'acme-reader'],
        request: () => ['GET', '/organisations/Acme/sharing'],
      },
      {
        what: 'add an organisation',
        allowed: ['admin'],
        request: () => ['POST', '/organisations', { name: unique() }],
      },
      {
        what: 'change node settings',
        allowed: ['admin'],
        request: () => ['PATCH', '/settings', { defaultTlp: 'amber' }],
      },
      {
        what: "change a collection's sharing",
        allowed: ['admin'],
        request: () => ['PATCH', '/collections/default', { public: true }],
      },
      {
        what: 'grant a collection',
        allowed: ['admin'],
        request: () => [
          'PUT',
          '/collections/default/grants',
          { org: 'Gamma', canRead: false, canWrite: false },
        ],
      },
      {
        what: 'add an API root',
        allowed: ['admin'],
        request: () => ['POST', '/api-roots', { path: unique() }],
      },
      { what: 'list the audit log', allowed: ['admin'], request: () => ['GET', '/audit'] },
      { what: 'verify the audit log', allowed: ['admin'], request: () => ['GET', '/audit/verify'] },
    ]

    beforeAll(async () => {
      const created = await call('POST', '/users', {
        as: 'admin',
        body: { name: 'acme-target', org: 'Acme', role: 'reader', password: null },
      })
      expect(created.status).toBe(201)
    })

    for (const { what, allowed, request } of cases) {
      it(`${what}: ${allowed.join(', ')}; 403 for the others`, async () => {
        for (const caller of callers) {
          const [method, path, body] = request()
          const reply = await call(method, path, {
            as: caller,
            ...(body !== undefined ? { body } : {}),
          })
          if (allowed.includes(caller)) {
            expect(reply.status, `${caller}: ${errorMessage(reply)}`).toBeLessThan(300)
          } else {
            expect(reply.status, caller).toBe(403)
          }
        }
      })
    }
  })
}
