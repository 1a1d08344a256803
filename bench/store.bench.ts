/**
 * Store benchmark: ingest through `addObjects` (1,000-object calls) against the raw limit
 * (bare better-sqlite3 prepared INSERTs of the same rows in 1,000-row transactions), then
 * keyset paging (limit 1,000) against a bare keyset query over the same table, and
 * single-object and `match[type]` + `added_after` latencies. SQLite, and PostgreSQL when the
 * server binaries are there.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { latestSchemaVersion, migrations } from '../src/store/migrations/migrations.js'
import { objectColumns, planAdd, rowValues, selectColumns } from '../src/store/sql/object-rows.js'
import { PostgresStore } from '../src/store/postgres/postgres-store.js'
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js'
import type { NewObjectVersion, Store } from '../src/store/store.js'
import { versionKeyOf } from '../src/store/timestamps.js'
import { postgresUnavailableReason, startPgCluster } from '../test/pg-cluster.js'
import { percentiles, ratePerSecond, timeIt, type Benchmark, type BenchContext } from './harness.js'

const COLLECTION = '91a7b528-80eb-42ed-a74d-c6fbd5a26116'
const TYPES = ['indicator', 'malware', 'threat-actor', 'report', 'ipv4-addr']
const BATCH = 1000

function makeObject(n: number): NewObjectVersion {
  const type = TYPES[n % TYPES.length] ?? 'indicator'
  const id = `${type}--${String(n).padStart(8, '0')}-5b8a-4c2e-9d1f-${String(n % 1e12).padStart(12, '0')}`
  const modified = new Date(Date.UTC(2026, 0, 1) + n).toISOString()
  const json = JSON.stringify({
    type,
    spec_version: '2.1',
    id,
    created: modified,
    modified,
    name: `Object ${n} seen in campaign ${n % 97}`,
    description: 'A generated object of a benchmark: '.repeat(4),
    pattern: `[ipv4-addr:value = '10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}']`,
    pattern_type: 'stix',
    valid_from: modified,
    labels: ['malicious-activity'],
    object_marking_refs: ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'],
  })
  return {
    collectionId: COLLECTION,
    id,
    type,
    specVersion: '2.1',
    version: modified,
    versionKey: versionKeyOf(modified),
    json,
    publisherOrgId: 'org-1',
    publisherActor: 'user-1',
    markingRefs: ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'],
    tlp: 'green',
    distribution: { scope: 'community', groups: [], recipients: [] },
    anonymous: false,
    originPeer: null,
    revoked: false,
  }
}

async function seed(store: Store): Promise<void> {
  await store.migrate()
  await store.createApiRoot({
    id: 'root',
    path: 'api1',
    title: 'bench',
    description: null,
    maxContentLength: 1e8,
    createdAt: '2026-01-01T00:00:00Z',
  })
  await store.createCollection({
    id: COLLECTION,
    apiRootId: 'root',
    alias: 'bench',
    title: 'bench',
    description: null,
    mediaTypes: [],
    defaultDistribution: { scope: 'community', groups: [], recipients: [] },
    public: false,
    createdAt: '2026-01-01T00:00:00Z',
  })
}

function makeBatch(start: number, end: number): NewObjectVersion[] {
  const batch: NewObjectVersion[] = []
  for (let n = start; n < end; n++) batch.push(makeObject(n))
  return batch
}

/** Adds objects [from, to) in 1,000-object calls; returns objects/s (building them untimed). */
async function ingest(store: Store, from: number, to: number): Promise<number> {
  let now = Date.now() * 1000
  let ms = 0
  for (let start = from; start < to; start += BATCH) {
    const batch = makeBatch(start, Math.min(to, start + BATCH))
    ms += await timeIt(() => store.addObjects(batch, now++))
  }
  return ratePerSecond(to - from, ms)
}

