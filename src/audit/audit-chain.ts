/**
 * The audit log's hash chain, as pure functions: the canonical encoding of an entry, sealing new
 * entries onto the chain, and checking a chain page by page.
 *
 * Each entry's hash is the SHA-256 (hex) of its canonical JSON (RFC 8785, via `canonicalize`):
 * `{ seq, ts, actor_kind, actor_id, action, object_ids, collection_id, outcome, details,
 * prev_hash }`, where `object_ids` and `details` are the JSON texts exactly as stored and
 * `prev_hash` is the previous entry's hash (for entry 1, {@link GENESIS_HASH}). Changing any
 * stored field of an entry changes its hash; changing the hash too breaks the next entry's
 * link; removing an entry leaves a gap in the sequence numbers or breaks a link.
 *
 * What a chain alone cannot show is the removal of its newest entries. For that, record the
 * head (`seq` and `hash`) printed by `intelmesh audit verify` somewhere else, and pass it back
 * later as an anchor.
 */
import { createHash } from 'node:crypto'
import canonicalizeModule from 'canonicalize'
import type { AuditRecord } from '../store/store.js'
import { timestampToMicros } from '../store/timestamps.js'

type Canonicalize = (input: unknown) => string | undefined
// canonicalize 2 is CommonJS with a `default` in its typings: under NodeNext the import is typed
// as the module object, while Node hands ESM the function itself. Accept both.
const loaded: unknown = canonicalizeModule
const canonicalize: Canonicalize =
  typeof loaded === 'function'
    ? (loaded as Canonicalize)
    : (loaded as { default: Canonicalize }).default

/** A primitive whose RFC 8785 form is exactly its `JSON.stringify` (section 3.2.2). */
function isPlainPrimitive(value: unknown): boolean {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  )
}

/**
 * The canonical JSON of the two shapes every audit entry is made of, without the general
 * library's per-value recursion: an array of primitives, and an object whose values are
 * primitives (keys sorted by UTF-16 code units, RFC 8785 section 3.2.3). RFC 8785 serialises
 * strings and numbers as ECMAScript's `JSON.stringify` does, and adds no whitespace, so for these
 * shapes it is `JSON.stringify` with sorted keys. Undefined for any other shape.
 */
