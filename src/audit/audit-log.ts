/**
 * The audit log service: appends checked events to the store's hash chain, lists them, and
 * verifies the chain, reading the log in pages so that its length never matters.
 */
import { AppError } from '../errors.js'
import type { AuditRecord, Store } from '../store/store.js'
import { microsToTimestamp, nowMicros } from '../store/timestamps.js'
import {
  AuditChainVerifier,
  canonicalJson,
  sealAuditRecords,
  type AuditAnchor,
  type AuditBreak,
  type UnsealedAuditRecord,
} from './audit-chain.js'

/** Who acted: a user, an API key, a peer node, the node itself, or an unidentified caller. */
export const auditActorKinds = ['user', 'key', 'peer', 'system', 'anonymous'] as const
export type AuditActorKind = (typeof auditActorKinds)[number]

/** What was done (issue 5: reads of non-CLEAR content, writes, deletes, sharing changes, failed logins, administration). */
export const auditActions = [
  'read',
  'write',
  'delete',
  'share-change',
  'login-failure',
  'admin-change',
] as const
export type AuditAction = (typeof auditActions)[number]

/** How it ended: done, refused by a rule, or failed. */
export const auditOutcomes = ['success', 'denied', 'failure'] as const
export type AuditOutcome = (typeof auditOutcomes)[number]

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** One thing to record. */
export interface AuditEvent {
  actor: { kind: AuditActorKind; id: string }
  action: AuditAction
  /** The objects concerned (STIX ids, or the ids of users, keys, groups...). */
  objectIds?: readonly string[]
  collectionId?: string | null
  outcome: AuditOutcome
  /** Anything more worth keeping (a JSON object). */
  details?: { [key: string]: JsonValue }
  /** When it happened, in microseconds since the epoch (default: the log's clock). */
  atMicros?: number
}

/** An entry as listed: the stored record with its JSON fields read. */
export interface AuditEntry {
  seq: number
  ts: string
  actor: { kind: string; id: string }
  action: string
  objectIds: string[]
  collectionId: string | null
  outcome: string
  details: Record<string, unknown>
  prevHash: string
  hash: string
}

/** Which entries `list` returns: every condition given must hold. */
export interface AuditListFilter {
  /** At or after this instant (microseconds since the epoch). */
  sinceMicros?: number
  actorId?: string
  actorKind?: string
  action?: string
  objectId?: string
  /** Most entries in all (default: no limit). */
  limit?: number
}

/** The outcome of {@link AuditLog.verify}. */
export type AuditVerification =
  | { ok: true; entries: number; head: AuditAnchor | undefined }
  | { ok: false; entries: number; broken: AuditBreak }

export interface AuditLogOptions {
  /** The clock, in microseconds since the epoch. */
  now?: () => number
  /** Entries read per query when listing and verifying (default 1000). */
  pageSize?: number
}

/** Longest actor id kept; a longer one (say, a user name tried at login) is cut. */
export const MAX_ACTOR_ID = 256
const MAX_OBJECT_ID = 512
const MAX_DETAILS_DEPTH = 32
// A quote, backslash or comma would let an object-id search match inside another id.
const OBJECT_ID = /^[^\s",\\\p{Cc}]+$/u

/** The append-only, hash-chained audit log over a store. */
export class AuditLog {
  private readonly now: () => number
  private readonly pageSize: number

  constructor(
    private readonly store: Store,
    options: AuditLogOptions = {},
  ) {
    this.now = options.now ?? nowMicros
    this.pageSize = checkPageSize(options.pageSize ?? 1000)
  }

  /**
   * Appends the events, in order, as one transaction: all are recorded or none. Throws
   * AUDIT_INVALID_ENTRY naming the field when an event is malformed.
   */
  async append(events: AuditEvent | readonly AuditEvent[]): Promise<AuditEntry[]> {
    const list: readonly AuditEvent[] = Array.isArray(events) ? events : [events as AuditEvent]
    if (list.length === 0) return []
    const now = this.now()
    const unsealed = list.map((event, i) => encodeEvent(event, now, i))
    const records = await this.store.appendAudit((last) => sealAuditRecords(unsealed, last))
    return records.map(toAuditEntry)
  }

  /** Entries matching `filter`, oldest first, read a page at a time. */
  async *list(filter: AuditListFilter = {}): AsyncGenerator<AuditEntry> {
    let remaining = filter.limit ?? Number.POSITIVE_INFINITY
    let afterSeq = 0
    while (remaining > 0) {
      const page = await this.store.listAudit({
        afterSeq,
        limit: Math.min(this.pageSize, remaining),
        ...(filter.sinceMicros !== undefined ? { sinceMicros: filter.sinceMicros } : {}),
        ...(filter.actorId !== undefined ? { actorId: filter.actorId } : {}),
        ...(filter.actorKind !== undefined ? { actorKind: filter.actorKind } : {}),
        ...(filter.action !== undefined ? { action: filter.action } : {}),
        ...(filter.objectId !== undefined ? { objectId: filter.objectId } : {}),
      })
      for (const record of page) yield toAuditEntry(record)
      const last = page.at(-1)
      if (!last || page.length < Math.min(this.pageSize, remaining)) return
      afterSeq = last.seq
      remaining -= page.length
    }
  }

  /**
   * Walks the whole chain from entry 1 and returns OK with the head, or the first broken entry
   * and why. `anchors` are positions recorded earlier: each must still be in the chain with the
   * same hash (this is what detects removed newest entries).
   */
  async verify(anchors: readonly AuditAnchor[] = []): Promise<AuditVerification> {
    const verifier = new AuditChainVerifier(anchors)
    const read = (afterSeq: number): Promise<AuditRecord[]> =>
      this.store.listAudit({ afterSeq, limit: this.pageSize })
    let page = await read(0)
    while (page.length) {
      const last = page.at(-1)
      // The next page is read before this one is checked: a reordering across the boundary is
      // then named as such. Two pages at most are held.
      const next = last && page.length === this.pageSize ? await read(last.seq) : []
      const broken = verifier.check(page, next)
      if (broken) return { ok: false, entries: verifier.entries, broken }
      page = next
    }
    const broken = verifier.finish()
    if (broken) return { ok: false, entries: verifier.entries, broken }
    return { ok: true, entries: verifier.entries, head: verifier.head }
  }
}

function checkPageSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new AppError('AUDIT_INVALID_ENTRY', {
      detail: `page size must be a positive integer, got ${size}`,
    })
  }
  return size
}