/** The same rows through bare prepared INSERTs in 1,000-row transactions. */
function rawSqliteInsert(file: string, from: number, to: number): number {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'objects'").get()) {
    for (const statement of migrations.flatMap((m) => m.statements('sqlite'))) db.exec(statement)
  }
  const insert = db.prepare(
    `INSERT INTO objects (${objectColumns.join(', ')}) VALUES (${objectColumns.map(() => '?').join(', ')})`,
  )
  let micros = Date.now() * 1000 + from
  let ms = 0
  for (let start = from; start < to; start += BATCH) {
    const batch = makeBatch(start, Math.min(to, start + BATCH))
    const plan = planAdd(batch, micros, {
      lastMicros: () => micros,
      bounds: () => undefined,
      stored: () => undefined,
    })
    micros += batch.length + 1
    const rows = plan.rows.map((row) => rowValues(row, (b) => (b ? 1 : 0)))
    const began = performance.now()
    db.transaction(() => {
      for (const row of rows) insert.run(row)
    })()
    ms += performance.now() - began
  }
  db.close()
  return ratePerSecond(to - from, ms)
}

async function readFigures(
  store: Store,
  total: number,
  bareKeyset: (after: number) => Promise<number | undefined> | number | undefined,
  ctx: BenchContext,
): Promise<Record<string, unknown>> {
  const barePass = async (): Promise<{ rows: number; ms: number }> => {
    let rows = 0
    let after = 0
    const ms = await timeIt(async () => {
      for (;;) {
        const last = await bareKeyset(after)
        if (last === undefined) break
        rows += 1000
        after = last
      }
    })
    return { rows, ms }
  }
  // An untimed pass first, so neither side pays for reading the file into the page cache.
  await barePass()
  let cursor: number | undefined
  let seen = 0
  const pagingMs = await timeIt(async () => {
    for (;;) {
      const page = await store.queryObjects({
        collectionId: COLLECTION,
        limit: 1000,
        ...(cursor === undefined ? {} : { afterMicros: cursor }),
      })
      seen += page.items.length
      cursor = page.items.at(-1)?.dateAddedMicros ?? cursor
      if (!page.more) break
    }
  })
  if (seen !== total) throw new Error(`paging saw ${seen} of ${total} objects`)
  const bare = await barePass()
  const getSamples: number[] = []
  const typeSamples: number[] = []
  for (let i = 0; i < 500; i++) {
    const n = Math.floor((i * 7919) % total)
    const id = makeObject(n).id
    getSamples.push(
      await timeIt(() => store.queryObjects({ collectionId: COLLECTION, ids: [id], limit: 10 })),
    )
    typeSamples.push(
      await timeIt(() =>
        store.queryObjects({
          collectionId: COLLECTION,
          types: ['malware'],
          addedAfterMicros: (cursor ?? 0) - total + n,
          limit: 100,
        }),
      ),
    )
  }
  const figures = {
    pagingObjectsPerSecond: ratePerSecond(total, pagingMs),
    bareKeysetRowsPerSecond: bare.rows ? ratePerSecond(bare.rows, bare.ms) : null,
    getByIdMs: percentiles(getSamples),
    typeAddedAfterPageMs: percentiles(typeSamples),
  }
  ctx.log(
    `  paging ${figures.pagingObjectsPerSecond} objects/s (bare keyset ${figures.bareKeysetRowsPerSecond} rows/s)`,
  )
  ctx.log(`  get by id: median ${figures.getByIdMs.median} ms, p99 ${figures.getByIdMs.p99} ms`)
  ctx.log(
    `  match[type]+added_after page of 100: median ${figures.typeAddedAfterPageMs.median} ms, p99 ${figures.typeAddedAfterPageMs.p99} ms`,
  )
  return figures
}