function flatCanonicalJson(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    return value.every(isPlainPrimitive) ? JSON.stringify(value) : undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  if (Object.getPrototypeOf(value) !== Object.prototype) return undefined
  const entries = Object.entries(value)
  if (!entries.every(([, v]) => isPlainPrimitive(v))) return undefined
  // `<` on strings compares UTF-16 code units, as section 3.2.3 asks. The text is built here,
  // not by stringifying an object: objects put integer-like keys first, whatever their order.
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`
}

/** RFC 8785 canonical JSON of plain JSON data (checked by the caller). @internal */
export function canonicalJson(value: unknown): string {
  const text = flatCanonicalJson(value) ?? canonicalize(value)
  if (text === undefined) throw new TypeError('canonical JSON of undefined')
  return text
}

/** The `prev_hash` of entry 1: no entry came before it. */
export const GENESIS_HASH = '0'.repeat(64)

/** An entry's fields before it has a place in the chain. */
export type UnsealedAuditRecord = Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>

/** The canonical JSON text an entry's hash is computed over. */
export function auditHashInput(r: Omit<AuditRecord, 'hash' | 'tsMicros'>): string {
  return canonicalJson({
    seq: r.seq,
    ts: r.ts,
    actor_kind: r.actorKind,
    actor_id: r.actorId,
    action: r.action,
    object_ids: r.objectIds,
    collection_id: r.collectionId,
    outcome: r.outcome,
    details: r.details,
    prev_hash: r.prevHash,
  })
}

/** The hash of an entry (SHA-256 of {@link auditHashInput}, lower-case hex). */
export function auditHash(r: Omit<AuditRecord, 'hash' | 'tsMicros'>): string {
  return createHash('sha256').update(auditHashInput(r), 'utf8').digest('hex')
}

/**
 * Gives `entries` their place after `last` (undefined for an empty log): consecutive sequence
 * numbers, each linked to the hash of the one before.
 */
export function sealAuditRecords(
  entries: readonly UnsealedAuditRecord[],
  last: Pick<AuditRecord, 'seq' | 'hash'> | undefined,
): AuditRecord[] {
  let seq = last?.seq ?? 0
  let prevHash = last?.hash ?? GENESIS_HASH
  return entries.map((entry) => {
    seq++
    const unhashed = { ...entry, seq, prevHash }
    const record: AuditRecord = { ...unhashed, hash: auditHash(unhashed) }
    prevHash = record.hash
    return record
  })
}

/**
 * Why an entry breaks the chain:
 * - `missing`: entries are absent (a gap in sequence numbers, or the log does not start at 1);
 * - `edited`: the entry's stored fields no longer give its stored hash;
 * - `reordered`: it links to another entry of the log than the one before it;
 * - `relinked`: it links to no entry seen (the entry before it was rewritten and re-hashed, or
 *   removed and the rest renumbered);
 * - `truncated`: an anchor names an entry past the end of the log;
 * - `rewritten`: an anchored entry has another hash than the one recorded (the chain was
 *   rebuilt from there on).
 */
export type AuditBreakReason =
  'missing' | 'edited' | 'reordered' | 'relinked' | 'truncated' | 'rewritten'

/** The first entry at which a chain is broken. */
export interface AuditBreak {
  /** The sequence number of the first broken (or first missing) entry. */
  seq: number
  reason: AuditBreakReason
  message: string
}

/** A chain position recorded earlier (e.g. the head printed by `intelmesh audit verify`). */
export interface AuditAnchor {
  seq: number
  hash: string
}

/** Recent hashes kept to tell a reordered entry from a rewritten one. */
const RECENT_HASHES = 4096

/**
 * Checks a chain fed in order, one page at a time, keeping only a bounded window of recent
 * hashes: a log of any length is checked in constant memory.
 */
export class AuditChainVerifier {
  private expectedSeq = 1
  private prevHash = GENESIS_HASH
  private checked = 0
  private readonly recent = new Map<string, number>()
  private readonly anchors: Map<number, string>
  private broken: AuditBreak | undefined

  constructor(anchors: readonly AuditAnchor[] = []) {
    this.anchors = new Map(anchors.map((a) => [a.seq, a.hash.toLowerCase()]))
  }

  /** How many entries have passed. */
  get entries(): number {
    return this.checked
  }

  /** The last entry that passed, or undefined when none has. */
  get head(): AuditAnchor | undefined {
    return this.checked ? { seq: this.expectedSeq - 1, hash: this.prevHash } : undefined
  }

  /**
   * Checks the next page (entries by ascending `seq`, continuing the previous page) and returns
   * the first break, if any; after a break, later calls return the same break. `lookahead`, the
   * page after this one when known, only helps name a reordering across the page boundary.
   */
  check(
    page: readonly AuditRecord[],
    lookahead: readonly AuditRecord[] = [],
  ): AuditBreak | undefined {
    if (this.broken) return this.broken
    let nearby: Map<string, number> | undefined
    for (const r of page) {
      const problem = this.checkOne(r, () => {
        nearby ??= new Map([...page, ...lookahead].map((e) => [e.hash, e.seq]))
        return nearby
      })
      if (problem) {
        this.broken = problem
        return problem
      }
    }
    return undefined
  }

  /** Ends the check: a break already found, or one for an anchor past the end of the log. */
  finish(): AuditBreak | undefined {
    if (this.broken) return this.broken
    for (const seq of [...this.anchors.keys()].sort((a, b) => a - b)) {
      if (seq >= this.expectedSeq) {
        this.broken = {
          seq,
          reason: 'truncated',
          message: `entry ${seq}, recorded as an anchor, is missing: the log ends at entry ${this.expectedSeq - 1} (its newest entries were removed)`,
        }
        return this.broken
      }
    }
    return undefined
  }

  private checkOne(r: AuditRecord, nearby: () => Map<string, number>): AuditBreak | undefined {
    const seq = this.expectedSeq
    if (r.seq !== seq) {
      if (r.seq > seq) {
        const range = r.seq - 1 === seq ? `entry ${seq} is` : `entries ${seq} to ${r.seq - 1} are`
        return { seq, reason: 'missing', message: `${range} missing (deleted)` }
      }
      return {
        seq: r.seq,
        reason: 'reordered',
        message: `entry ${r.seq} comes after entry ${seq - 1}: entries are out of order`,
      }
    }
    if (r.prevHash !== this.prevHash) {
      const other = this.recent.get(r.prevHash) ?? nearby().get(r.prevHash)
      if (other !== undefined && other !== seq) {
        return {
          seq,
          reason: 'reordered',
          message: `entry ${seq} links to entry ${other}, not to entry ${seq - 1}: entries were moved`,
        }
      }
      const before = seq === 1 ? 'the genesis value' : `the hash of entry ${seq - 1}`
      return {
        seq,
        reason: 'relinked',
        message: `entry ${seq} does not link to ${before}: ${seq === 1 ? 'earlier entries were removed or entry 1 was replaced' : `entry ${seq - 1} was rewritten, or an entry between them was removed and the rest renumbered`}`,
      }
    }
    if (auditHash(r) !== r.hash) {
      return {
        seq,
        reason: 'edited',
        message: `entry ${seq} was edited: its fields do not give its stored hash`,
      }
    }
    if (timestampToMicros(r.ts) !== r.tsMicros) {
      return {
        seq,
        reason: 'edited',
        message: `entry ${seq} was edited: its indexed time ${r.tsMicros} is not its ts ${r.ts}`,
      }
    }
    const anchored = this.anchors.get(seq)
    if (anchored !== undefined && anchored !== r.hash) {
      return {
        seq,
        reason: 'rewritten',
        message: `entry ${seq} has hash ${r.hash}, not the anchored ${anchored}: the log from entry ${seq} on was replaced`,
      }
    }
    this.recent.set(r.hash, seq)
    if (this.recent.size > RECENT_HASHES) {
      const oldest = this.recent.keys().next()
      if (!oldest.done) this.recent.delete(oldest.value)
    }
    this.prevHash = r.hash
    this.expectedSeq = seq + 1
    this.checked++
    return undefined
  }
}
