/**
 * The embedded SQLite adapter of the Store port (better-sqlite3 12). One connection per store:
 * SQLite has a single writer, and every write transaction is `BEGIN IMMEDIATE`, so the
 * collection's `last_date_added_micros` read inside it cannot race another writer.
 *
 * Tuned for ingest: WAL with `synchronous=NORMAL` (a killed process loses no committed
 * transaction; only an OS crash or power loss may lose the last few), a large page cache, mmap
 * reads, temporary data in memory, and every hot statement prepared once.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect, type CompiledQuery, type SqliteDatabase } from 'kysely'
import { AppError } from '../../errors.js'
import {
  createSchemaMigrations,
  latestSchemaVersion,
  migrations as allMigrations,
  type Migration,
} from '../migrations/migrations.js'
import {
  arraysToJsonPage,
  findObjectVersionsSql,
  jsonPageColumns,
  objectVersionsSql,
  objectColumns,
  objectQuerySql,
  objectWhere,
  planAdd,
  arrayToVersion,
  rowValues,
  selectColumns,
  sqliteSql,
  type PlannedRow,
} from '../sql/object-rows.js'
import {
  arrayToAudit,
  auditColumns,
  auditPageSql,
  auditSelect,
  auditValues,
  checkContinuation,
  sqliteContains,
} from '../sql/audit-rows.js'
import { Records, type RecordTables } from '../sql/records.js'
import type {
  AddResult,
  AuditFilter,
  AuditRecord,
  AuditSealer,
  NewObjectVersion,
  ObjectJsonPage,
  ObjectPage,
  ObjectQuery,
  Store,
  StoreCapabilities,
  StoredObjectVersion,
  VersionMatch,
  VisibilityFilter,
} from '../store.js'
import { mapSqliteError } from './sqlite-errors.js'

export interface SqliteStoreOptions {
  /** The migrations to apply (tests only; default every migration of this version). @internal */
  migrations?: readonly Migration[]
  /** Page cache size in MiB (default 64). */
  cacheMiB?: number
  /** Memory-mapped I/O size in MiB (default 1024; 0 turns it off). */
  mmapMiB?: number
  /** How long a writer waits for another process's lock, in ms (default 5000). */
  busyTimeoutMs?: number
}

const SELECT = selectColumns.join(', ')
/** Ids per bounds lookup, and the padded sizes used. */
const BOUNDS_CHUNK = 500
const BOUNDS_SIZES = [1, 8, 64, BOUNDS_CHUNK]
/** Rows per multi-row INSERT (20 columns: 1,000 parameters). */
const INSERT_ROWS = 50

type Statement = Database.Statement<unknown[], unknown>

/** Most statements the store keeps prepared; more distinct ones start the cache afresh. */
const PREPARED_STATEMENTS = 1024

/** Most statements `preparingOnce` keeps; more distinct ones start the cache afresh. */
const KYSELY_STATEMENTS = 256

/**
 * The connection as Kysely's SQLite dialect sees it, preparing each distinct statement once:
 * Kysely prepares on every query, which costs more than running the small account and
 * collection lookups every TAXII request makes. Kysely never switches a statement to raw or
 * pluck mode, and the store never streams, so sharing a statement between calls is safe.
 */
function preparingOnce(sqlite: Database.Database): SqliteDatabase {
  const prepared = new Map<string, Statement>()
  return {
    close() {
      prepared.clear()
      sqlite.close()
    },
    prepare(sql) {
      let statement = prepared.get(sql)
      if (!statement) {
        if (prepared.size >= KYSELY_STATEMENTS) prepared.clear()
        statement = sqlite.prepare(sql)
        prepared.set(sql, statement)
      }
      return statement
    },
  }
}

/** A Store over one SQLite database file (or `:memory:`). */
export class SqliteStore extends Records implements Store {
  readonly capabilities: StoreCapabilities = { dialect: 'sqlite', multiProcess: false }
  readonly filename: string
  private readonly sqlite: Database.Database
  private readonly statements = new Map<string, Statement>()

  private readonly migrations: readonly Migration[]

  private constructor(
    sqlite: Database.Database,
    filename: string,
    migrations: readonly Migration[],
  ) {
    super(
      new Kysely<RecordTables>({ dialect: new SqliteDialect({ database: preparingOnce(sqlite) }) }),
      (b) => (b ? 1 : 0),
      mapSqliteError,
    )
    this.sqlite = sqlite
    this.filename = filename
    this.migrations = migrations
  }