async function sqliteFigures(ctx: BenchContext, total: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'intelmesh-store-bench-'))
  try {
    const head = Math.min(100_000, Math.floor(total / 2 / BATCH) * BATCH)
    const tail = Math.min(20 * BATCH, total - head)
    // Warm the JIT and the statement caches on throw-away databases before timing anything.
    rawSqliteInsert(join(dir, 'warm-raw.db'), 0, 5 * BATCH)
    const warm = SqliteStore.open(join(dir, 'warm.db'))
    await seed(warm)
    await ingest(warm, 0, 5 * BATCH)
    await warm.close()
    const rawEmpty = rawSqliteInsert(join(dir, 'raw.db'), 0, head)
    const store = SqliteStore.open(join(dir, 'store.db'))
    await seed(store)
    const empty = await ingest(store, 0, head)
    ctx.log(
      `sqlite: ingest onto an empty store ${empty} objects/s; raw ${rawEmpty} rows/s (${(empty / rawEmpty).toFixed(2)}x)`,
    )
    if (total - tail > head) {
      await ingest(store, head, total - tail)
      rawSqliteInsert(join(dir, 'raw.db'), head, total - tail)
    }
    const rawFull = rawSqliteInsert(join(dir, 'raw.db'), total - tail, total)
    const full = await ingest(store, total - tail, total)
    ctx.log(
      `sqlite: ingest at ${total} objects ${full} objects/s; raw (same table size) ${rawFull} rows/s`,
    )
    const bare = store.connection.prepare(
      `SELECT ${selectColumns.join(', ')} FROM objects
        WHERE collection_id = ? AND date_added_micros > ? ORDER BY date_added_micros LIMIT 1000`,
    )
    const reads = await readFigures(
      store,
      total,
      (after) => {
        // Arrays, not keyed objects: the barest way better-sqlite3 returns rows.
        const rows = bare.raw(true).all(COLLECTION, after) as [string, number][]
        return rows.length === 1000 ? rows.at(-1)?.[1] : undefined
      },
      ctx,
    )
    await store.close()
    return {
      schemaVersion: latestSchemaVersion,
      objects: total,
      ingestEmptyObjectsPerSecond: empty,
      rawInsertEmptyRowsPerSecond: rawEmpty,
      ingestFullObjectsPerSecond: full,
      rawInsertFullRowsPerSecond: rawFull,
      ...reads,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function postgresFigures(ctx: BenchContext, total: number): Promise<Record<string, unknown>> {
  const reason = postgresUnavailableReason()
  if (reason) {
    ctx.log(`postgres: skipped (${reason})`)
    return { skipped: reason }
  }
  const cluster = await startPgCluster()
  const count = total
  const head = Math.min(100_000, Math.floor(total / 2 / BATCH) * BATCH)
  const tail = Math.min(20 * BATCH, total - head)
  try {
    const store = PostgresStore.open(cluster.url)
    await seed(store)
    const empty = await ingest(store, 0, head)
    ctx.log(`postgres: ingest onto an empty store ${empty} objects/s`)
    if (total - tail > head) await ingest(store, head, total - tail)
    const full = await ingest(store, total - tail, total)
    ctx.log(`postgres: ingest at ${total} objects ${full} objects/s`)
    const client = new pg.Client({ connectionString: cluster.url })
    await client.connect()
    await client.query('ANALYZE objects')
    const reads = await readFigures(
      store,
      count,
      async (after) => {
        const result = await client.query<[string, string]>({
          text: `SELECT ${selectColumns.join(', ')} FROM objects
            WHERE collection_id = $1 AND date_added_micros > $2 ORDER BY date_added_micros LIMIT 1000`,
          values: [COLLECTION, after],
          rowMode: 'array',
        })
        return result.rows.length === 1000 ? Number(result.rows.at(-1)?.[1]) : undefined
      },
      ctx,
    )
    await client.end()
    await store.close()
    return {
      objects: count,
      ingestEmptyObjectsPerSecond: empty,
      ingestFullObjectsPerSecond: full,
      ...reads,
    }
  } finally {
    cluster.stop()
  }
}

export const storeBenchmark: Benchmark = {
  name: 'store',
  description: 'Store adapters: addObjects ingest vs raw inserts, keyset paging, lookups',
  async run(ctx) {
    const total = ctx.quick ? 30_000 : 1_000_000
    return {
      sqlite: await sqliteFigures(ctx, total),
      postgres: await postgresFigures(ctx, total),
    }
  },
}
