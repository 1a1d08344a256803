/**
 * Turns a `--db` value into a Store adapter: `sqlite:path`, `sqlite::memory:`, a bare path
 * ending in `.db`/`.sqlite`/`.sqlite3`, or a `postgres://`/`postgresql://` URL. Only the CLI
 * (the composition root) and tests pick an adapter.
 */
import { AppError } from '../errors.js'
import { PostgresStore } from '../store/postgres/postgres-store.js'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Store } from '../store/store.js'

/** The database used when neither `--db` nor `INTELMESH_DB` names one. */
export const DEFAULT_DB_URL = 'sqlite:./intelmesh-data/intelmesh.db'

export type DbTarget =
  { dialect: 'sqlite'; filename: string } | { dialect: 'postgres'; url: string }

/** Parses a `--db` value; a value it cannot use is an AppError STORE_BAD_URL naming it. */
export function parseDbUrl(value: string): DbTarget {
  const trimmed = value.trim()
  const bad = (why: string): AppError =>
    new AppError('STORE_BAD_URL', {
      detail: `"${value}" ${why}; use sqlite:<path>, sqlite::memory: or postgres://user@host:port/database`,
      details: { value },
    })
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    let url: URL
    try {
      url = new URL(trimmed)
    } catch (error) {
      throw Object.assign(bad('is not a valid URL'), { cause: error })
    }
    if (!url.hostname && !url.searchParams.has('host')) throw bad('names no host')
    return { dialect: 'postgres', url: trimmed }
  }
  if (/^sqlite:/i.test(trimmed)) {
    let filename = trimmed.slice('sqlite:'.length)
    // sqlite:///abs/path and sqlite://rel/path, as other tools write them.
    if (filename.startsWith('//')) filename = filename.slice(2)
    if (filename === '') throw bad('names no file')
    return { dialect: 'sqlite', filename }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) throw bad('uses an unsupported scheme')
  if (/\.(db|sqlite|sqlite3)$/i.test(trimmed)) return { dialect: 'sqlite', filename: trimmed }
  throw bad(trimmed === '' ? 'is empty' : 'is neither a SQLite path nor a PostgreSQL URL')
}

export interface OpenStoreOptions {
  /** Apply pending migrations before returning (default false). */
  migrate?: boolean
}

/** Opens the store a `--db` value names (not migrated unless asked). */
export async function openStore(value: string, options: OpenStoreOptions = {}): Promise<Store> {
  const target = parseDbUrl(value)
  let store: Store
  switch (target.dialect) {
    case 'sqlite':
      store = SqliteStore.open(target.filename)
      break
    case 'postgres':
      store = PostgresStore.open(target.url)
      break
  }
  if (options.migrate) {
    try {
      await store.migrate()
    } catch (error) {
      await store.close()
      throw error
    }
  }
  return store
}