  /**
   * Opens (creating when missing, with its folder) the database at `filename`, or a private
   * in-memory database for `:memory:`. Does not migrate: call `migrate()`.
   */
  static open(filename: string, options: SqliteStoreOptions = {}): SqliteStore {
    const memory = filename === ':memory:' || filename === ''
    let sqlite: Database.Database
    try {
      if (!memory) mkdirSync(dirname(filename), { recursive: true })
      sqlite = new Database(memory ? ':memory:' : filename)
    } catch (error) {
      throw new AppError('STORE_UNAVAILABLE', {
        detail: `cannot open SQLite database ${filename}: ${(error as Error).message}`,
        cause: error,
      })
    }
    try {
      sqlite.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`)
      if (!memory) {
        sqlite.pragma('journal_mode = WAL')
        // Truncate the WAL file back after checkpoints instead of keeping its high-water mark.
        sqlite.pragma('journal_size_limit = 67108864')
        sqlite.pragma(`mmap_size = ${Math.trunc(options.mmapMiB ?? 1024) * 1024 * 1024}`)
      }
      sqlite.pragma('synchronous = NORMAL')
      sqlite.pragma(`cache_size = ${-Math.trunc((options.cacheMiB ?? 64) * 1024)}`)
      sqlite.pragma('temp_store = MEMORY')
      sqlite.pragma('foreign_keys = ON')
    } catch (error) {
      sqlite.close()
      throw new AppError('STORE_UNAVAILABLE', {
        detail: `cannot use SQLite database ${filename}: ${(error as Error).message}`,
        cause: error,
      })
    }
    return new SqliteStore(
      sqlite,
      memory ? ':memory:' : filename,
      options.migrations ?? allMigrations,
    )
  }

  /** The better-sqlite3 connection, for backups and benchmarks. @internal */
  get connection(): Database.Database {
    return this.sqlite
  }

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql)
    if (!statement) {
      // Query shapes multiply with filters and viewers (issue 5): keep the cache bounded.
      if (this.statements.size >= PREPARED_STATEMENTS) this.statements.clear()
      statement = this.sqlite.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }

  protected atomically(what: string, queries: readonly CompiledQuery[]): Promise<number[]> {
    return this.guarded(what, () =>
      this.sqlite
        .transaction(() =>
          queries.map((q) => this.sqlite.prepare(q.sql).run(...q.parameters).changes),
        )
        .immediate(),
    )
  }

  /** Runs synchronous driver work, settling as a promise (a failure rejects, never throws). */
  private guarded<T>(what: string, work: () => T): Promise<T> {
    if (this.closed) {
      return Promise.reject(new AppError('STORE_UNAVAILABLE', { detail: 'the store is closed' }))
    }
    try {
      return Promise.resolve(work())
    } catch (error) {
      return Promise.reject(mapSqliteError(error, what))
    }
  }

  migrate(): Promise<number[]> {
    return this.guarded('migrating', () => {
      const applied: number[] = []
      const run = this.sqlite.transaction(() => {
        this.sqlite.exec(createSchemaMigrations)
        const done = new Set(
          this.sqlite
            .prepare('SELECT version FROM schema_migrations')
            .pluck()
            .all()
            .map((v) => Number(v)),
        )
        for (const migration of this.migrations) {
          if (done.has(migration.version)) continue
          try {
            for (const statement of migration.statements('sqlite')) this.sqlite.exec(statement)
          } catch (error) {
            throw new AppError('STORE_MIGRATION_FAILED', {
              detail: `migration ${migration.version} (${migration.name}): ${(error as Error).message}`,
              cause: error,
            })
          }
          this.sqlite
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(migration.version, migration.name, new Date().toISOString())
          applied.push(migration.version)
        }
      })
      run.immediate()
      this.statements.clear()
      return applied
    })
  }

  schemaVersion(): Promise<number> {
    return this.guarded('reading the schema version', () => {
      const table = this.sqlite
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
        .get()
      if (!table) return 0
      const version = this.sqlite
        .prepare('SELECT max(version) FROM schema_migrations')
        .pluck()
        .get()
      return typeof version === 'number' ? version : 0
    })
  }

  /** The newest schema version this code knows. */
  get latestSchemaVersion(): number {
    return latestSchemaVersion
  }

  async close(): Promise<void> {
    if (this.closed) return
    try {
      if (this.filename !== ':memory:') this.sqlite.pragma('wal_checkpoint(TRUNCATE)')
      this.sqlite.pragma('optimize')
    } finally {
      this.closed = true
      this.statements.clear()
      // Kysely's SQLite driver closes the connection it was given.
      await this.db.destroy()
    }
  }

  addObjects(versions: NewObjectVersion[], nowMicros: number): Promise<AddResult[]> {
    if (versions.length === 0) return Promise.resolve([])
    return this.guarded(`adding objects to collection ${versions[0]?.collectionId ?? ''}`, () => {
      const lastOf = this.prepare('SELECT last_date_added_micros FROM collections WHERE id = ?')
      const storedOf = this.prepare(
        'SELECT date_added_micros FROM objects WHERE collection_id = ? AND id = ? AND version_key = ?',
      )
      const clearFirst = this.prepare(
        'UPDATE objects SET is_first = 0 WHERE collection_id = ? AND id = ? AND version_key = ?',
      )
      const clearLast = this.prepare(
        'UPDATE objects SET is_last = 0 WHERE collection_id = ? AND id = ? AND version_key = ?',
      )
      const setLast = this.prepare('UPDATE collections SET last_date_added_micros = ? WHERE id = ?')
      const write = this.sqlite.transaction(() => {
        const bounds = this.boundsOf(versions)
        const plan = planAdd(versions, nowMicros, {
          lastMicros: (collectionId) => {
            const row = lastOf.get(collectionId) as { last_date_added_micros: number } | undefined
            return row?.last_date_added_micros
          },
          bounds: (collectionId, id) => bounds.get(`${collectionId}\u0000${id}`),
          stored: (collectionId, id, versionKey) => {
            const row = storedOf.get(collectionId, id, versionKey) as
              { date_added_micros: number } | undefined
            return row?.date_added_micros
          },
        })
        for (const change of plan.flagChanges) {
          const clear = change.flag === 'is_first' ? clearFirst : clearLast
          clear.run(change.collectionId, change.id, change.versionKey)
        }
        this.insertRows(plan.rows)
        for (const [collectionId, micros] of plan.lastMicros) setLast.run(micros, collectionId)
        return plan.results
      })
      return write.immediate()
    })
  }

  /**
   * Lowest and highest stored version keys of every object in `versions`, keyed by
   * collection and id: one statement per few hundred ids instead of one per object.
   */
  private boundsOf(versions: NewObjectVersion[]): Map<string, { min: string; max: string }> {
    const byCollection = new Map<string, Set<string>>()
    for (const v of versions) {
      let ids = byCollection.get(v.collectionId)
      if (!ids) byCollection.set(v.collectionId, (ids = new Set()))
      ids.add(v.id)
    }
    const bounds = new Map<string, { min: string; max: string }>()
    for (const [collectionId, idSet] of byCollection) {
      const ids = [...idSet]
      for (let start = 0; start < ids.length; start += BOUNDS_CHUNK) {
        const chunk = ids.slice(start, start + BOUNDS_CHUNK)
        // Pad to a fixed size with repeats (harmless in IN) so few statement texts exist.
        const size = BOUNDS_SIZES.find((n) => n >= chunk.length) ?? BOUNDS_CHUNK
        const padded = chunk.concat(Array<string>(size - chunk.length).fill(chunk[0] ?? ''))
        const rows = this.prepare(
          `SELECT id, min(version_key) AS mn, max(version_key) AS mx
             FROM objects INDEXED BY objects_version
            WHERE collection_id = ? AND id IN (${padded.map(() => '?').join(', ')})
            GROUP BY id`,
        ).all(collectionId, ...padded) as { id: string; mn: string; mx: string }[]
        for (const r of rows) bounds.set(`${collectionId}\u0000${r.id}`, { min: r.mn, max: r.mx })
      }
    }
    return bounds
  }

  /** Inserts planned rows, many per statement (fewer calls across the native boundary). */
  private insertRows(rows: PlannedRow[]): void {
    const placeholders = `(${objectColumns.map(() => '?').join(', ')})`
    const head = `INSERT INTO objects (${objectColumns.join(', ')}) VALUES `
    const many = this.prepare(head + Array<string>(INSERT_ROWS).fill(placeholders).join(', '))
    const one = this.prepare(head + placeholders)
    const toInt = (b: boolean): number => (b ? 1 : 0)
    let start = 0
    for (; start + INSERT_ROWS <= rows.length; start += INSERT_ROWS) {
      const values: unknown[] = []
      for (let r = start; r < start + INSERT_ROWS; r++) {
        const row = rows[r]
        if (row) values.push(...rowValues(row, toInt))
      }
      many.run(values)
    }
    for (; start < rows.length; start++) {
      const row = rows[start]
      if (row) one.run(rowValues(row, toInt))
    }
  }

  queryObjects(query: ObjectQuery): Promise<ObjectPage> {
    return this.guarded(`querying collection ${query.collectionId}`, () => {
      const params: unknown[] = []
      const { sql, limit } = objectQuerySql(sqliteSql, params, query, SELECT)
      const rows = this.prepare(sql).raw(true).all(params) as unknown[][]
      const more = rows.length > limit
      if (more) rows.length = limit
      return { items: rows.map(arrayToVersion), more }
    })
  }

  getObjectVersions(
    collectionId: string,
    id: string,
    visibility?: VisibilityFilter,
  ): Promise<StoredObjectVersion[]> {
    return this.guarded(`reading versions of ${id}`, () => {
      const params: unknown[] = []
      const sql = objectVersionsSql(sqliteSql, params, collectionId, id, visibility, SELECT)
      const rows = this.prepare(sql).raw(true).all(params) as unknown[][]
      return rows.map(arrayToVersion)
    })
  }

  findObjectVersions(id: string): Promise<StoredObjectVersion[]> {
    return this.guarded(`finding versions of ${id}`, () => {
      const params: unknown[] = []
      const sql = findObjectVersionsSql(sqliteSql, params, id, SELECT)
      const rows = this.prepare(sql).raw(true).all(params) as unknown[][]
      return rows.map(arrayToVersion)
    })
  }

  deleteObjects(
    collectionId: string,
    id: string,
    versions: VersionMatch = { kind: 'all' },
    specVersions?: string[],
  ): Promise<number> {
    return this.guarded(`deleting ${id}`, () => {
      const params: unknown[] = []
      const where = objectWhere(sqliteSql, params, {
        collectionId,
        ids: [id],
        specVersions,
        versions,
      })
      const remove = this.sqlite.transaction(() => {
        const { changes } = this.prepare(`DELETE FROM objects WHERE ${where}`).run(params)
        if (changes > 0) {
          this.prepare(
            `UPDATE objects SET
                 is_first = (version_key = (SELECT min(version_key) FROM objects WHERE collection_id = ? AND id = ?)),
                 is_last = (version_key = (SELECT max(version_key) FROM objects WHERE collection_id = ? AND id = ?))
               WHERE collection_id = ? AND id = ?`,
          ).run(collectionId, id, collectionId, id, collectionId, id)
        }
        return changes
      })
      return remove.immediate()
    })
  }

  countObjects(collectionId?: string): Promise<number> {
    return this.guarded('counting objects', () => {
      const count =
        collectionId === undefined
          ? this.prepare('SELECT count(*) FROM objects').pluck().get()
          : this.prepare('SELECT count(*) FROM objects WHERE collection_id = ?')
              .pluck()
              .get(collectionId)
      return Number(count)
    })
  }

  appendAudit(seal: AuditSealer): Promise<AuditRecord[]> {
    return this.guarded('appending to the audit log', () => {
      const write = this.sqlite.transaction(() => {
        const row = this.prepare(`SELECT ${auditSelect} FROM audit_log ORDER BY seq DESC LIMIT 1`)
          .raw(true)
          .get() as unknown[] | undefined
        const last = row && arrayToAudit(row)
        const records = seal(last)
        checkContinuation(last, records)
        const insert = this.prepare(
          `INSERT INTO audit_log (${auditSelect}) VALUES (${auditColumns.map(() => '?').join(', ')})`,
        )
        for (const record of records) insert.run(auditValues(record))
        return records
      })
      // IMMEDIATE takes the write lock before the last entry is read: no other process can
      // append between that read and this insert.
      return write.immediate()
    })
  }

  listAudit(filter: AuditFilter): Promise<AuditRecord[]> {
    return this.guarded('listing the audit log', () => {
      const params: unknown[] = []
      const sql = auditPageSql(sqliteSql, sqliteContains, params, filter)
      const rows = this.prepare(sql).raw(true).all(params) as unknown[][]
      return rows.map(arrayToAudit)
    })
  }

  lastAudit(): Promise<AuditRecord | undefined> {
    return this.guarded('reading the audit log', () => {
      const row = this.prepare(`SELECT ${auditSelect} FROM audit_log ORDER BY seq DESC LIMIT 1`)
        .raw(true)
        .get() as unknown[] | undefined
      return row && arrayToAudit(row)
    })
  }

  /**
   * A consistent online copy of the database into `destination` (better-sqlite3's backup API,
   * page by page while others keep writing). Returns the number of pages copied.
   */
  async backup(destination: string): Promise<number> {
    if (this.closed) throw new AppError('STORE_UNAVAILABLE', { detail: 'the store is closed' })
    try {
      const result = await this.sqlite.backup(destination)
      return result.totalPages
    } catch (error) {
      throw new AppError('STORE_UNAVAILABLE', {
        detail: `backup to ${destination} failed: ${(error as Error).message}`,
        cause: error,
      })
    }
  }

  queryObjectJson(query: ObjectQuery): Promise<ObjectJsonPage> {
    return this.guarded(`querying collection ${query.collectionId}`, () => {
      const params: unknown[] = []
      const { sql, limit } = objectQuerySql(
        sqliteSql,
        params,
        query,
        jsonPageColumns(query.visibility),
      )
      const rows = this.prepare(sql).raw(true).all(params) as unknown[][]
      return arraysToJsonPage(rows, limit, query.visibility)
    })
  }
}
