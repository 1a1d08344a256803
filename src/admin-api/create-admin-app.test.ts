import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Authenticator } from '../accounts/principal.js'
import type { Store } from '../store/store.js'
import { accountRoutes } from './account-routes.js'
import { auditRoutes } from './audit-routes.js'
import { ADMIN_API_BASE } from './base.js'
import { createAdminApp, honoPath } from './create-admin-app.js'
import { pathParameters } from './openapi.js'
import { defineRoute, type AdminRoute } from './route.js'
import { adminRouteModules } from './route-modules.js'
import { sharingRoutes } from './sharing-routes.js'

// The document and the routing never reach the store or the authenticator.
const store = {} as Store
const authenticator: Authenticator = {
  authenticate: () => Promise.resolve({ kind: 'anonymous' }),
}

type Doc = {
  paths: Record<
    string,
    Record<string, { operationId: string; parameters?: { name: string; in: string }[] }>
  >
}

async function documentOf(app: ReturnType<typeof createAdminApp>): Promise<Doc> {
  const response = await app.request(`${ADMIN_API_BASE}/openapi.json`)
  expect(response.status).toBe(200)
  return (await response.json()) as Doc
}

/** The method/path pairs the Hono app answers (405 fallbacks excluded), in OpenAPI syntax. */
function registered(app: ReturnType<typeof createAdminApp>): string[] {
  return app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => {
      const path = r.path.slice(ADMIN_API_BASE.length).replace(/:([A-Za-z0-9_]+)/g, '{$1}')
      return `${r.method.toLowerCase()} ${path}`
    })
}

function documented(doc: Doc): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method} ${path}`),
  )
}

describe('GET /api/v1/openapi.json', () => {
  it('documents every registered route and nothing else', async () => {
    const app = createAdminApp({ store, authenticator })
    const doc = await documentOf(app)
    expect([...new Set(registered(app))].sort()).toEqual(documented(doc).sort())
    expect(documented(doc).length).toBe(adminRouteModules.flat().length + 1)
  })

  it('declares each path parameter of each route once, and unique operation ids', async () => {
    const doc = await documentOf(createAdminApp({ store, authenticator }))
    const ids = new Set<string>()
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const operation of Object.values(item)) {
        expect(ids.has(operation.operationId), operation.operationId).toBe(false)
        ids.add(operation.operationId)
        const declared = (operation.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
        expect(declared, path).toEqual(pathParameters(path))
      }
    }
  })

  it('picks up a route module added by another area (the registration hook)', async () => {
    const extra: AdminRoute = defineRoute({
      method: 'get',
      path: '/test-extra',
      operationId: 'extraForTest',
      tag: 'peers',
      summary: 'test',
      response: 'test',
      handle: () => Promise.resolve({ peers: [] }),
    })
    const app = createAdminApp({
      store,
      authenticator,
      routes: [...adminRouteModules.flat(), extra],
    })
    const doc = await documentOf(app)
    expect(doc.paths['/test-extra']?.['get']?.operationId).toBe('extraForTest')
    expect(registered(app)).toContain('get /test-extra')
  })

  it('refuses a route table that registers the same method and path twice', () => {
    const routes = adminRouteModules.flat()
    const first = routes[0]
    if (first === undefined) throw new Error('no routes')
    expect(() => createAdminApp({ store, authenticator, routes: [...routes, first] })).toThrow(
      /registered twice/,
    )
  })
})

describe('createAdminApp checkResponses', () => {
  const route = (answer: unknown): AdminRoute =>
    defineRoute({
      method: 'get',
      path: '/thing',
      operationId: 'getThing',
      tag: 'test',
      summary: 'test',
      response: 'a thing',
      responseBody: z.strictObject({ name: z.string() }),
      public: true,
      handle: () => Promise.resolve(answer),
    })

  it('answers 500 when an answer does not match its documented schema, 200 when it does', async () => {
    const logged: string[] = []
    const leaky = createAdminApp({
      store,
      authenticator,
      routes: [route({ name: 'x', keyHash: 'secret' })],
      checkResponses: true,
      log: (line) => logged.push(line),
    })
    const refused = await leaky.request(`${ADMIN_API_BASE}/thing`)
    expect(refused.status).toBe(500)
    expect(await refused.text()).not.toContain('secret')
    expect(logged.join('\n')).toMatch(/getThing does not match[\s\S]*keyHash/)
    const fine = createAdminApp({
      store,
      authenticator,
      routes: [route({ name: 'x' })],
      checkResponses: true,
    })
    expect(await (await fine.request(`${ADMIN_API_BASE}/thing`)).json()).toEqual({ name: 'x' })
  })

  it('documents a response schema for every account, sharing and audit route', async () => {
    const routes = [...accountRoutes, ...sharingRoutes, ...auditRoutes]
    const doc = (await (
      await createAdminApp({ store, authenticator, routes }).request(
        `${ADMIN_API_BASE}/openapi.json`,
      )
    ).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<
              string,
              { content: { 'application/json': { schema: Record<string, unknown> } } }
            >
          }
        >
      >
    }
    for (const [path, item] of Object.entries(doc.paths)) {
      if (path === '/openapi.json') continue
      for (const [method, operation] of Object.entries(item)) {
        const success = operation.responses['200'] ?? operation.responses['201']
        const schema = success?.content['application/json'].schema ?? {}
        expect(schema['properties'] ?? schema['anyOf'], `${method} ${path}`).toBeDefined()
      }
    }
  })
})

describe('honoPath', () => {
  it('turns OpenAPI templates into Hono paths under /api/v1', () => {
    expect(honoPath('/groups/{group}/members/{org}')).toBe('/api/v1/groups/:group/members/:org')
  })
})
