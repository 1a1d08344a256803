/**
 * The OpenAPI 3.1 document of the admin API, built from the route table the app registers
 * (`GET /api/v1/openapi.json`): paths, path and query parameters, request bodies as JSON Schema
 * from the routes' zod schemas, and the error responses every route may give.
 */
import { z } from 'zod'
import { ADMIN_API_BASE } from './base.js'
import type { AdminRoute } from './route.js'

type Json = { [key: string]: unknown }

/** `{name}` segments of an OpenAPI path template, in order. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)\}/g)].map((m) => m[1] ?? '')
}

const errorResponse = (description: string): Json => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
})

function operation(route: AdminRoute): Json {
  const parameters: Json[] = [
    ...pathParameters(route.path).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    })),
    ...(route.query ?? []).map((q) => ({
      name: q.name,
      in: 'query',
      required: q.required === true,
      description: q.description,
      schema: { type: q.type ?? 'string' },
    })),
  ]
  const responses: Json = {
    [String(route.status ?? 200)]: {
      description: route.response,
      content: {
        'application/json': {
          schema:
            route.responseBody !== undefined
              ? z.toJSONSchema(route.responseBody, { io: 'output' })
              : { type: 'object' },
        },
      },
    },
    '400': errorResponse('A bad parameter or body; the message names the field'),
  }
  if (route.public !== true) {
    responses['401'] = errorResponse('No, wrong, disabled or revoked credentials')
    responses['403'] = errorResponse("The caller's role does not allow it")
    responses['404'] = errorResponse('Unknown organisation, user, key, group or collection')
    responses['409'] = errorResponse('The name is taken')
  }
  if (route.body !== undefined) {
    responses['413'] = errorResponse('The body is larger than 1 MiB')
    responses['415'] = errorResponse('The body is not application/json')
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description !== undefined ? { description: route.description } : {}),
    tags: [route.tag],
    ...(route.public === true ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body !== undefined
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: z.toJSONSchema(route.body, { io: 'input' }) },
            },
          },
        }
      : {}),
    responses,
  }
}

/** The OpenAPI 3.1 document describing exactly `routes`. */
export function buildOpenApiDocument(routes: readonly AdminRoute[], version: string): Json {
  const paths: Record<string, Json> = {}
  for (const route of routes) {
    const item = (paths[route.path] ??= {})
    item[route.method] = operation(route)
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'intelmesh admin API',
      version,
      description:
        'Organisations, users, API keys, sharing groups, organisation sharing, collections and grants, node settings, sharing explanations and the audit log. JSON in and out; errors are { "error": { "code", "message" } }.',
    },
    servers: [{ url: ADMIN_API_BASE }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    security: [{ basic: [] }, { bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic' },
        bearer: { type: 'http', scheme: 'bearer', description: 'an intelmesh API key' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', description: 'a code of docs/errors.md' },
                message: { type: 'string' },
              },
            },
          },
        },
      },
    },
  }
}
