/**
 * `intelmesh audit verify|list`: check the audit log's hash chain, and read the log. Both read
 * it a page at a time, so a log of millions of entries needs no more memory than a short one.
 */
import type { AuditAnchor } from '../../audit/audit-chain.js'
import {
  AuditLog,
  auditActions,
  auditActorKinds,
  type AuditEntry,
  type AuditListFilter,
} from '../../audit/audit-log.js'
import { AppError } from '../../errors.js'
import type { Store } from '../../store/store.js'
import { timestampToMicros } from '../../store/timestamps.js'
import { EXIT, type CliContext, type CommandRegistrar } from '../context.js'
import { runAdmin, withAdminOptions, type AdminOptions } from './admin-support.js'

/** The schema version that brought the audit log (migration 2). */
const AUDIT_SCHEMA_VERSION = 2

interface VerifyOptions extends AdminOptions {
  anchor?: string[]
  pageSize?: string
}

interface ListOptions extends AdminOptions {
  since?: string
  actor?: string
  actorKind?: string
  object?: string
  action?: string
  limit?: string
  pageSize?: string
}

export const registerAuditCommands: CommandRegistrar = (program, ctx) => {
  const audit = program.command('audit').description('Check and read the tamper-evident audit log')

  withAdminOptions(
    audit
      .command('verify')
      .description(
        'Check the whole hash chain: prints OK and the head (seq:hash, worth keeping elsewhere), or the first broken entry and why (exit 1)',
      )
      .option(
        '--anchor <seq:hash>',
        'a head printed by an earlier verify: it must still be in the log (detects removed newest entries); repeatable',
        collect,
        [],
      )
      .option('--page-size <n>', 'entries read per query (default 1000)'),
  ).action(async (options: VerifyOptions) => {
    const anchors = (options.anchor ?? []).map(parseAnchor)
    const pageSize = parseCount(options.pageSize, '--page-size', 1000)
    const result = await runAudit(ctx, options, (store) =>
      new AuditLog(store, { pageSize }).verify(anchors),
    )
    if (options.json) {
      ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    } else if (result.ok) {
      ctx.stdout.write(
        result.head
          ? `audit log OK: ${result.entries} entries, head ${result.head.seq}:${result.head.hash}\n`
          : 'audit log OK: no entries\n',
      )
    } else {
      ctx.stdout.write(
        `audit log BROKEN at entry ${result.broken.seq} (${result.broken.reason}): ${result.broken.message}\n` +
          `${result.entries} ${result.entries === 1 ? 'entry' : 'entries'} before it verified\n`,
      )
    }
    if (!result.ok) ctx.setExitCode(EXIT.findings)
  })

  withAdminOptions(
    audit
      .command('list')
      .description('List audit entries, oldest first')
      .option(
        '--since <time>',
        'only entries at or after this time: RFC 3339 (2026-01-31T12:00:00Z), a date (2026-01-31), or a duration back from now (90m, 12h, 7d, 2w)',
      )
      .option('--actor <id>', 'only entries by this actor id (user id, key id, peer name...)')
      .option(
        '--actor-kind <kind>',
        `only entries by this kind of actor: ${auditActorKinds.join(', ')}`,
      )
      .option('--object <id>', 'only entries naming this object id')
      .option('--action <action>', `only this action: ${auditActions.join(', ')}`)
      .option('--limit <n>', 'at most this many entries')
      .option('--page-size <n>', 'entries read per query (default 1000)'),
  ).action(async (options: ListOptions) => {
    const filter = listFilter(options, Date.now() * 1000)
    const pageSize = parseCount(options.pageSize, '--page-size', 1000)
    await runAudit(ctx, options, async (store) => {
      const entries = new AuditLog(store, { pageSize }).list(filter)
      if (options.json) await writeJsonArray(ctx, entries)
      else await writeTable(ctx, entries)
    })
  })
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

/** Opens the node's store like the admin commands, and checks it has the audit log. */
async function runAudit<T>(
  ctx: CliContext,
  options: AdminOptions,
  work: (store: Store) => Promise<T>,
): Promise<T> {
  return runAdmin(ctx, options, async (_admin, store) => {
    const version = await store.schemaVersion()
    if (version < AUDIT_SCHEMA_VERSION) {
      throw new AppError('STORE_NOT_FOUND', {
        detail: `the database is at schema version ${version} and has no audit log yet; run \`intelmesh db migrate\``,
      })
    }
    return work(store)
  })
}

function usage(detail: string): AppError {
  return new AppError('CLI_USAGE', { detail })
}

function parseCount(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw usage(`${option} must be a whole number of at least 1, got "${value}"`)
  }
  return Number(value)
}

