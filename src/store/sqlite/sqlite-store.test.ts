import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { latestSchemaVersion, migrations } from '../migrations/migrations.js'
import {
  describeSharingContract,
  expectUpgradedFromVersion2,
  version2Rows,
} from '../sharing.contract.js'
import { describeStoreContract } from '../store.contract.js'
import { SqliteStore } from './sqlite-store.js'

async function memoryStore(): Promise<SqliteStore> {
  const store = SqliteStore.open(':memory:')
  await store.migrate()
  return store
}

describeStoreContract('sqlite :memory:', memoryStore)
describeSharingContract('sqlite :memory:', memoryStore)

describe('SqliteStore', () => {
  const dirs: string[] = []
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'intelmesh-sqlite-'))
    dirs.push(dir)
    return dir
  }
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('starts at schema version 0 and migrates once', async () => {
    const store = SqliteStore.open(':memory:')
    expect(await store.schemaVersion()).toBe(0)
    expect(await store.migrate()).toEqual(migrations.map((m) => m.version))
    expect(await store.migrate()).toEqual([])
    expect(await store.schemaVersion()).toBe(latestSchemaVersion)
    await store.close()
  })

  it('upgrades a schema version 2 database: old rows gain the sharing defaults (migration 3)', async () => {
    const file = join(tempDir(), 'v2.db')
    const old = SqliteStore.open(file, { migrations: migrations.filter((m) => m.version <= 2) })
    expect(await old.migrate()).toEqual([1, 2])
    for (const statement of version2Rows) old.connection.exec(statement)
    await old.close()
    const store = SqliteStore.open(file)
    expect(await store.migrate()).toEqual(
      migrations.filter((m) => m.version > 2).map((m) => m.version),
    )
    expect(await store.schemaVersion()).toBe(latestSchemaVersion)
    await expectUpgradedFromVersion2(store)
    await store.close()
  })

  it('rolls a failing migration back whole and reports STORE_MIGRATION_FAILED naming it', async () => {
    const broken = [
      ...migrations,
      {
        version: 99,
        name: 'broken on purpose',
        statements: () => [
          'CREATE TABLE extra (x INTEGER)',
          'INSERT INTO no_such_table VALUES (1)',
        ],
      },
    ]
    const store = SqliteStore.open(':memory:', { migrations: broken })
    await expect(store.migrate()).rejects.toMatchObject({
      code: 'STORE_MIGRATION_FAILED',
      message: expect.stringContaining('migration 99 (broken on purpose)') as unknown,
    })
    // Nothing of the call stays: not the good migrations before it, not its first statement.
    expect(await store.schemaVersion()).toBe(0)
    const tables = store.connection
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all()
    expect(tables).toEqual([])
    await store.close()
  })

  it('creates the folder of a file database, uses WAL, and reopens with the data kept', async () => {
    const file = join(tempDir(), 'nested', 'node.db')
    const store = SqliteStore.open(file)
    await store.migrate()
    expect(store.connection.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(store.connection.pragma('synchronous', { simple: true })).toBe(1)
    await store.setSetting('k', 'v')
    await store.close()
    await store.close()
    const again = SqliteStore.open(file)
    expect(await again.migrate()).toEqual([])
    expect(await again.getSetting('k')).toBe('v')
    await again.close()
  })

  it('reports a file it cannot open as STORE_UNAVAILABLE naming the path', () => {
    const dir = tempDir()
    expect(() => SqliteStore.open(dir)).toThrow(/STORE|Database unavailable/)
    try {
      SqliteStore.open(dir)
    } catch (error) {
      expect(String(error)).toContain(dir)
    }
  })

  it('refuses work after close with STORE_UNAVAILABLE', async () => {
    const store = SqliteStore.open(':memory:')
    await store.migrate()
    await store.close()
    await expect(store.countObjects()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
  })

  it('writes a consistent backup that opens as a database with the same rows', async () => {
    const dir = tempDir()
    const store = SqliteStore.open(join(dir, 'live.db'))
    await store.migrate()
    await store.setSetting('node.name', 'alpha')
    const pages = await store.backup(join(dir, 'copy.db'))
    expect(pages).toBeGreaterThan(0)
    await store.close()
    const copy = new Database(join(dir, 'copy.db'), { readonly: true })
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(copy.prepare('SELECT value FROM settings WHERE key = ?').pluck().get('node.name')).toBe(
      'alpha',
    )
    copy.close()
  })
})
