/** Admin API routes for the audit log (node admins). */
import { z } from 'zod'
import { AuthorisedAdmin } from '../accounts/admin-service.js'
import { auditActions, auditActorKinds } from '../audit/audit-log.js'
import { AppError } from '../errors.js'
import { timestampToMicros } from '../store/timestamps.js'
import type { AdminRoute } from './route.js'
import { defineRoute, queryInteger, queryString } from './route.js'
import { auditEntrySchema, auditVerificationSchema } from './schemas.js'

function oneOf(name: string, value: string | undefined, values: readonly string[]): void {
  if (value !== undefined && !values.includes(value)) {
    throw new AppError('ADMIN_INVALID_INPUT', {
      detail: `query parameter ${name} must be one of ${values.join(', ')}, got "${value}"`,
    })
  }
}

export const auditRoutes: readonly AdminRoute[] = [
  defineRoute({
    method: 'get',
    path: '/audit',
    operationId: 'listAudit',
    tag: 'audit',
    summary: 'A page of audit entries, oldest first (node admins)',
    description:
      'Page with `after` = the `seq` of the last entry received; `next` is given while more may follow.',
    query: [
      { name: 'after', description: 'only entries after this sequence number', type: 'integer' },
      { name: 'since', description: 'only entries at or after this RFC 3339 time' },
      { name: 'actor', description: 'only entries by this actor id' },
      { name: 'actorKind', description: `one of ${auditActorKinds.join(', ')}` },
      { name: 'action', description: `one of ${auditActions.join(', ')}` },
      { name: 'object', description: 'only entries naming this object id' },
      { name: 'limit', description: 'entries per page, 1 to 1000 (default 100)', type: 'integer' },
    ],
    response: '`{ entries: AuditEntry[], next?: number }`',
    responseBody: z.strictObject({
      entries: z.array(auditEntrySchema),
      next: z.number().int().optional(),
    }),
    handle: async (r) => {
      const since = queryString(r, 'since')
      const sinceMicros = since === undefined ? undefined : timestampToMicros(since)
      if (since !== undefined && sinceMicros === undefined) {
        throw new AppError('ADMIN_INVALID_INPUT', {
          detail: `query parameter since must be an RFC 3339 time, got "${since}"`,
        })
      }
      const actorKind = queryString(r, 'actorKind')
      oneOf('actorKind', actorKind, auditActorKinds)
      const action = queryString(r, 'action')
      oneOf('action', action, auditActions)
      const actorId = queryString(r, 'actor')
      const objectId = queryString(r, 'object')
      const limit = queryInteger(r, 'limit', { min: 1, max: 1000 }) ?? 100
      const entries = await new AuthorisedAdmin(r.store, r.actor, { clock: r.clock }).listAudit({
        afterSeq: queryInteger(r, 'after', { min: 0, max: Number.MAX_SAFE_INTEGER }) ?? 0,
        limit,
        ...(sinceMicros !== undefined ? { sinceMicros } : {}),
        ...(actorKind !== undefined ? { actorKind } : {}),
        ...(action !== undefined ? { action } : {}),
        ...(actorId !== undefined ? { actorId } : {}),
        ...(objectId !== undefined ? { objectId } : {}),
      })
      const last = entries.at(-1)
      return entries.length === limit && last !== undefined
        ? { entries, next: last.seq }
        : { entries }
    },
  }),
  defineRoute({
    method: 'get',
    path: '/audit/verify',
    operationId: 'verifyAudit',
    tag: 'audit',
    summary: 'Check the whole hash chain (node admins)',
    response: '`{ ok: true, entries, head }` or `{ ok: false, entries, broken }`',
    responseBody: auditVerificationSchema,
    handle: (r) => new AuthorisedAdmin(r.store, r.actor, { clock: r.clock }).verifyAudit(),
  }),
]
