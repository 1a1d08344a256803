/**
 * The PostgreSQL adapter of the Store port (`pg` Pool), for several intelmesh processes
 * sharing one database.
 *
 * `addObjects` locks the rows of the collections it writes (`SELECT ... FOR UPDATE`, in id
 * order so two writers never deadlock) and assigns `date_added` from their
 * `last_date_added_micros` column: writers to one collection commit one after the other, in
 * `date_added` order, so a reader paging by `added_after` can never see a later `date_added`
 * before an earlier one is committed. The whole call is read and written in a handful of
 * set-based statements (unnest arrays) rather than one round trip per object.
 */
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely'
import pg from 'pg'
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
  objectQuerySql,
  newVersionKey,
  objectColumns,
  objectWhere,
  planAdd,
  postgresSql,
  arrayToVersion,
  rowValues,
  selectColumns,
  type FlagChange,
  type PlannedRow,
} from '../sql/object-rows.js'
import {
  arrayToAudit,
  auditColumns,
  auditPageSql,
  auditSelect,
  auditValues,
  checkContinuation,
  postgresContains,
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
import { mapPostgresError } from './postgres-errors.js'

export interface PostgresStoreOptions {
  /** The migrations to apply (tests only; default every migration of this version). @internal */
  migrations?: readonly Migration[]
  /** Most connections the pool opens (default 10). */
  poolSize?: number
  /** A schema to work in (created by `migrate()` when missing); default the user's search_path. */
  schema?: string
}

const SELECT = selectColumns.join(', ')
const INSERT_CHUNK = 1000

/** Array types of the insert's unnest, in `objectColumns` order. */
const columnArrayTypes: Record<(typeof objectColumns)[number], string> = {
  collection_id: 'text[]',
  date_added_micros: 'bigint[]',
  id: 'text[]',
  type: 'text[]',
  spec_version: 'text[]',
  version: 'text[]',
  version_key: 'text[]',
  is_first: 'boolean[]',
  is_last: 'boolean[]',
  json: 'text[]',
  publisher_org_id: 'text[]',
  publisher_actor: 'text[]',
  marking_refs: 'text[]',
  tlp: 'text[]',
  dist_scope: 'text[]',
  dist_groups: 'text[]',
  dist_recipients: 'text[]',
  anonymous: 'boolean[]',
  origin_peer: 'text[]',
  revoked: 'boolean[]',
}

const INSERT_SQL = `INSERT INTO objects (${objectColumns.join(', ')})
  SELECT * FROM unnest(${objectColumns.map((c, i) => `$${i + 1}::${columnArrayTypes[c]}`).join(', ')})`

/** BIGINT as a JS number: micros since the epoch stay far below 2^53. */
const int8AsNumber = (value: string): number => Number(value)
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
    if (oid === 20 && format !== 'binary') return int8AsNumber
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid)
  },
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** Most distinct statement texts given a prepared-statement name. */
const NAMED_STATEMENTS = 1024

/** A Store over one PostgreSQL database (a pool of connections). */
export class PostgresStore extends Records implements Store {
  readonly capabilities: StoreCapabilities = { dialect: 'postgres', multiProcess: true }
  private readonly pool: pg.Pool
  private readonly schema: string | undefined
  private readonly statementNames = new Map<string, string>()

  private readonly migrations: readonly Migration[]

  private constructor(pool: pg.Pool, schema: string | undefined, migrations: readonly Migration[]) {
    super(
      new Kysely<RecordTables>({ dialect: new PostgresDialect({ pool }) }),
      (b) => b,
      mapPostgresError,
    )
    this.pool = pool
    this.schema = schema
    this.migrations = migrations
  }

