/**
 * `intelmesh db migrate` and `intelmesh db backup <file>`: the node's database, found the same
 * way `intelmesh serve` finds it (`--db`, `INTELMESH_DB`, the config file, the data folder).
 */
import { existsSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import Database from 'better-sqlite3'
import type { Command } from 'commander'
import { AppError } from '../../errors.js'
import { loadConfig } from '../../node/config.js'
import { migrations } from '../../store/migrations/migrations.js'
import { SqliteStore } from '../../store/sqlite/sqlite-store.js'
import type { CliContext, CommandRegistrar } from '../context.js'
import { openStore, parseDbUrl } from '../open-store.js'

interface DbOptions {
  db?: string
  config?: string
  dataDir?: string
}

function withDbOptions(command: Command): Command {
  return command
    .option('--db <url>', 'database: sqlite:<path> or postgres://… (default: from the config)')
    .option('--data-dir <dir>', 'the node data directory (its SQLite database is inside)')
    .option('--config <file>', 'node configuration file (JSON)')
}

function dbUrl(ctx: CliContext, options: DbOptions): string {
  const flags = {
    ...(options.db !== undefined ? { db: options.db } : {}),
    ...(options.config !== undefined ? { config: options.config } : {}),
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
  }
  return loadConfig({ flags, env: ctx.env }).db
}

/** The URL with its password replaced, for printing. */
function redact(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return url
  }
}

async function migrate(ctx: CliContext, options: DbOptions): Promise<void> {
  const url = dbUrl(ctx, options)
  const store = await openStore(url)
  try {
    const applied = await store.migrate()
    const version = await store.schemaVersion()
    const where = redact(url)
    if (applied.length === 0) {
      ctx.stdout.write(`${where}: up to date at schema version ${version}\n`)
      return
    }
    for (const v of applied) {
      const name = migrations.find((m) => m.version === v)?.name ?? ''
      ctx.stdout.write(`applied migration ${v}: ${name}\n`)
    }
    ctx.stdout.write(`${where}: now at schema version ${version}\n`)
  } finally {
    await store.close()
  }
}

async function backup(
  ctx: CliContext,
  file: string,
  options: DbOptions & { force?: boolean },
): Promise<void> {
  const url = dbUrl(ctx, options)
  const target = parseDbUrl(url)
  if (target.dialect === 'postgres') {
    const safe = redact(url)
    ctx.stdout.write(
      [
        `${safe} is a PostgreSQL database: back it up with PostgreSQL's own tools, which take a`,
        'consistent snapshot while intelmesh keeps running:',
        '',
        `  pg_dump --format=custom --file='${file}' '${safe}'`,
        '',
        `Restore into an empty database with: pg_restore --dbname=<url> '${file}'`,
        '(pass the password through PGPASSWORD or ~/.pgpass rather than in the URL).',
        '',
      ].join('\n'),
    )
    return
  }
  if (target.filename === ':memory:') {
    throw new AppError('CLI_USAGE', { detail: 'an in-memory database has nothing to back up' })
  }
  const source = resolve(target.filename)
  if (!existsSync(source)) {
    throw new AppError('STORE_NOT_FOUND', { detail: `no database at ${source} to back up` })
  }
  const destination = resolve(file)
  if (destination === source) {
    throw new AppError('CLI_USAGE', { detail: `the backup file ${file} is the database itself` })
  }
  if (existsSync(destination) && !options.force) {
    throw new AppError('CLI_USAGE', {
      detail: `${file} already exists; choose another name or pass --force to overwrite it`,
    })
  }
  // SQLite's backup writes into an existing database file; whatever --force replaces may not be one.
  if (options.force)
    for (const suffix of ['', '-wal', '-shm']) rmSync(destination + suffix, { force: true })
  const store = SqliteStore.open(source)
  let pages: number
  try {
    pages = await store.backup(destination)
  } finally {
    await store.close()
  }
  // The copy must open and pass SQLite's own check before we call it a backup.
  const copy = new Database(destination, { readonly: true, fileMustExist: true })
  try {
    const check: unknown = copy.pragma('quick_check', { simple: true })
    if (check !== 'ok') {
      throw new AppError('STORE_UNAVAILABLE', {
        detail: `the backup ${file} failed its integrity check: ${String(check)}`,
      })
    }
  } finally {
    copy.close()
  }
  ctx.stdout.write(`backed up ${source} to ${destination} (${pages} pages, integrity ok)\n`)
}

export const registerDbCommands: CommandRegistrar = (program, ctx) => {
  const db = program.command('db').description('Maintain the node database')

  withDbOptions(
    db.command('migrate').description('Apply pending schema migrations (safe to run again)'),
  ).action((options: DbOptions) => migrate(ctx, options))

  withDbOptions(
    db
      .command('backup')
      .description(
        'Copy a SQLite database consistently while the node runs (PostgreSQL: prints pg_dump advice)',
      )
      .argument('<file>', 'where to write the copy')
      .option('--force', 'overwrite the file when it exists'),
  ).action((file: string, options: DbOptions & { force?: boolean }) => backup(ctx, file, options))
}
