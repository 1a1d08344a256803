/**
 * The admin API (issue 5, "Management") as a Hono app under `/api/v1/`: JSON in and out,
 * authenticated like TAXII (HTTP Basic or `Authorization: Bearer <API key>`), authorised by
 * role in the services it calls (`AuthorisedAdmin`, `SharingService`, `explainVisibility`),
 * which also write the audit entries. The app does not listen; `serve` mounts it beside the
 * TAXII app (see `mount.ts`).
 *
 * Errors are `{ "error": { "code", "message" } }` with the status of the code in `errors.ts`:
 * 400 naming the field, 401 with `WWW-Authenticate`, 403, 404, 405 with `Allow`, 409, 413 over
 * a 1 MiB body, 415 for a body that is not JSON, 500 with an id to quote (details only in the
 * log). Unknown query parameters are refused (400), so a typo never silently widens a listing.
 */
import { randomUUID } from 'node:crypto'
import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { adminActorOf, type AdminActor } from '../accounts/admin-service.js'
import type { Authenticator, Principal } from '../accounts/principal.js'
import { AppError } from '../errors.js'
import type { Store } from '../store/store.js'
import { ADMIN_API_BASE } from './base.js'
import { buildOpenApiDocument } from './openapi.js'
import { defineRoute, describeIssues, type AdminRoute } from './route.js'
import { adminRouteModules } from './route-modules.js'

/** Largest request body accepted: 1 MiB. */
export const ADMIN_BODY_LIMIT = 1024 * 1024

/** The challenges sent with every 401 (RFC 7235): the same as TAXII's. */
const WWW_AUTHENTICATE = 'Basic realm="intelmesh", charset="UTF-8", Bearer realm="intelmesh"'

export interface AdminAppDeps {
  store: Store
  authenticator: Authenticator
  /** The current time in microseconds since the epoch (default: the system clock). */
  clock?: () => number
  /** The routes served (default: every module of `route-modules.ts`); the document is added. */
  routes?: readonly AdminRoute[]
  /** The version shown in the OpenAPI document. */
  version?: string
  /** Where unexpected errors are logged (default: standard error). */
  log?: (line: string) => void
  /**
   * Check every answer against its route's `responseBody` schema and answer 500 when one does
   * not match (tests turn it on, so the document and the answers cannot drift apart).
   */
  checkResponses?: boolean
}

/** `/groups/{group}` → `/api/v1/groups/:group` (Hono's syntax). */
export function honoPath(path: string): string {
  return `${ADMIN_API_BASE}${path.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, ':$1')}`
}

function toAppError(error: unknown): AppError {
  return error instanceof AppError ? error : new AppError('ADMIN_INTERNAL', { cause: error })
}

function renderError(c: Context, error: unknown, log: (line: string) => void): Response {
  const appError = toAppError(error)
  let message = appError.detail ?? appError.title
  if (appError.kind === 'server') {
    const errorId = randomUUID()
    const cause = appError.cause ?? appError
    const text = cause instanceof Error ? (cause.stack ?? cause.message) : JSON.stringify(cause)
    log(`admin-api: error ${errorId} on ${c.req.method} ${new URL(c.req.url).pathname}: ${text}`)
    message = `The server failed to process the request; quote error id ${errorId} to its operator.`
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (appError.status === 401) headers['WWW-Authenticate'] = WWW_AUTHENTICATE
  // The rest of an oversize body is not wanted: close rather than drain it for keep-alive.
  if (appError.status === 413) headers['Connection'] = 'close'
  const allow = appError.details?.['allow']
  if (appError.status === 405 && typeof allow === 'string') headers['Allow'] = allow
  return c.body(
    JSON.stringify({ error: { code: appError.code, message } }),
    appError.status as ContentfulStatusCode,
    headers,
  )
}

/** Reads at most `limit` bytes of body as UTF-8 JSON; an empty body reads as `{}`. */
async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const tooLarge = (): AppError =>
    new AppError('ADMIN_PAYLOAD_TOO_LARGE', {
      detail: `the body is larger than ${limit} bytes (the admin API accepts at most 1 MiB)`,
    })
  const declared = request.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limit) {
    throw tooLarge()
  }
  const chunks: Uint8Array[] = []
  let received = 0
  if (request.body) {
    const reader = (request.body as ReadableStream<Uint8Array>).getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      received += value.byteLength
      if (received > limit) {
        await reader.cancel().catch(() => undefined)
        throw tooLarge()
      }
      chunks.push(value)
    }
  }
  if (received === 0) return {}
  const contentType = request.headers.get('content-type') ?? ''
  if (!/^application\/json\s*(;|$)/i.test(contentType.trim())) {
    throw new AppError('ADMIN_UNSUPPORTED_MEDIA_TYPE', {
      detail: `send the body as application/json, not ${contentType === '' ? 'without a Content-Type' : contentType}`,
    })
  }
  const bytes = new Uint8Array(received)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (cause) {
    throw new AppError('ADMIN_INVALID_INPUT', { detail: 'body: not valid UTF-8', cause })
  }
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new AppError('ADMIN_INVALID_INPUT', { detail: `body: not JSON (${reason})`, cause })
  }
}

