/**
 * Named scenarios of issue 5's sharing model, over a real socket against `createTaxiiApp` with
 * the real authenticator, on a given store adapter (`sharing-scenarios-sqlite.test.ts`,
 * `sharing-scenarios-postgres.test.ts`). One node, its own organisation N and three member
 * organisations A, B and C; a sharing group `finance` owned by A with member B.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateApiKey } from '../../src/accounts/api-key.js'
import { createAuthenticator } from '../../src/accounts/authenticator.js'
import { AuditLog, type AuditEntry } from '../../src/audit/audit-log.js'
import type { CollectionGrant, Role, Store } from '../../src/store/store.js'
import { createTaxiiApp } from '../../src/taxii/server/create-taxii-app.js'
import { TLP, envelope, makeIndicator, type StixObject } from '../fixtures/taxii/builders.js'
import { serveApp, type ServedApp } from '../helpers/serve.js'

const TAXII = 'application/taxii+json;version=2.1'
const ALLIANCE = `identity--${randomUUID()}`

interface Actor {
  userId: string
  orgId: string
  keyId: string
  key: string
}

interface Status {
  success_count: number
  failure_count: number
  failures?: { id: string; message?: string }[]
}

export function describeSharingScenarios(
  name: string,
  makeStore: () => Promise<Store>,
  skipReason?: string,
): void {
  if (skipReason) {
    describe.skip(`sharing scenarios over TAXII (${name}) skipped: ${skipReason}`, () => {
      it('needs the store', () => undefined)
    })
    return
  }

  describe(`sharing scenarios over TAXII (${name})`, () => {
    let store: Store
    let served: ServedApp
    const org = { n: '', a: '', b: '', c: '' }
    const identity = { a: '' }
    let nodeAdmin: Actor
    let alice: Actor // analyst, A
    let amy: Actor // reader, A
    let bob: Actor // analyst, B
    let bea: Actor // admin of B (not a node admin)
    let carl: Actor // analyst, C
    let intel: string // read/write for A, B, C
    let open: string // public; A writes
    let groupId: string

    async function makeOrg(label: string): Promise<string> {
      const id = randomUUID()
      await store.createOrganisation({
        id,
        name: `${label}-${id.slice(0, 6)}`,
        identityId: `identity--${id}`,
        createdAt: new Date().toISOString(),
      })
      return id
    }

    async function makeActor(orgId: string, role: Role, peerId: string | null = null) {
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
      const keyId = randomUUID()
      await store.createApiKey({
        id: keyId,
        userId,
        prefix: key.prefix,
        keyHash: key.keyHash,
        label: 'test',
        revoked: false,
        createdAt: new Date().toISOString(),
        lastUsedAt: null,
        peerId,
      })
      return { userId, orgId, keyId, key: key.key }
    }

    async function makeCollection(
      grants: Omit<CollectionGrant, 'collectionId'>[],
      isPublic = false,
    ): Promise<string> {
      const id = randomUUID()
      const root = await store.getApiRootByPath('api1')
      await store.createCollection({
        id,
        apiRootId: root?.id ?? '',
        alias: `c-${id.slice(0, 8)}`,
        title: 'Scenario collection',
        description: null,
        mediaTypes: [],
        defaultDistribution: { scope: 'community', groups: [], recipients: [] },
        public: isPublic,
        createdAt: new Date().toISOString(),
      })
      for (const grant of grants) await store.setCollectionGrant({ collectionId: id, ...grant })
      return id
    }

    const rw = (orgId: string) => ({
      subjectKind: 'org' as const,
      subjectId: orgId,
      canRead: true,
      canWrite: true,
    })

    function call(
      path: string,
      as: Actor | null,
      init: { method?: string; body?: string } = {},
    ): Promise<Response> {
      const headers: Record<string, string> = { Accept: TAXII }
      if (as) headers['Authorization'] = `Bearer ${as.key}`
      if (init.body !== undefined) headers['Content-Type'] = TAXII
      return fetch(`${served.baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
      })
    }

    const objects = (collection: string, rest = '') =>
      `/api1/collections/${collection}/objects/${rest}`

    async function publish(
      as: Actor,
      items: StixObject[],
      params = '',
      collection = intel,
    ): Promise<Status> {
      const response = await call(`${objects(collection)}${params}`, as, {
        method: 'POST',
        body: envelope(items),
      })
      expect(response.status).toBe(202)
      return (await response.json()) as Status
    }

    async function seen(as: Actor | null, collection = intel): Promise<StixObject[]> {
      const response = await call(`${objects(collection)}?match[version]=all`, as)
      expect(response.status).toBe(200)
      const body = (await response.json()) as { objects?: StixObject[] }
      return body.objects ?? []
    }

    async function sees(as: Actor | null, id: unknown, collection = intel): Promise<boolean> {
      return (await seen(as, collection)).some((o) => o['id'] === id)
    }

    /** The error body with its per-response id and the object id taken out. */
    async function errorShape(response: Response, objectId: string) {
      const body = (await response.json()) as Record<string, unknown>
      delete body['error_id']
      return {
        status: response.status,
        body: JSON.stringify(body).replaceAll(objectId, '<id>'),
      }
    }

    async function auditSince(seq: number): Promise<AuditEntry[]> {
      const out: AuditEntry[] = []
      for await (const entry of new AuditLog(store).list()) if (entry.seq > seq) out.push(entry)
      return out
    }

    async function lastSeq(): Promise<number> {
      return (await store.lastAudit())?.seq ?? 0
    }

    beforeAll(async () => {
      store = await makeStore()
      const now = new Date().toISOString()
      await store.createApiRoot({
        id: randomUUID(),
        path: 'api1',
        title: 'Scenario root',
        description: null,
        maxContentLength: 1024 * 1024,
        createdAt: now,
      })
      org.n = await makeOrg('Node')
      org.a = await makeOrg('Acme')
      org.b = await makeOrg('Beta')
      org.c = await makeOrg('Gamma')
      identity.a = `identity--${org.a}`
      await store.setSetting('node.org_id', org.n)
      await store.setSetting('sharing.alliance_identity_id', ALLIANCE)
      nodeAdmin = await makeActor(org.n, 'admin')
      alice = await makeActor(org.a, 'analyst')
      amy = await makeActor(org.a, 'reader')
      bob = await makeActor(org.b, 'analyst')
      bea = await makeActor(org.b, 'admin')
      carl = await makeActor(org.c, 'analyst')
      intel = await makeCollection([rw(org.a), rw(org.b), rw(org.c)])
      open = await makeCollection([rw(org.a)], true)
      groupId = randomUUID()
      await store.createSharingGroup({
        id: groupId,
        name: `finance-${groupId.slice(0, 6)}`,
        ownerOrgId: org.a,
        description: 'Finance sector',
        members: [org.b],
        createdAt: now,
      })
      served = await serveApp(createTaxiiApp({ store, authenticator: createAuthenticator(store) }))
    })

    afterAll(async () => {
      await served?.close()
      await store?.close()
    })

    describe('each TLP level (issue 5, The rule)', () => {
      it('TLP:CLEAR to the community reaches every organisation on the node', async () => {
        const clear = makeIndicator({ object_marking_refs: [TLP.clear] })
        expect((await publish(alice, [clear])).success_count).toBe(1)
        for (const viewer of [alice, bob, carl, nodeAdmin]) {
          expect(await sees(viewer, clear['id'])).toBe(true)
        }
      })

      it('TLP:GREEN distributed to a sharing group reaches its members only', async () => {
        const green = makeIndicator({ object_marking_refs: [TLP.green] })
        await publish(alice, [green], `?groups=${groupId}`)
        expect(await sees(alice, green['id'])).toBe(true)
        expect(await sees(bob, green['id'])).toBe(true)
        expect(await sees(carl, green['id'])).toBe(false)
        expect(await sees(nodeAdmin, green['id'])).toBe(false)
      })

      it('TLP:AMBER (unmarked: the node default) to the community reaches the community', async () => {
        const amber = makeIndicator()
        await publish(bob, [amber])
        for (const viewer of [alice, bob, carl]) expect(await sees(viewer, amber['id'])).toBe(true)
      })

      it('TLP:AMBER+STRICT distributed to the organisation stays with the publisher', async () => {
        const strict = makeIndicator({ object_marking_refs: [TLP.amberStrict] })
        await publish(alice, [strict], '?distribution=organisation')
        expect(await sees(alice, strict['id'])).toBe(true)
        expect(await sees(amy, strict['id'])).toBe(true)
        for (const viewer of [bob, carl, nodeAdmin]) {
          expect(await sees(viewer, strict['id'])).toBe(false)
        }
      })

      it('TLP:RED reaches only its named recipients, and is refused without one', async () => {
        const red = makeIndicator({
          object_marking_refs: [TLP.red],
          x_intelmesh_sharing: { recipients: [org.c] },
        })
        const unnamed = makeIndicator({ object_marking_refs: [TLP.red] })
        const status = await publish(alice, [red, unnamed], '?distribution=federation')
        expect(status.success_count).toBe(1)
        expect(status.failures?.[0]?.id).toBe(unnamed['id'])
        expect(status.failures?.[0]?.message).toMatch(/TLP:RED .*none is named/)
        expect(await sees(alice, red['id'])).toBe(true)
        expect(await sees(carl, red['id'])).toBe(true)
        expect(await sees(bob, red['id'])).toBe(false)
        expect(await sees(nodeAdmin, red['id'])).toBe(false)
      })
    })

    it('removing an organisation from a sharing group takes effect at the next request', async () => {
      const gid = randomUUID()
      await store.createSharingGroup({
        id: gid,
        name: `energy-${gid.slice(0, 6)}`,
        ownerOrgId: org.a,
        description: '',
        members: [org.b, org.c],
        createdAt: new Date().toISOString(),
      })
      const amber = makeIndicator({ object_marking_refs: [TLP.amber] })
      await publish(alice, [amber], `?groups=${gid}`)
      expect(await sees(carl, amber['id'])).toBe(true)
      await store.removeSharingGroupMember(gid, org.c)
      expect(await sees(carl, amber['id'])).toBe(false)
      const byId = await call(objects(intel, `${String(amber['id'])}/`), carl)
      expect(byId.status).toBe(404)
      expect(await sees(bob, amber['id'])).toBe(true)
    })

    it('anonymous publishing: others see the alliance identity, the publisher its own', async () => {
      const anonymous = makeIndicator({ created_by_ref: identity.a })
      await publish(alice, [anonymous], '?anonymous=true')
      const creator = async (as: Actor) =>
        (await seen(as)).find((o) => o['id'] === anonymous['id'])?.['created_by_ref']
      expect(await creator(alice)).toBe(identity.a)
      expect(await creator(amy)).toBe(identity.a)
      expect(await creator(bob)).toBe(ALLIANCE)
      expect(await creator(nodeAdmin)).toBe(ALLIANCE)
      const single = await call(objects(intel, `${String(anonymous['id'])}/`), carl)
      expect(await single.text()).toContain(ALLIANCE)
      const rows = await store.getObjectVersions(intel, String(anonymous['id']))
      expect(rows[0]?.publisherOrgId).toBe(org.a)
      expect(rows[0]?.anonymous).toBe(true)
    })

    it("an organisation's anonymousByDefault applies unless the POST says otherwise", async () => {
      const sharing = await store.getOrganisationSharing(org.c)
      await store.setOrganisationSharing(org.c, { ...sharing, anonymousByDefault: true })
      const byDefault = makeIndicator({ created_by_ref: `identity--${org.c}` })
      const named = makeIndicator({ created_by_ref: `identity--${org.c}` })
      await publish(carl, [byDefault])
      await publish(carl, [named], '?anonymous=false')
      const bobSees = await seen(bob)
      expect(bobSees.find((o) => o['id'] === byDefault['id'])?.['created_by_ref']).toBe(ALLIANCE)
      expect(bobSees.find((o) => o['id'] === named['id'])?.['created_by_ref']).toBe(
        `identity--${org.c}`,
      )
      await store.setOrganisationSharing(org.c, sharing)
    })

    describe('choosing the distribution (object > POST > organisation > collection)', () => {
      it('removes x_intelmesh_sharing before storing, and the object wins over the POST', async () => {
        const own = makeIndicator({ x_intelmesh_sharing: { distribution: 'organisation' } })
        await publish(alice, [own], '?distribution=community')
        const stored = await store.getObjectVersions(intel, String(own['id']))
        expect(stored[0]?.distribution.scope).toBe('organisation')
        expect(stored[0]?.json).not.toContain('x_intelmesh_sharing')
        const mine = (await seen(alice)).find((o) => o['id'] === own['id'])
        expect(mine).toBeDefined()
        expect(mine).not.toHaveProperty('x_intelmesh_sharing')
        expect(await sees(bob, own['id'])).toBe(false)
      })

      it("uses the organisation's default when neither the object nor the POST names one", async () => {
        const sharing = await store.getOrganisationSharing(org.b)
        await store.setOrganisationSharing(org.b, {
          ...sharing,
          defaultDistribution: { scope: 'organisation', groups: [], recipients: [] },
        })
        const plain = makeIndicator()
        await publish(bob, [plain])
        expect(await sees(alice, plain['id'])).toBe(false)
        const wide = makeIndicator()
        await publish(bob, [wide], '?distribution=community')
        expect(await sees(alice, wide['id'])).toBe(true)
        await store.setOrganisationSharing(org.b, sharing)
      })

      it('names unknown groups and recipients in failures; a malformed parameter is a 400', async () => {
        const response = await call(`${objects(intel)}?recipients=NoSuchOrg`, alice, {
          method: 'POST',
          body: envelope([makeIndicator()]),
        })
        expect(response.status).toBe(202)
        const status = (await response.json()) as Status
        expect(status.failure_count).toBe(1)
        expect(status.failures?.[0]?.message).toContain('"NoSuchOrg"')
        const bad = await call(`${objects(intel)}?distribution=everyone`, alice, {
          method: 'POST',
          body: envelope([makeIndicator()]),
        })
        expect(bad.status).toBe(400)
        expect(await bad.text()).toContain('distribution')
        const foreign = makeIndicator({ x_intelmesh_sharing: { groups: ['no-such-group'] } })
        const refused = await publish(carl, [foreign])
        expect(refused.failures?.[0]?.message).toContain('"no-such-group"')
        const misspelt = makeIndicator({ x_intelmesh_sharing: { distribution: 'everyone' } })
        const invalid = await publish(carl, [misspelt])
        expect(invalid.failures?.[0]?.message).toMatch(/x_intelmesh_sharing\.distribution/)
      })

      it('accepts the publishing parameters on POST objects only', async () => {
        const response = await call(`${objects(intel)}?distribution=community`, alice)
        expect(response.status).toBe(400)
      })
    })

    it('refuses what passes a ceiling, naming the ceiling, object and request', async () => {
      const sharing = await store.getOrganisationSharing(org.a)
      await store.setOrganisationSharing(org.a, {
        ...sharing,
        ceilings: { roles: { analyst: { tlp: 'amber', scope: 'community' } }, users: {} },
      })
      const green = makeIndicator({ object_marking_refs: [TLP.green] })
      const amber = makeIndicator({ object_marking_refs: [TLP.amber] })
      const wide = makeIndicator({
        object_marking_refs: [TLP.amber],
        x_intelmesh_sharing: { distribution: 'federation' },
      })
      const status = await publish(alice, [green, amber, wide])
      expect(status.success_count).toBe(1)
      const messages = new Map((status.failures ?? []).map((f) => [f.id, f.message ?? '']))
      expect(messages.get(String(green['id']))).toMatch(/ceiling of role analyst.*TLP:GREEN/)
      expect(messages.get(String(wide['id']))).toMatch(/"federation" is wider than allowed/)
      expect(await store.getObjectVersions(intel, String(green['id']))).toEqual([])
      await store.setOrganisationSharing(org.a, {
        ...sharing,
        ceilings: { roles: { analyst: { tlp: 'red' } }, users: { [alice.userId]: {} } },
      })
      // The user's own ceiling (none) replaces the role's.
      const again = makeIndicator({ object_marking_refs: [TLP.green] })
      expect((await publish(alice, [again])).success_count).toBe(1)
      await store.setOrganisationSharing(org.a, sharing)
    })

    describe('role limits and credentials', () => {
      it('a reader cannot write, even with a can_write grant (403)', async () => {
        const response = await call(objects(intel), amy, {
          method: 'POST',
          body: envelope([makeIndicator()]),
        })
        expect(response.status).toBe(403)
        expect(await response.text()).toContain('reader')
      })

      it('an admin of another organisation has no implicit access; a node admin has', async () => {
        const own = await makeCollection([rw(org.a)])
        expect((await call(`/api1/collections/${own}/`, bea)).status).toBe(404)
        expect((await call(`/api1/collections/${own}/`, nodeAdmin)).status).toBe(200)
        const listed = (await (await call('/api1/collections/', bea)).json()) as {
          collections?: { id: string }[]
        }
        expect(listed.collections?.map((c) => c.id)).not.toContain(own)
      })

      it('a disabled user and a revoked key are refused at once, and audited', async () => {
        const dora = await makeActor(org.c, 'analyst')
        expect((await call(objects(intel), dora)).status).toBe(200)
        const before = await lastSeq()
        await store.setUserDisabled(dora.userId, true)
        expect((await call(objects(intel), dora)).status).toBe(401)
        await store.setUserDisabled(dora.userId, false)
        expect((await call(objects(intel), dora)).status).toBe(200)
        await store.revokeApiKey(dora.keyId)
        const revoked = await call(objects(intel), dora)
        expect(revoked.status).toBe(401)
        expect(revoked.headers.get('www-authenticate')).toContain('Bearer')
        const failures = (await auditSince(before)).filter((e) => e.action === 'login-failure')
        expect(failures.map((e) => e.actor)).toEqual([
          { kind: 'key', id: dora.keyId },
          { kind: 'key', id: dora.keyId },
        ])
        expect(JSON.stringify(failures)).not.toContain(dora.key)
      })
    })

    describe('what an invisible object looks like', () => {
      it('answers 404 with the same body as an absent object: by id, versions and DELETE', async () => {
        const hidden = makeIndicator({ x_intelmesh_sharing: { distribution: 'organisation' } })
        await publish(alice, [hidden])
        const hiddenId = String(hidden['id'])
        const absentId = `indicator--${randomUUID()}`
        for (const [rest, method] of [
          ['', 'GET'],
          ['versions/', 'GET'],
          ['', 'DELETE'],
        ] as const) {
          const invisible = await errorShape(
            await call(objects(intel, `${hiddenId}/${rest}`), bob, { method }),
            hiddenId,
          )
          const absent = await errorShape(
            await call(objects(intel, `${absentId}/${rest}`), bob, { method }),
            absentId,
          )
          expect(invisible.status).toBe(404)
          expect(invisible).toEqual(absent)
        }
        expect(await store.getObjectVersions(intel, hiddenId)).toHaveLength(1)
      })

      it('computes headers and first/last over the visible versions only', async () => {
        const id = `indicator--${randomUUID()}`
        const v1 = makeIndicator({ id, modified: '2026-03-01T00:00:00.000Z' })
        const v2 = makeIndicator({
          id,
          modified: '2026-03-02T00:00:00.000Z',
          x_intelmesh_sharing: { distribution: 'organisation' },
        })
        await publish(alice, [v1])
        await publish(alice, [v2])
        const rows = await store.getObjectVersions(intel, id)
        expect(rows).toHaveLength(2)
        const versions = await call(objects(intel, `${id}/versions/`), bob)
        expect(await versions.json()).toEqual({ more: false, versions: [v1['modified']] })
        expect(versions.headers.get('x-taxii-date-added-last')).toBe(rows[0]?.dateAdded)
        const last = await call(objects(intel, `${id}/?match[version]=last`), bob)
        const body = (await last.json()) as { objects: StixObject[] }
        expect(body.objects.map((o) => o['modified'])).toEqual([v1['modified']])
        expect(last.headers.get('x-taxii-date-added-first')).toBe(rows[0]?.dateAdded)
        const own = await call(objects(intel, `${id}/versions/`), alice)
        expect(own.headers.get('x-taxii-date-added-last')).toBe(rows[1]?.dateAdded)
      })

      it('DELETE by another member is refused (403): nobody erases another organisation’s report', async () => {
        const id = `indicator--${randomUUID()}`
        await publish(alice, [makeIndicator({ id, modified: '2026-04-01T00:00:00.000Z' })])
        expect(await sees(bob, id)).toBe(true)
        expect((await call(objects(intel, `${id}/`), bob, { method: 'DELETE' })).status).toBe(403)
        expect(await store.getObjectVersions(intel, id)).toHaveLength(1)
        expect((await call(objects(intel, `${id}/`), alice, { method: 'DELETE' })).status).toBe(200)
        expect(await store.getObjectVersions(intel, id)).toHaveLength(0)
      })

      it('DELETE by a node admin removes only the versions it sees', async () => {
        const id = `indicator--${randomUUID()}`
        await publish(alice, [makeIndicator({ id, modified: '2026-04-01T00:00:00.000Z' })])
        await publish(alice, [
          makeIndicator({
            id,
            modified: '2026-04-02T00:00:00.000Z',
            x_intelmesh_sharing: { distribution: 'organisation' },
          }),
        ])
        expect((await call(objects(intel, `${id}/`), nodeAdmin, { method: 'DELETE' })).status).toBe(
          200,
        )
        const left = await store.getObjectVersions(intel, id)
        expect(left.map((r) => r.version)).toEqual(['2026-04-02T00:00:00.000Z'])
      })
    })

    describe('public collections', () => {
      it('show unauthenticated readers only TLP:CLEAR distributed to the federation', async () => {
        const shown = makeIndicator({ object_marking_refs: [TLP.clear] })
        const community = makeIndicator({ object_marking_refs: [TLP.clear] })
        const green = makeIndicator({ object_marking_refs: [TLP.green] })
        await publish(alice, [shown, green], '?distribution=federation', open)
        await publish(alice, [community], '?distribution=community', open)
        const ids = (await seen(null, open)).map((o) => o['id'])
        expect(ids).toEqual([shown['id']])
        expect((await call(objects(open, `${String(green['id'])}/`), null)).status).toBe(404)
        const manifest = await call(`/api1/collections/${open}/manifest/`, null)
        expect(manifest.status).toBe(200)
        const listed = (await (await call('/api1/collections/', null)).json()) as {
          collections?: { id: string; can_write: boolean }[]
        }
        expect(listed.collections?.map((c) => c.id)).toEqual([open])
        expect(listed.collections?.[0]?.can_write).toBe(false)
        expect(await sees(bob, community['id'], open)).toBe(true)
      })

      it('still need credentials for everything else', async () => {
        expect((await call(objects(intel), null)).status).toBe(401)
        expect((await call(`/api1/collections/${randomUUID()}/`, null)).status).toBe(401)
        const post = await call(objects(open), null, {
          method: 'POST',
          body: envelope([makeIndicator()]),
        })
        expect(post.status).toBe(401)
        expect((await call(`/api1/status/${randomUUID()}/`, null)).status).toBe(401)
      })
    })

    describe('audit log (issue 5)', () => {
      it('records reads of non-CLEAR content once per request, not reads of CLEAR only', async () => {
        const collection = await makeCollection([rw(org.a), rw(org.b)])
        const clear = makeIndicator({ object_marking_refs: [TLP.clear] })
        await publish(alice, [clear], '', collection)
        let before = await lastSeq()
        await seen(bob, collection)
        expect(await auditSince(before)).toEqual([])
        const amber = makeIndicator({ object_marking_refs: [TLP.amber] })
        const amber2 = makeIndicator({ object_marking_refs: [TLP.amber] })
        await publish(alice, [amber, amber2], '', collection)
        before = await lastSeq()
        await seen(bob, collection)
        const entries = await auditSince(before)
        expect(entries).toHaveLength(1)
        expect(entries[0]).toMatchObject({
          action: 'read',
          actor: { kind: 'key', id: bob.keyId },
          collectionId: collection,
          outcome: 'success',
        })
        expect([...(entries[0]?.objectIds ?? [])].sort()).toEqual(
          [String(amber['id']), String(amber2['id'])].sort(),
        )
      })

      it('records every POST and DELETE with the ids and the outcome, and 403s', async () => {
        const before = await lastSeq()
        const indicator = makeIndicator()
        await publish(alice, [indicator])
        await call(objects(intel, `${String(indicator['id'])}/`), alice, { method: 'DELETE' })
        await call(objects(intel), amy, { method: 'POST', body: envelope([makeIndicator()]) })
        const entries = await auditSince(before)
        expect(entries.map((e) => [e.action, e.outcome])).toEqual([
          ['write', 'success'],
          ['delete', 'success'],
          ['write', 'denied'],
        ])
        expect(entries[0]?.objectIds).toEqual([indicator['id']])
        expect(entries[1]?.objectIds).toEqual([indicator['id']])
        expect(entries[1]?.details['deletedVersions']).toBe(1)
        expect(await new AuditLog(store).verify()).toMatchObject({ ok: true })
      })
    })

    it("a peer node's key writes with the peer as origin and scope federation", async () => {
      const peerId = randomUUID()
      const peer = await makeActor(org.c, 'analyst', peerId)
      const collection = await makeCollection([rw(org.c)])
      const object = makeIndicator({ object_marking_refs: [TLP.green] })
      const status = await publish(peer, [object], '', collection)
      expect(status.success_count).toBe(1)
      const [row] = await store.getObjectVersions(collection, String(object['id']))
      expect(row).toMatchObject({
        originPeer: peerId,
        publisherOrgId: org.c,
        publisherActor: `peer:${peerId}`,
        distribution: { scope: 'federation', groups: [], recipients: [] },
      })
      // The rule never sends a peer back what came from it.
      expect(await sees(peer, object['id'], collection)).toBe(false)
    })
  })
}
