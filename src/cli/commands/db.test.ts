import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { latestSchemaVersion } from '../../store/migrations/migrations.js'
import { SqliteStore } from '../../store/sqlite/sqlite-store.js'
import { main } from '../main.js'

class Capture extends Writable {
  text = ''
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8')
    done()
  }
}

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await main(['node', 'intelmesh', ...args], {
    stdout,
    stderr,
    stdin: Readable.from(['']),
    env,
  })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'intelmesh-db-cli-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('intelmesh db migrate', () => {
  it('creates the schema, then reports it up to date', async () => {
    const path = join(dir, 'node.db')
    const first = await cli(['db', 'migrate', '--db', `sqlite:${path}`])
    expect(first).toMatchObject({ code: 0, stderr: '' })
    expect(first.stdout).toContain('applied migration 1: initial schema')
    expect(first.stdout).toContain(`now at schema version ${latestSchemaVersion}`)
    const second = await cli(['db', 'migrate'], { INTELMESH_DB: `sqlite:${path}` })
    expect(second.code).toBe(0)
    expect(second.stdout).toContain(`up to date at schema version ${latestSchemaVersion}`)
  })

  it('rejects an unusable --db value naming it, with exit code 2', async () => {
    const result = await cli(['db', 'migrate', '--db', 'mysql://x/y'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('mysql://x/y')
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('intelmesh db backup', () => {
  async function seeded(): Promise<string> {
    const path = join(dir, 'node.db')
    const store = SqliteStore.open(path)
    await store.migrate()
    await store.setSetting('node.name', 'alpha')
    await store.close()
    return path
  }

  it('writes a consistent copy that passes the integrity check, while the node holds the database open', async () => {
    const path = await seeded()
    const live = SqliteStore.open(path)
    await live.setSetting('written.before.backup', 'yes')
    const copy = join(dir, 'copy.db')
    const result = await cli(['db', 'backup', copy, '--db', `sqlite:${path}`])
    await live.close()
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toContain('integrity ok')
    const db = new Database(copy, { readonly: true })
    const value = (key: string): unknown =>
      db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key)
    expect(value('node.name')).toBe('alpha')
    expect(value('written.before.backup')).toBe('yes')
    db.close()
  })

  it('refuses to overwrite an existing file unless --force is given', async () => {
    const path = await seeded()
    const copy = join(dir, 'copy.db')
    writeFileSync(copy, 'precious')
    const refused = await cli(['db', 'backup', copy, '--db', `sqlite:${path}`])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('--force')
    const forced = await cli(['db', 'backup', copy, '--force', '--db', `sqlite:${path}`])
    expect(forced.code).toBe(0)
  })

  it('does not create a database that is not there', async () => {
    const missing = join(dir, 'missing.db')
    const result = await cli(['db', 'backup', join(dir, 'c.db'), '--db', `sqlite:${missing}`])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(missing)
    expect(existsSync(missing)).toBe(false)
  })

  it('prints pg_dump advice for PostgreSQL, without the password, and exits 0', async () => {
    const result = await cli([
      'db',
      'backup',
      'node.dump',
      '--db',
      'postgres://intelmesh:s3cret@127.0.0.1:5432/intel',
    ])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("pg_dump --format=custom --file='node.dump'")
    expect(result.stdout).not.toContain('s3cret')
  })
})