function parseAnchor(value: string): AuditAnchor {
  const m = /^(\d+):([0-9a-fA-F]{64})$/.exec(value.trim())
  if (!m || Number(m[1]) < 1 || !Number.isSafeInteger(Number(m[1]))) {
    throw usage(
      `--anchor must be <seq>:<hash> as printed by \`intelmesh audit verify\` (a positive number, a colon and 64 hex digits), got "${value}"`,
    )
  }
  return { seq: Number(m[1]), hash: (m[2] ?? '').toLowerCase() }
}

const DURATION_MICROS: Record<string, number> = {
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
  d: 86_400_000_000,
  w: 604_800_000_000,
}

/** `--since` as microseconds since the epoch. @internal */
export function parseSince(value: string, nowMicros: number): number {
  const text = value.trim()
  const duration = /^(\d+)([smhdw])$/.exec(text)
  if (duration) {
    return nowMicros - Number(duration[1]) * (DURATION_MICROS[duration[2] ?? ''] ?? 0)
  }
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text
  const micros = timestampToMicros(date)
  if (micros === undefined) {
    throw usage(
      `--since "${value}" is neither an RFC 3339 UTC time (2026-01-31T12:00:00Z), a date (2026-01-31) nor a duration (90m, 12h, 7d, 2w)`,
    )
  }
  return micros
}

function listFilter(options: ListOptions, nowMicros: number): AuditListFilter {
  const filter: AuditListFilter = {}
  if (options.since !== undefined) filter.sinceMicros = parseSince(options.since, nowMicros)
  if (options.actor !== undefined) filter.actorId = options.actor
  if (options.actorKind !== undefined) {
    if (!auditActorKinds.some((k) => k === options.actorKind)) {
      throw usage(
        `--actor-kind must be one of ${auditActorKinds.join(', ')}, got "${options.actorKind}"`,
      )
    }
    filter.actorKind = options.actorKind
  }
  if (options.action !== undefined) {
    if (!auditActions.some((a) => a === options.action)) {
      throw usage(`--action must be one of ${auditActions.join(', ')}, got "${options.action}"`)
    }
    filter.action = options.action
  }
  if (options.object !== undefined) filter.objectId = options.object
  if (options.limit !== undefined) filter.limit = parseCount(options.limit, '--limit', 0)
  return filter
}

/** Writes, waiting when the stream's buffer is full (a pipe to a slow reader). */
async function write(ctx: CliContext, text: string): Promise<void> {
  if (ctx.stdout.write(text)) return
  await new Promise<void>((resolve) => ctx.stdout.once('drain', resolve))
}

/** A JSON array written as it is read. */
async function writeJsonArray(ctx: CliContext, entries: AsyncIterable<AuditEntry>): Promise<void> {
  let first = true
  for await (const entry of entries) {
    await write(ctx, `${first ? '[\n' : ',\n'}${JSON.stringify(entry)}`)
    first = false
  }
  await write(ctx, first ? '[]\n' : '\n]\n')
}

const HEADER = ['SEQ', 'TIME', 'ACTOR', 'ACTION', 'OUTCOME', 'COLLECTION', 'OBJECTS', 'DETAILS']

function cells(e: AuditEntry): string[] {
  return [
    String(e.seq),
    e.ts,
    `${e.actor.kind}:${e.actor.id}`,
    e.action,
    e.outcome,
    e.collectionId ?? '-',
    e.objectIds.join(',') || '-',
    Object.keys(e.details).length ? JSON.stringify(e.details) : '-',
  ].map(printable)
}

/** Control characters (say, in a user name tried at login) shown escaped, never raw. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  })
}

/**
 * Tab-separated lines in a pipe; on a terminal, columns as wide as the first page needs (later
 * rows widen their own cells only, as the output is streamed).
 */
async function writeTable(ctx: CliContext, entries: AsyncIterable<AuditEntry>): Promise<void> {
  const tty = ctx.stdout.isTTY === true
  let widths: number[] | undefined
  const buffered: string[][] = []
  const line = (row: string[]): string =>
    tty && widths
      ? row
          .map((cell, i) => cell.padEnd(widths?.[i] ?? 0))
          .join('  ')
          .trimEnd()
      : row.join('\t')
  const flush = async (): Promise<void> => {
    if (!widths) {
      widths = HEADER.map((h, i) => Math.max(h.length, ...buffered.map((r) => (r[i] ?? '').length)))
      await write(ctx, `${line(HEADER)}\n`)
    }
    await write(ctx, buffered.map((r) => `${line(r)}\n`).join(''))
    buffered.length = 0
  }
  let any = false
  for await (const entry of entries) {
    any = true
    buffered.push(cells(entry))
    if (buffered.length >= 200) await flush()
  }
  if (!any) {
    await write(ctx, 'no audit entries\n')
    return
  }
  if (buffered.length) await flush()
}