/** Builds the admin API app over a store and an authenticator; it does not listen. */
export function createAdminApp(deps: AdminAppDeps): Hono {
  const { store, authenticator } = deps
  const clock = deps.clock ?? (() => Date.now() * 1000)
  const log = deps.log ?? ((line: string) => void process.stderr.write(`${line}\n`))
  const version = deps.version ?? '0.0.0'
  const served = deps.routes ?? adminRouteModules.flat()

  const openApiRoute = defineRoute({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    tag: 'meta',
    summary: 'This document (no credentials needed)',
    response: 'the OpenAPI 3.1 document',
    public: true,
    handle: () => Promise.resolve(document),
  })
  const routes: readonly AdminRoute[] = [...served, openApiRoute]
  const seen = new Set<string>()
  for (const route of routes) {
    const key = `${route.method.toUpperCase()} ${route.path}`
    if (seen.has(key)) throw new Error(`admin API: route ${key} is registered twice`)
    seen.add(key)
  }
  const document = buildOpenApiDocument(routes, version)

  const app = new Hono()
  app.onError((error, c) => renderError(c, error, log))
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname
    const hint =
      path.endsWith('/') && path.length > 1 ? '; admin API paths have no trailing "/"' : ''
    return renderError(
      c,
      new AppError('ADMIN_NOT_FOUND', {
        detail: `no admin API route at ${path}${hint} (see ${ADMIN_API_BASE}/openapi.json)`,
      }),
      log,
    )
  })

  async function authenticate(c: Context): Promise<{ principal: Principal; actor: AdminActor }> {
    const outcome = await authenticator.authenticate(c.req.header('Authorization'))
    switch (outcome.kind) {
      case 'anonymous':
        throw new AppError('ADMIN_UNAUTHORIZED', {
          detail: 'send HTTP Basic credentials or an API key as "Authorization: Bearer <key>"',
        })
      case 'rejected':
        throw new AppError('ADMIN_UNAUTHORIZED', { detail: outcome.reason })
      case 'authenticated':
        return {
          principal: outcome.principal,
          actor: await adminActorOf(store, outcome.principal),
        }
    }
  }

  const methodsByPath = new Map<string, string[]>()
  for (const route of routes) {
    const methods = methodsByPath.get(route.path) ?? []
    methods.push(route.method.toUpperCase())
    methodsByPath.set(route.path, methods)
    const known = new Set((route.query ?? []).map((q) => q.name))
    app.on(route.method.toUpperCase(), honoPath(route.path), async (c) => {
      const caller = route.public === true ? undefined : await authenticate(c)
      const query = new URL(c.req.url).searchParams
      const unknown = [...new Set(query.keys())].filter((name) => !known.has(name))
      if (unknown.length > 0) {
        throw new AppError('ADMIN_INVALID_INPUT', {
          detail: `unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}${known.size > 0 ? ` (this route reads ${[...known].join(', ')})` : ''}`,
        })
      }
      const body =
        route.body !== undefined ? await readJsonBody(c.req.raw, ADMIN_BODY_LIMIT) : undefined
      const result = await route.handle({
        principal: caller?.principal,
        actor: caller?.actor,
        params: c.req.param(),
        query,
        body,
        store,
        clock,
        routes,
      })
      if (deps.checkResponses === true && route.responseBody !== undefined) {
        const checked = route.responseBody.safeParse(result)
        if (!checked.success) {
          throw new AppError('ADMIN_INTERNAL', {
            detail: `the answer of ${route.operationId} does not match its documented schema`,
            cause: new Error(
              `${route.operationId} does not match: ${describeIssues(checked.error, 'response')}`,
            ),
          })
        }
      }
      return c.json(result as object, route.status ?? 200)
    })
  }
  for (const [path, methods] of methodsByPath) {
    const allow = methods.join(', ')
    app.all(honoPath(path), () => {
      throw new AppError('ADMIN_METHOD_NOT_ALLOWED', {
        detail: `${path} answers ${allow}`,
        details: { allow },
      })
    })
  }
  return app
}
