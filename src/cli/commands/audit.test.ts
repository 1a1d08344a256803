import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AuditLog, type AuditEvent } from '../../audit/audit-log.js'
import { migrations } from '../../store/migrations/migrations.js'
import { SqliteStore } from '../../store/sqlite/sqlite-store.js'
import { main } from '../main.js'
import { parseSince } from './audit.js'

class Capture extends Writable {
  text = ''
  isTTY: boolean
  constructor(tty = false) {
    super()
    this.isTTY = tty
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8')
    done()
  }
}

let dir: string
let path: string

async function cli(
  args: string[],
  options: { tty?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture(options.tty)
  const stderr = new Capture()
  const code = await main(['node', 'intelmesh', ...args, '--db', `sqlite:${path}`], {
    stdout,
    stderr,
    stdin: Readable.from(['']),
    env: {},
  })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

const T0 = Date.UTC(2026, 0, 31, 12) * 1000
const IND = 'indicator--00000000-0000-4000-8000-000000000001'
const MAL = 'malware--00000000-0000-4000-8000-000000000002'

const events: AuditEvent[] = [
  {
    actor: { kind: 'user', id: 'alice' },
    action: 'write',
    objectIds: [IND],
    collectionId: 'c1',
    outcome: 'success',
    atMicros: T0,
  },
  {
    actor: { kind: 'anonymous', id: 'eve\nroot' },
    action: 'login-failure',
    outcome: 'denied',
    details: { reason: 'bad password' },
    atMicros: T0 + 3_600_000_000,
  },
  {
    actor: { kind: 'key', id: 'key-7' },
    action: 'read',
    objectIds: [IND, MAL],
    collectionId: 'c1',
    outcome: 'success',
    atMicros: T0 + 86_400_000_000,
  },
  {
    actor: { kind: 'user', id: 'alice' },
    action: 'delete',
    objectIds: [MAL],
    collectionId: 'c1',
    outcome: 'success',
    atMicros: T0 + 2 * 86_400_000_000,
  },
]

async function seed(list: AuditEvent[] = events, allMigrations = migrations): Promise<void> {
  const store = SqliteStore.open(path, { migrations: allMigrations })
  try {
    await store.migrate()
    if (list.length) await new AuditLog(store).append(list)
  } finally {
    await store.close()
  }
}

/** Raw SQL on the database file, past the append-only triggers (as an intruder would). */
function tamper(sql: string): void {
  const db = new Database(path)
  try {
    db.exec(
      'DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete',
    )
    db.exec(sql)
  } finally {
    db.close()
  }
}

const seqsOf = (tsv: string): string[] =>
  tsv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t')[0] ?? '')

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'intelmesh-audit-'))
  path = join(dir, 'node.db')
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('intelmesh audit verify', () => {
  it('says OK with the entry count and the head as seq:hash, exit 0', async () => {
    await seed()
    const result = await cli(['audit', 'verify'])
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toMatch(/^audit log OK: 4 entries, head 4:[0-9a-f]{64}\n$/)
    const json = await cli(['audit', 'verify', '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, entries: 4, head: { seq: 4 } })
  })

  it('says OK for an empty log', async () => {
    await seed([])
    expect(await cli(['audit', 'verify'])).toMatchObject({
      code: 0,
      stdout: 'audit log OK: no entries\n',
    })
  })

  it('names an entry edited through raw SQL and exits 1', async () => {
    await seed()
    tamper("UPDATE audit_log SET outcome = 'success' WHERE seq = 2")
    const result = await cli(['audit', 'verify', '--page-size', '2'])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe(
      'audit log BROKEN at entry 2 (edited): entry 2 was edited: its fields do not give its stored hash\n' +
        '1 entry before it verified\n',
    )
    const json = await cli(['audit', 'verify', '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      entries: 1,
      broken: { seq: 2, reason: 'edited' },
    })
  })

  it('names an entry deleted through raw SQL and exits 1', async () => {
    await seed()
    tamper('DELETE FROM audit_log WHERE seq = 3')
    const result = await cli(['audit', 'verify'])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('BROKEN at entry 3 (missing): entry 3 is missing (deleted)')
  })

  it('detects removed newest entries against an --anchor from an earlier run', async () => {
    await seed()
    const head = /head (\d+:[0-9a-f]{64})/.exec((await cli(['audit', 'verify'])).stdout)?.[1]
    expect(head).toBeDefined()
    tamper('DELETE FROM audit_log WHERE seq = 4')
    expect((await cli(['audit', 'verify'])).code).toBe(0)
    const anchored = await cli(['audit', 'verify', '--anchor', head ?? ''])
    expect(anchored.code).toBe(1)
    expect(anchored.stdout).toContain('BROKEN at entry 4 (truncated)')
  })

  it('refuses a malformed --anchor or --page-size in one line, exit 2', async () => {
    await seed()
    for (const args of [
      ['--anchor', '4:abc'],
      ['--anchor', `0:${'a'.repeat(64)}`],
      ['--page-size', '0'],
      ['--page-size', 'ten'],
    ]) {
      const result = await cli(['audit', 'verify', ...args])
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(
        /^intelmesh: Invalid command usage: --(anchor|page-size)[^\n]*\n$/,
      )
    }
  })

  it('explains a database from before the audit log instead of failing on SQL', async () => {
    await seed([], migrations.slice(0, 1))
    const result = await cli(['audit', 'verify'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('schema version 1 and has no audit log yet')
    expect(result.stderr).toContain('intelmesh db migrate')
  })
})

describe('intelmesh audit list', () => {
  beforeEach(async () => {
    await seed()
  })

  it('prints tab-separated rows in a pipe, oldest first, control characters escaped', async () => {
    const result = await cli(['audit', 'list'])
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toBe('SEQ\tTIME\tACTOR\tACTION\tOUTCOME\tCOLLECTION\tOBJECTS\tDETAILS')
    expect(lines[2]).toBe(
      '2\t2026-01-31T13:00:00.000000Z\tanonymous:eve\\u000aroot\tlogin-failure\tdenied\t-\t-\t{"reason":"bad password"}',
    )
    expect(seqsOf(result.stdout)).toEqual(['1', '2', '3', '4'])
  })

  it('aligns columns on a terminal', async () => {
    const result = await cli(['audit', 'list', '--actor', 'alice'], { tty: true })
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^SEQ {2}TIME {25}ACTOR {7}ACTION {2}OUTCOME/)
    expect(lines[1]).toMatch(/^1 {4}2026-01-31T12:00:00.000000Z {2}user:alice {2}write/)
  })

  it('filters by --since (time, date or duration), --actor, --actor-kind, --object and --action', async () => {
    const list = async (...args: string[]) => seqsOf((await cli(['audit', 'list', ...args])).stdout)
    expect(await list('--since', '2026-01-31T13:00:00Z')).toEqual(['2', '3', '4'])
    expect(await list('--since', '2026-02-01')).toEqual(['3', '4'])
    expect(await list('--actor', 'alice')).toEqual(['1', '4'])
    expect(await list('--actor-kind', 'key')).toEqual(['3'])
    expect(await list('--object', MAL)).toEqual(['3', '4'])
    expect(await list('--object', IND, '--actor', 'alice')).toEqual(['1'])
    expect(await list('--action', 'login-failure')).toEqual(['2'])
    expect(await list('--limit', '2', '--page-size', '1')).toEqual(['1', '2'])
    expect(await list('--since', '1h')).toEqual([])
  })

  it('prints a JSON array with --json, streamed, and [] when nothing matches', async () => {
    const result = await cli(['audit', 'list', '--json', '--page-size', '3'])
    const entries = JSON.parse(result.stdout) as { seq: number; objectIds: string[] }[]
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4])
    expect(entries[2]).toMatchObject({
      actor: { kind: 'key', id: 'key-7' },
      objectIds: [IND, MAL],
      collectionId: 'c1',
    })
    const none = await cli(['audit', 'list', '--json', '--actor', 'nobody'])
    expect(JSON.parse(none.stdout)).toEqual([])
    expect((await cli(['audit', 'list', '--actor', 'nobody'])).stdout).toBe('no audit entries\n')
  })

  it('refuses a bad --since, --actor-kind, --action or --limit in one line, exit 2', async () => {
    for (const args of [
      ['--since', 'yesterday'],
      ['--since', '2026-13-01'],
      ['--actor-kind', 'robot'],
      ['--action', 'rename'],
      ['--limit', '-1'],
    ]) {
      const result = await cli(['audit', 'list', ...args])
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(/^intelmesh: [^\n]*\n$/)
      expect(result.stdout).toBe('')
    }
  })
})

describe('parseSince', () => {
  const now = Date.UTC(2026, 5, 1) * 1000
  it('reads RFC 3339, dates and durations back from now', () => {
    expect(parseSince('2026-01-31T12:00:00.5Z', now)).toBe(T0 + 500_000)
    expect(parseSince('2026-01-31', now)).toBe(T0 - 12 * 3_600_000_000)
    expect(parseSince('90m', now)).toBe(now - 90 * 60_000_000)
    expect(parseSince('2w', now)).toBe(now - 14 * 86_400_000_000)
  })
})
