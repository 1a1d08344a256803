/**
 * The audit log's SQL, shared by both adapters: its columns, reading a row, the filter of
 * `listAudit`, and the check that sealed records continue the log.
 */
import { AppError } from '../../errors.js'
import type { AuditFilter, AuditRecord } from '../store.js'
import type { SqlDialect } from './object-rows.js'

/** Columns of `audit_log`, in the order rows are inserted and selected. */
export const auditColumns = [
  'seq',
  'ts',
  'ts_micros',
  'actor_kind',
  'actor_id',
  'action',
  'object_ids',
  'collection_id',
  'outcome',
  'details',
  'prev_hash',
  'hash',
] as const

export const auditSelect = auditColumns.join(', ')

/** Reads a row selected as an array of `auditColumns`. */
export function arrayToAudit(r: readonly unknown[]): AuditRecord {
  return {
    seq: Number(r[0]),
    ts: String(r[1]),
    tsMicros: Number(r[2]),
    actorKind: String(r[3]),
    actorId: String(r[4]),
    action: String(r[5]),
    objectIds: String(r[6]),
    // Anything but SQL NULL is read as text, so that a changed value always shows in the hash.
    collectionId: r[7] === null || r[7] === undefined ? null : asText(r[7]),
    outcome: String(r[8]),
    details: String(r[9]),
    prevHash: String(r[10]),
    hash: String(r[11]),
  }
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8')
  return JSON.stringify(value) ?? ''
}

/** The values of one record, in `auditColumns` order. */
export function auditValues(r: AuditRecord): unknown[] {
  return [
    r.seq,
    r.ts,
    r.tsMicros,
    r.actorKind,
    r.actorId,
    r.action,
    r.objectIds,
    r.collectionId,
    r.outcome,
    r.details,
    r.prevHash,
    r.hash,
  ]
}

/**
 * Throws AUDIT_INVALID_ENTRY unless `records` continue the log after `last`: consecutive
 * sequence numbers from `last.seq + 1` (or 1), the first linked to `last.hash`.
 */
export function checkContinuation(last: AuditRecord | undefined, records: AuditRecord[]): void {
  let seq = (last?.seq ?? 0) + 1
  for (const [i, r] of records.entries()) {
    if (r.seq !== seq) {
      throw new AppError('AUDIT_INVALID_ENTRY', {
        detail: `record ${i} of the append has sequence number ${r.seq}, expected ${seq}`,
      })
    }
    seq++
  }
  const first = records[0]
  if (first && last && first.prevHash !== last.hash) {
    throw new AppError('AUDIT_INVALID_ENTRY', {
      detail: `entry ${first.seq} does not link to the hash of entry ${last.seq}`,
    })
  }
}

/**
 * How a dialect tests that a JSON array text holds a string: a case-sensitive substring search
 * for the quoted string (exact, since the audit service allows no quote, backslash or comma in
 * object ids).
 */
export type ContainsText = (params: unknown[], column: string, needle: string) => string

export const sqliteContains: ContainsText = (params, column, needle) => {
  params.push(needle)
  return `instr(${column}, ?) > 0`
}

export const postgresContains: ContainsText = (params, column, needle) => {
  params.push(needle)
  return `strpos(${column}, $${params.length}) > 0`
}

/** The `SELECT` of one page of `listAudit`, with its parameters pushed onto `params`. */
export function auditPageSql(
  dialect: SqlDialect,
  contains: ContainsText,
  params: unknown[],
  filter: AuditFilter,
): string {
  const where: string[] = []
  if (filter.afterSeq !== undefined) {
    where.push(`seq > ${dialect.param(params, Math.trunc(filter.afterSeq))}`)
  }
  if (filter.sinceMicros !== undefined) {
    where.push(`ts_micros >= ${dialect.param(params, Math.trunc(filter.sinceMicros))}`)
  }
  if (filter.actorId !== undefined)
    where.push(`actor_id = ${dialect.param(params, filter.actorId)}`)
  if (filter.actorKind !== undefined) {
    where.push(`actor_kind = ${dialect.param(params, filter.actorKind)}`)
  }
  if (filter.action !== undefined) where.push(`action = ${dialect.param(params, filter.action)}`)
  if (filter.objectId !== undefined) {
    where.push(contains(params, 'object_ids', JSON.stringify(filter.objectId)))
  }
  const limit = dialect.param(params, Math.max(0, Math.trunc(filter.limit)))
  const condition = where.length ? ` WHERE ${where.join(' AND ')}` : ''
  return `SELECT ${auditSelect} FROM audit_log${condition} ORDER BY seq LIMIT ${limit}`
}