function invalid(index: number, detail: string): AppError {
  return new AppError('AUDIT_INVALID_ENTRY', { detail: `event ${index}: ${detail}` })
}

function oneOf<T extends string>(
  values: readonly T[],
  value: unknown,
  index: number,
  field: string,
): T {
  const found = values.find((v) => v === value)
  if (found === undefined) {
    throw invalid(
      index,
      `${field} must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`,
    )
  }
  return found
}

/** Checks an event and turns it into the stored fields (canonical JSON texts included). */
function encodeEvent(event: AuditEvent, nowMicrosValue: number, i: number): UnsealedAuditRecord {
  const actorKind = oneOf(auditActorKinds, event.actor.kind, i, 'actor.kind')
  if (typeof event.actor.id !== 'string' || event.actor.id === '') {
    throw invalid(i, 'actor.id must be a non-empty string')
  }
  const actorId = [...event.actor.id].slice(0, MAX_ACTOR_ID).join('')
  const action = oneOf(auditActions, event.action, i, 'action')
  const outcome = oneOf(auditOutcomes, event.outcome, i, 'outcome')
  const objectIds = event.objectIds ?? []
  for (const [n, id] of objectIds.entries()) {
    if (typeof id !== 'string' || id.length > MAX_OBJECT_ID || !OBJECT_ID.test(id)) {
      throw invalid(
        i,
        `objectIds[${n}] ${JSON.stringify(id)} must be 1 to ${MAX_OBJECT_ID} characters without spaces, quotes, backslashes, commas or control characters`,
      )
    }
  }
  const collectionId = event.collectionId ?? null
  if (collectionId !== null && (typeof collectionId !== 'string' || collectionId === '')) {
    throw invalid(i, 'collectionId must be a non-empty string or null')
  }
  const details = event.details ?? {}
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw invalid(i, 'details must be a JSON object')
  }
  checkJson(details, 'details', 0, i)
  const micros = event.atMicros ?? nowMicrosValue
  // Up to year 9999: RFC 3339 has four-digit years.
  if (!Number.isSafeInteger(micros) || micros < 0 || micros >= 253_402_300_800_000_000) {
    throw invalid(
      i,
      `atMicros must be whole microseconds since 1970 before year 10000, got ${micros}`,
    )
  }
  return {
    ts: microsToTimestamp(micros),
    tsMicros: micros,
    actorKind,
    actorId,
    action,
    objectIds: canonicalJson([...objectIds]),
    collectionId,
    outcome,
    details: canonicalJson(details),
  }
}

/** Throws unless `value` is plain JSON (finite numbers, no undefined, no cycles, bounded depth). */
function checkJson(value: unknown, path: string, depth: number, i: number): void {
  if (depth > MAX_DETAILS_DEPTH)
    throw invalid(i, `${path} is nested deeper than ${MAX_DETAILS_DEPTH}`)
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) throw invalid(i, `${path} is ${value}, not a JSON number`)
      return
    case 'object':
      if (value === null) return
      if (Array.isArray(value)) {
        value.forEach((item, n) => checkJson(item, `${path}[${n}]`, depth + 1, i))
        return
      }
      if (
        Object.getPrototypeOf(value) !== Object.prototype &&
        Object.getPrototypeOf(value) !== null
      ) {
        throw invalid(i, `${path} is not a plain JSON object`)
      }
      for (const [key, item] of Object.entries(value)) {
        checkJson(item, `${path}.${key}`, depth + 1, i)
      }
      return
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw invalid(i, `${path} is ${typeof value}, not JSON`)
  }
}

/** Reads a stored record for listing (a field that does not parse is shown as its raw text). */
export function toAuditEntry(r: AuditRecord): AuditEntry {
  return {
    seq: r.seq,
    ts: r.ts,
    actor: { kind: r.actorKind, id: r.actorId },
    action: r.action,
    objectIds: parseIds(r.objectIds),
    collectionId: r.collectionId,
    outcome: r.outcome,
    details: parseDetails(r.details),
    prevHash: r.prevHash,
    hash: r.hash,
  }
}

function parseIds(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text)
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value
  } catch {
    // Shown raw below.
  }
  return [text]
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>
    }
  } catch {
    // Shown raw below.
  }
  return { unparsed: text }
}
