import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { isAppError } from '../errors.js'
import { dataTables } from '../store/migrations/migrations.js'
import { PostgresStore } from '../store/postgres/postgres-store.js'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { AuditFilter, AuditRecord, Store } from '../store/store.js'
import { AuditLog, MAX_ACTOR_ID, type AuditEvent } from './audit-log.js'

const T0 = 1_767_225_600_000_000
const ind = (n: number): string =>
  `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

/** A store for one test, plus raw SQL on its database (what an intruder with access has). */
interface Harness {
  store: Store
  /** Runs one statement with `?` placeholders. */
  sql(text: string, params?: unknown[]): Promise<void>
  /** Drops the append-only guard, as someone with database access can. */
  dropGuard(): Promise<void>
  close(): Promise<void>
}

function event(n: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    actor: { kind: 'user', id: n % 2 ? 'alice' : 'bob' },
    action: 'write',
    objectIds: [ind(n)],
    collectionId: 'c1',
    outcome: 'success',
    details: { n },
    atMicros: T0 + n * 1_000_000,
    ...overrides,
  }
}

/** A store whose listAudit calls are recorded, to see how verify reads. */
function spied(store: Store): { store: Store; pages: number[] } {
  const pages: number[] = []
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'listAudit') {
        return async (filter: AuditFilter): Promise<AuditRecord[]> => {
          const page = await target.listAudit(filter)
          pages.push(page.length)
          return page
        }
      }
      const value: unknown = Reflect.get(target, key, receiver)
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value
    },
  })
  return { store: proxy, pages }
}

function describeAuditLog(name: string, makeHarness: () => Promise<Harness>): void {
  describe(`AuditLog on ${name}`, () => {
    let h: Harness
    let log: AuditLog
    let clock = T0

    beforeEach(async () => {
      h = await makeHarness()
      clock = T0
      log = new AuditLog(h.store, { now: () => clock++, pageSize: 4 })
    })
    afterEach(async () => {
      await h.close()
    })

    const appendMany = async (count: number): Promise<void> => {
      for (let start = 1; start <= count; start += 500) {
        const batch = Array.from({ length: Math.min(500, count - start + 1) }, (_, i) =>
          event(start + i),
        )
        await log.append(batch)
      }
    }
    const collect = async (iterable: AsyncIterable<{ seq: number }>): Promise<number[]> => {
      const seqs: number[] = []
      for await (const entry of iterable) seqs.push(entry.seq)
      return seqs
    }

    it('appends events with the clock time and lists them back as given', async () => {
      const [entry] = await log.append({
        actor: { kind: 'peer', id: 'peer-east' },
        action: 'share-change',
        objectIds: [ind(1), ind(2)],
        outcome: 'success',
        details: { from: 'community', to: ['g1', 'g2'], note: 'caf\u00e9' },
      })
      expect(entry).toMatchObject({
        seq: 1,
        ts: '2026-01-01T00:00:00.000000Z',
        actor: { kind: 'peer', id: 'peer-east' },
        objectIds: [ind(1), ind(2)],
        collectionId: null,
        details: { from: 'community', to: ['g1', 'g2'], note: 'caf\u00e9' },
      })
      const listed = []
      for await (const e of log.list()) listed.push(e)
      expect(listed).toEqual([entry])
    })

    it('lists through filters and a limit, page by page', async () => {
      await appendMany(10)
      expect(await collect(log.list())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      expect(await collect(log.list({ actorId: 'alice' }))).toEqual([1, 3, 5, 7, 9])
      expect(await collect(log.list({ sinceMicros: T0 + 8_000_000 }))).toEqual([8, 9, 10])
      expect(await collect(log.list({ objectId: ind(1) }))).toEqual([1])
      expect(await collect(log.list({ limit: 6 }))).toEqual([1, 2, 3, 4, 5, 6])
      expect(await collect(log.list({ actorKind: 'peer' }))).toEqual([])
    })

    it('refuses a malformed event with AUDIT_INVALID_ENTRY and records none of the batch', async () => {
      const bad: AuditEvent[] = [
        event(1, { actor: { kind: 'robot' as 'user', id: 'r' } }),
        event(1, { actor: { kind: 'user', id: '' } }),
        event(1, { action: 'rename' as 'write' }),
        event(1, { outcome: 'maybe' as 'success' }),
        event(1, { objectIds: ['a,b'] }),
        event(1, { objectIds: ['has space'] }),
        event(1, { collectionId: '' }),
        event(1, { details: { n: Number.NaN } }),
        event(1, { details: { when: new Date(0) as unknown as string } }),
        event(1, { details: { gone: undefined as unknown as null } }),
        event(1, { atMicros: -1 }),
      ]
      for (const e of bad) {
        let caught: unknown
        try {
          await log.append([event(2), e])
        } catch (error) {
          caught = error
        }
        expect(isAppError(caught, 'AUDIT_INVALID_ENTRY'), JSON.stringify(e)).toBe(true)
        expect(String(caught)).toContain('event 1')
      }
      expect(await h.store.lastAudit()).toBeUndefined()
    })

    it('cuts an over-long actor id (a user name tried at login) instead of refusing it', async () => {
      const [entry] = await log.append(
        event(1, { action: 'login-failure', actor: { kind: 'anonymous', id: 'x'.repeat(5000) } }),
      )
      expect(entry?.actor.id).toHaveLength(MAX_ACTOR_ID)
      expect(await log.verify()).toMatchObject({ ok: true, entries: 1 })
    })

    it('verifies an intact log of 2,500 entries reading pages of the configured size', async () => {
      await appendMany(2500)
      const { store, pages } = spied(h.store)
      const result = await new AuditLog(store, { pageSize: 100 }).verify()
      const last = await h.store.lastAudit()
      expect(result).toEqual({ ok: true, entries: 2500, head: { seq: 2500, hash: last?.hash } })
      expect(Math.max(...pages)).toBe(100)
      expect(pages.reduce((a, b) => a + b, 0)).toBe(2500)
      expect(await new AuditLog(h.store).verify([{ seq: 2500, hash: last?.hash ?? '' }])).toEqual(
        result,
      )
    })

    it('is append-only: a plain UPDATE or DELETE is refused by the database', async () => {
      await appendMany(3)
      await expect(h.sql("UPDATE audit_log SET actor_id = 'x' WHERE seq = 2")).rejects.toThrow(
        /append-only/,
      )
      await expect(h.sql('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow(/append-only/)
      expect(await log.verify()).toMatchObject({ ok: true, entries: 3 })
    })

    it('detects an entry edited through raw SQL and names it', async () => {
      await appendMany(12)
      await h.dropGuard()
      await h.sql("UPDATE audit_log SET actor_id = 'mallory' WHERE seq = 7")
      expect(await log.verify()).toMatchObject({
        ok: false,
        entries: 6,
        broken: { seq: 7, reason: 'edited' },
      })
    })

    it('detects a value given to an empty field through raw SQL, whatever its SQL type', async () => {
      await log.append([event(1), event(2, { collectionId: null }), event(3)])
      await h.dropGuard()
      const value = name === 'SQLite' ? "X'6331'" : "'c1'"
      await h.sql(`UPDATE audit_log SET collection_id = ${value} WHERE seq = 2`)
      expect(await log.verify()).toMatchObject({ broken: { seq: 2, reason: 'edited' } })
    })

    it('detects an entry deleted through raw SQL and names it', async () => {
      await appendMany(12)
      await h.dropGuard()
      await h.sql('DELETE FROM audit_log WHERE seq = 5')
      expect(await log.verify()).toMatchObject({
        ok: false,
        entries: 4,
        broken: { seq: 5, reason: 'missing', message: 'entry 5 is missing (deleted)' },
      })
    })

    it('detects a deletion hidden by renumbering, and entries swapped, through raw SQL', async () => {
      await appendMany(12)
      await h.dropGuard()
      await h.sql('DELETE FROM audit_log WHERE seq = 5')
      await h.sql('UPDATE audit_log SET seq = seq + 1000 WHERE seq > 5')
      await h.sql('UPDATE audit_log SET seq = seq - 1001 WHERE seq > 1000')
      expect(await log.verify()).toMatchObject({ broken: { seq: 5, reason: 'relinked' } })

      await h.sql('UPDATE audit_log SET seq = 100 WHERE seq = 2')
      await h.sql('UPDATE audit_log SET seq = 2 WHERE seq = 3')
      await h.sql('UPDATE audit_log SET seq = 3 WHERE seq = 100')
      expect(await log.verify()).toMatchObject({ broken: { seq: 2, reason: 'reordered' } })
    })

    it('detects removed newest entries against an anchor taken before', async () => {
      await appendMany(8)
      const before = await log.verify()
      if (!before.ok || !before.head) throw new Error('expected an intact log')
      await h.dropGuard()
      await h.sql('DELETE FROM audit_log WHERE seq > 6')
      expect(await log.verify()).toMatchObject({ ok: true, entries: 6 })
      expect(await log.verify([before.head])).toMatchObject({
        ok: false,
        broken: { seq: 8, reason: 'truncated' },
      })
    })
  })
}

describeAuditLog('SQLite', async () => {
  const store = SqliteStore.open(':memory:')
  await store.migrate()
  const db = store.connection
  return {
    store,
    sql: (text, params = []) => {
      try {
        db.prepare(text).run(...params)
        return Promise.resolve()
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)))
      }
    },
    dropGuard: () => {
      db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete')
      return Promise.resolve()
    },
    close: () => store.close(),
  }
})

const pgUrl = inject('pgUrl')
if (!pgUrl) {
  describe.skip(`AuditLog on PostgreSQL (skipped: ${inject('pgSkipReason')})`, () => {
    it('needs PostgreSQL', () => undefined)
  })
} else {
  const schema = `test_audit_${randomBytes(6).toString('hex')}`
  const raw = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: pgUrl, options: `-c search_path=${schema}` })
    await client.connect()
    try {
      return await work(client)
    } finally {
      await client.end()
    }
  }
  afterAll(async () => {
    await raw((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
  })

  const makeStore = async (): Promise<PostgresStore> => {
    const store = PostgresStore.open(pgUrl, { schema, poolSize: 4 })
    await store.migrate()
    return store
  }

  describeAuditLog('PostgreSQL', async () => {
    const store = await makeStore()
    await raw(async (c) => {
      await c.query(`TRUNCATE ${dataTables.join(', ')}`)
      await c.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only')
    })
    return {
      store,
      sql: async (text, params = []) => {
        let n = 0
        await raw((c) =>
          c.query(
            text.replace(/\?/g, () => `$${++n}`),
            params,
          ),
        )
      },
      dropGuard: async () => {
        await raw((c) => c.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only'))
      },
      close: () => store.close(),
    }
  })

  describe('AuditLog on PostgreSQL, several processes', () => {
    it('keeps one unbroken chain when two stores append at once (table lock)', async () => {
      const a = await makeStore()
      const b = PostgresStore.open(pgUrl, { schema, poolSize: 4 })
      try {
        await raw((c) => c.query('TRUNCATE audit_log'))
        const logA = new AuditLog(a)
        const logB = new AuditLog(b)
        const writes: Promise<unknown>[] = []
        for (let n = 0; n < 40; n++) {
          writes.push(logA.append([event(2 * n), event(2 * n)]), logB.append(event(2 * n + 1)))
        }
        await Promise.all(writes)
        expect(await logB.verify()).toMatchObject({ ok: true, entries: 120 })
      } finally {
        await a.close()
        await b.close()
      }
    })
  })
}
