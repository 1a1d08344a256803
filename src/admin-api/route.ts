/**
 * One route of the admin API, described once: the app registers it and the OpenAPI document
 * is built from the same record, so the two cannot drift. `defineRoute` checks the JSON body
 * against its zod schema before the handler runs (400 naming the field otherwise).
 */
import type { z } from 'zod'
import type { AdminActor } from '../accounts/admin-service.js'
import type { Principal } from '../accounts/principal.js'
import { AppError } from '../errors.js'
import type { Store } from '../store/store.js'

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** A query parameter a route reads (documented; any other one is refused with 400). */
export interface QueryParam {
  name: string
  description: string
  type?: 'string' | 'integer' | 'boolean'
  required?: boolean
}

/** What a handler receives. */
export interface AdminRequest<B> {
  /** The authenticated caller (absent only on public routes). */
  principal: Principal | undefined
  /** The caller as the services take it (absent only on public routes). */
  actor: AdminActor | undefined
  /** Path parameters, decoded. */
  params: Readonly<Record<string, string>>
  query: URLSearchParams
  /** The JSON body, checked against the route's schema. */
  body: B
  store: Store
  /** The current time in microseconds since the epoch. */
  clock: () => number
  /** The routes of the app (for the OpenAPI document). */
  routes: readonly AdminRoute[]
}

/** A route as the app and the OpenAPI builder read it. */
export interface AdminRoute {
  method: HttpMethod
  /** OpenAPI path template under `/api/v1`, e.g. `/groups/{group}/members/{org}`. */
  path: string
  operationId: string
  summary: string
  /** Longer text for the OpenAPI document: who may call it, what it changes. */
  description?: string
  tag: string
  query?: readonly QueryParam[]
  /** The request body's schema (JSON). */
  body?: z.ZodType
  /** Status of a success (default 200). */
  status?: 200 | 201
  /** What a success returns, in words. */
  response: string
  /** Its shape (OpenAPI; checked against each answer when the app's `checkResponses` is on). */
  responseBody?: z.ZodType
  /** Served without credentials (the OpenAPI document only). */
  public?: boolean
  handle: (request: AdminRequest<unknown>) => Promise<unknown>
}

type BodyOf<S> = S extends z.ZodType ? z.output<S> : undefined

/** A route with a typed handler; the body is checked against `body` before `handle` runs. */
export interface RouteDefinition<S extends z.ZodType | undefined> extends Omit<
  AdminRoute,
  'handle' | 'body'
> {
  body?: S
  handle: (request: AdminRequest<BodyOf<S>> & { actor: AdminActor }) => Promise<unknown>
}

/** Names the first problems of a zod result, field by field (`body.members[0]: ...`). */
export function describeIssues(error: z.ZodError, root = 'body'): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      return `${root}${path.join('')}: ${issue.message}`
    })
    .join('; ')
}

/** Builds an {@link AdminRoute}; see {@link RouteDefinition}. */
export function defineRoute<S extends z.ZodType | undefined = undefined>(
  definition: RouteDefinition<S>,
): AdminRoute {
  const { handle, body, ...rest } = definition
  return {
    ...rest,
    ...(body !== undefined ? { body } : {}),
    async handle(request) {
      let parsed: unknown = undefined
      if (body !== undefined) {
        const result = body.safeParse(request.body)
        if (!result.success) {
          throw new AppError('ADMIN_INVALID_INPUT', { detail: describeIssues(result.error) })
        }
        parsed = result.data
      }
      if (request.actor === undefined && definition.public !== true) {
        throw new AppError('ADMIN_UNAUTHORIZED', { detail: 'this route needs credentials' })
      }
      return handle({
        ...request,
        body: parsed as BodyOf<S>,
        actor: request.actor as AdminActor,
      })
    },
  }
}

/** A required path parameter (the router guarantees it; the check keeps types honest). */
export function param(request: AdminRequest<unknown>, name: string): string {
  const value = request.params[name]
  if (value === undefined || value === '') {
    throw new AppError('ADMIN_INVALID_INPUT', { detail: `path parameter ${name} is missing` })
  }
  return value
}

/** An optional string query parameter (`undefined` when absent). */
export function queryString(request: AdminRequest<unknown>, name: string): string | undefined {
  const value = request.query.get(name)
  return value === null ? undefined : value
}

/** An optional whole-number query parameter within bounds; 400 naming it otherwise. */
export function queryInteger(
  request: AdminRequest<unknown>,
  name: string,
  bounds: { min: number; max: number },
): number | undefined {
  const text = request.query.get(name)
  if (text === null) return undefined
  const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new AppError('ADMIN_INVALID_INPUT', {
      detail: `query parameter ${name} must be a whole number from ${bounds.min} to ${bounds.max}, got "${text}"`,
    })
  }
  return value
}

/** A required string query parameter; 400 naming it when absent or empty. */
export function requiredQuery(request: AdminRequest<unknown>, name: string): string {
  const value = request.query.get(name)
  if (value === null || value.trim() === '') {
    throw new AppError('ADMIN_INVALID_INPUT', { detail: `query parameter ${name} is required` })
  }
  return value
}