  /** Opens a pool on `url` (no connection is made until the first call). Does not migrate. */
  static open(url: string, options: PostgresStoreOptions = {}): PostgresStore {
    const schema = options.schema
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new AppError('STORE_BAD_URL', {
        detail: `schema name "${schema}" must be lower-case letters, digits and _`,
      })
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      types,
      connectionTimeoutMillis: 10_000,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    })
    // An idle connection dropped by the server must not crash the process; the next query
    // gets a fresh one.
    pool.on('error', () => undefined)
    return new PostgresStore(pool, schema, options.migrations ?? allMigrations)
  }

  private async withClient<T>(
    what: string,
    work: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    if (this.closed) throw new AppError('STORE_UNAVAILABLE', { detail: 'the store is closed' })
    let client: pg.PoolClient
    try {
      client = await this.pool.connect()
    } catch (error) {
      throw mapPostgresError(error, what)
    }
    let broken = false
    try {
      return await work(client)
    } catch (error) {
      broken =
        !(error instanceof AppError) && typeof (error as { code?: unknown }).code !== 'string'
      throw mapPostgresError(error, what)
    } finally {
      client.release(broken)
    }
  }

  private async transaction<T>(
    what: string,
    work: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    return this.withClient(what, async (client) => {
      await client.query('BEGIN')
      try {
        const result = await work(client)
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    })
  }

  protected atomically(what: string, queries: readonly CompiledQuery[]): Promise<number[]> {
    return this.transaction(what, async (client) => {
      const counts: number[] = []
      for (const q of queries) {
        const result = await client.query(q.sql, [...q.parameters])
        counts.push(result.rowCount ?? 0)
      }
      return counts
    })
  }

  /** A prepared-statement name for a SQL text, so each connection parses it once. */
  private named(text: string, values: unknown[]): pg.QueryConfig {
    let name = this.statementNames.get(text)
    if (name === undefined) {
      // Each name stays prepared on every connection of the pool: past the bound (query shapes
      // multiply with filters and viewers, issue 5), rarer texts run unnamed.
      if (this.statementNames.size >= NAMED_STATEMENTS) return { text, values }
      name = `intelmesh_${this.statementNames.size + 1}`
      this.statementNames.set(text, name)
    }
    return { name, text, values }
  }

  async migrate(): Promise<number[]> {
    return this.transaction('migrating', async (client) => {
      // One migrator at a time per schema, across processes; released at commit or rollback.
      // Taken before creating the schema, which would race otherwise.
      await client.query(
        "SELECT pg_advisory_xact_lock(hashtext('intelmesh.migrate:' || coalesce($1::text, current_schema())))",
        [this.schema ?? null],
      )
      if (this.schema !== undefined) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`)
      }
      await client.query(createSchemaMigrations)
      const done = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
          (r) => Number(r.version),
        ),
      )
      const applied: number[] = []
      for (const migration of this.migrations) {
        if (done.has(migration.version)) continue
        try {
          for (const statement of migration.statements('postgres')) await client.query(statement)
        } catch (error) {
          throw new AppError('STORE_MIGRATION_FAILED', {
            detail: `migration ${migration.version} (${migration.name}): ${(error as Error).message}`,
            cause: error,
          })
        }
        await client.query(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
          [migration.version, migration.name, new Date().toISOString()],
        )
        applied.push(migration.version)
      }
      return applied
    })
  }

  async schemaVersion(): Promise<number> {
    return this.withClient('reading the schema version', async (client) => {
      const table = await client.query<{ t: string | null }>(
        "SELECT to_regclass('schema_migrations')::text AS t",
      )
      if (!table.rows[0]?.t) return 0
      const result = await client.query<{ v: number | null }>(
        'SELECT max(version) AS v FROM schema_migrations',
      )
      return Number(result.rows[0]?.v ?? 0)
    })
  }

  /** The newest schema version this code knows. */
  get latestSchemaVersion(): number {
    return latestSchemaVersion
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    // Kysely's PostgreSQL driver ends the pool it was given.
    await this.db.destroy()
  }

  async addObjects(versions: NewObjectVersion[], nowMicros: number): Promise<AddResult[]> {
    if (versions.length === 0) return []
    return this.transaction(
      `adding objects to collection ${versions[0]?.collectionId ?? ''}`,
      async (client) => {
        const collectionIds = [...new Set(versions.map((v) => v.collectionId))].sort()
        const locked = await client.query<{ id: string; last_date_added_micros: number }>(
          this.named(
            'SELECT id, last_date_added_micros FROM collections WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
            [collectionIds],
          ),
        )
        const last = new Map(locked.rows.map((r) => [r.id, Number(r.last_date_added_micros)]))

        const pairKey = (c: string, id: string): string => `${c}\u0000${id}`
        const pairs = new Map<string, [string, string]>()
        for (const v of versions) pairs.set(pairKey(v.collectionId, v.id), [v.collectionId, v.id])
        const pairList = [...pairs.values()]
        const boundRows = await client.query<{ c: string; i: string; mn: string; mx: string }>(
          this.named(
            `SELECT o.collection_id AS c, o.id AS i, min(o.version_key) AS mn, max(o.version_key) AS mx
             FROM objects o JOIN unnest($1::text[], $2::text[]) AS k(c, i)
               ON o.collection_id = k.c AND o.id = k.i
            GROUP BY o.collection_id, o.id`,
            [pairList.map((p) => p[0]), pairList.map((p) => p[1])],
          ),
        )
        const bounds = new Map(
          boundRows.rows.map((r) => [pairKey(r.c, r.i), { min: r.mn, max: r.mx }]),
        )

        const stored = new Map<string, number>()
        const candidates = versions.filter((v) => bounds.has(pairKey(v.collectionId, v.id)))
        if (candidates.length) {
          const found = await client.query<{ c: string; i: string; k: string; m: number }>(
            this.named(
              `SELECT o.collection_id AS c, o.id AS i, o.version_key AS k, o.date_added_micros AS m
               FROM objects o JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(c, i, v)
                 ON o.collection_id = k.c AND o.id = k.i AND o.version_key = k.v`,
              [
                candidates.map((v) => v.collectionId),
                candidates.map((v) => v.id),
                candidates.map(newVersionKey),
              ],
            ),
          )
          for (const r of found.rows) stored.set(`${pairKey(r.c, r.i)}\u0000${r.k}`, Number(r.m))
        }

        const plan = planAdd(versions, nowMicros, {
          lastMicros: (c) => last.get(c),
          bounds: (c, id) => bounds.get(pairKey(c, id)),
          stored: (c, id, key) => stored.get(`${pairKey(c, id)}\u0000${key}`),
        })
        await this.clearFlags(client, plan.flagChanges, 'is_first')
        await this.clearFlags(client, plan.flagChanges, 'is_last')
        for (let start = 0; start < plan.rows.length; start += INSERT_CHUNK) {
          await client.query(
            this.named(INSERT_SQL, insertArrays(plan.rows.slice(start, start + INSERT_CHUNK))),
          )
        }
        if (plan.lastMicros.size) {
          await client.query(
            this.named(
              `UPDATE collections SET last_date_added_micros = k.m
               FROM unnest($1::text[], $2::bigint[]) AS k(id, m) WHERE collections.id = k.id`,
              [[...plan.lastMicros.keys()], [...plan.lastMicros.values()]],
            ),
          )
        }
        return plan.results
      },
    )
  }

  private async clearFlags(
    client: pg.PoolClient,
    changes: FlagChange[],
    flag: 'is_first' | 'is_last',
  ): Promise<void> {
    const mine = changes.filter((c) => c.flag === flag)
    if (!mine.length) return
    await client.query(
      this.named(
        `UPDATE objects o SET ${flag} = FALSE
           FROM unnest($1::text[], $2::text[], $3::text[]) AS k(c, i, v)
          WHERE o.collection_id = k.c AND o.id = k.i AND o.version_key = k.v`,
        [mine.map((c) => c.collectionId), mine.map((c) => c.id), mine.map((c) => c.versionKey)],
      ),
    )
  }

  async queryObjects(query: ObjectQuery): Promise<ObjectPage> {
    return this.withClient(`querying collection ${query.collectionId}`, async (client) => {
      const params: unknown[] = []
      const { sql, limit } = objectQuerySql(postgresSql, params, query, SELECT)
      const rows = (await client.query<unknown[]>({ ...this.named(sql, params), rowMode: 'array' }))
        .rows
      const more = rows.length > limit
      if (more) rows.length = limit
      return { items: rows.map(arrayToVersion), more }
    })
  }

  async getObjectVersions(
    collectionId: string,
    id: string,
    visibility?: VisibilityFilter,
  ): Promise<StoredObjectVersion[]> {
    return this.withClient(`reading versions of ${id}`, async (client) => {
      const params: unknown[] = []
      const sql = objectVersionsSql(postgresSql, params, collectionId, id, visibility, SELECT)
      const result = await client.query<unknown[]>({ ...this.named(sql, params), rowMode: 'array' })
      return result.rows.map(arrayToVersion)
    })
  }

  async findObjectVersions(id: string): Promise<StoredObjectVersion[]> {
    return this.withClient(`finding versions of ${id}`, async (client) => {
      const params: unknown[] = []
      const sql = findObjectVersionsSql(postgresSql, params, id, SELECT)
      const result = await client.query<unknown[]>({ ...this.named(sql, params), rowMode: 'array' })
      return result.rows.map(arrayToVersion)
    })
  }

  async deleteObjects(
    collectionId: string,
    id: string,
    versions: VersionMatch = { kind: 'all' },
    specVersions?: string[],
  ): Promise<number> {
    return this.transaction(`deleting ${id}`, async (client) => {
      // Serialise with writers of the collection, which keep the first/last flags.
      await client.query(
        this.named('SELECT 1 FROM collections WHERE id = $1 FOR UPDATE', [collectionId]),
      )
      const params: unknown[] = []
      const where = objectWhere(postgresSql, params, {
        collectionId,
        ids: [id],
        specVersions,
        versions,
      })
      const deleted = await client.query(`DELETE FROM objects WHERE ${where}`, params)
      const count = deleted.rowCount ?? 0
      if (count > 0) {
        await client.query(
          this.named(
            `UPDATE objects SET
               is_first = (version_key = (SELECT min(version_key) FROM objects WHERE collection_id = $1 AND id = $2)),
               is_last = (version_key = (SELECT max(version_key) FROM objects WHERE collection_id = $1 AND id = $2))
             WHERE collection_id = $1 AND id = $2`,
            [collectionId, id],
          ),
        )
      }
      return count
    })
  }

  async appendAudit(seal: AuditSealer): Promise<AuditRecord[]> {
    return this.transaction('appending to the audit log', async (client) => {
      // EXCLUSIVE conflicts with itself and with every writer, not with readers: appends from
      // all processes queue here, and nobody appends between reading the last entry and the
      // insert. Released at commit or rollback.
      await client.query('LOCK TABLE audit_log IN EXCLUSIVE MODE')
      const result = await client.query<unknown[]>({
        ...this.named(AUDIT_LAST_SQL, []),
        rowMode: 'array',
      })
      const row = result.rows[0]
      const last = row && arrayToAudit(row)
      const records = seal(last)
      checkContinuation(last, records)
      if (records.length) {
        const arrays: unknown[][] = auditColumns.map(() => new Array<unknown>(records.length))
        records.forEach((record, r) => {
          auditValues(record).forEach((value, c) => {
            const column = arrays[c]
            if (column) column[r] = value
          })
        })
        await client.query(this.named(AUDIT_INSERT_SQL, arrays))
      }
      return records
    })
  }

  async listAudit(filter: AuditFilter): Promise<AuditRecord[]> {
    return this.withClient('listing the audit log', async (client) => {
      const params: unknown[] = []
      const sql = auditPageSql(postgresSql, postgresContains, params, filter)
      const result = await client.query<unknown[]>({ ...this.named(sql, params), rowMode: 'array' })
      return result.rows.map(arrayToAudit)
    })
  }

  async lastAudit(): Promise<AuditRecord | undefined> {
    return this.withClient('reading the audit log', async (client) => {
      const result = await client.query<unknown[]>({
        ...this.named(AUDIT_LAST_SQL, []),
        rowMode: 'array',
      })
      const row = result.rows[0]
      return row && arrayToAudit(row)
    })
  }

  async countObjects(collectionId?: string): Promise<number> {
    return this.withClient('counting objects', async (client) => {
      const result =
        collectionId === undefined
          ? await client.query<{ n: number }>('SELECT count(*) AS n FROM objects')
          : await client.query<{ n: number }>(
              this.named('SELECT count(*) AS n FROM objects WHERE collection_id = $1', [
                collectionId,
              ]),
            )
      return Number(result.rows[0]?.n ?? 0)
    })
  }

  async queryObjectJson(query: ObjectQuery): Promise<ObjectJsonPage> {
    return this.withClient(`querying collection ${query.collectionId}`, async (client) => {
      const params: unknown[] = []
      const { sql, limit } = objectQuerySql(
        postgresSql,
        params,
        query,
        jsonPageColumns(query.visibility),
      )
      const result = await client.query<unknown[]>({ ...this.named(sql, params), rowMode: 'array' })
      return arraysToJsonPage(result.rows, limit, query.visibility)
    })
  }
}

/** Array types of the audit insert's unnest, in `auditColumns` order. */
const auditArrayTypes: Record<(typeof auditColumns)[number], string> = {
  seq: 'bigint[]',
  ts: 'text[]',
  ts_micros: 'bigint[]',
  actor_kind: 'text[]',
  actor_id: 'text[]',
  action: 'text[]',
  object_ids: 'text[]',
  collection_id: 'text[]',
  outcome: 'text[]',
  details: 'text[]',
  prev_hash: 'text[]',
  hash: 'text[]',
}

const AUDIT_INSERT_SQL = `INSERT INTO audit_log (${auditSelect})
  SELECT * FROM unnest(${auditColumns.map((c, i) => `$${i + 1}::${auditArrayTypes[c]}`).join(', ')})`

const AUDIT_LAST_SQL = `SELECT ${auditSelect} FROM audit_log ORDER BY seq DESC LIMIT 1`

function insertArrays(rows: PlannedRow[]): unknown[][] {
  const arrays: unknown[][] = objectColumns.map(() => new Array<unknown>(rows.length))
  rows.forEach((row, r) => {
    rowValues(row, (b) => b).forEach((value, c) => {
      const column = arrays[c]
      if (column) column[r] = value
    })
  })
  return arrays
}
