/**
 * What the admin commands (`org`, `user`, `key`, `collection`) share: the `--db`/`--config`
 * options, opening the node's database through the admin service, and printing results as
 * a table on a terminal, tab-separated lines in a pipe, or JSON with `--json`.
 */
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { AdminService } from '../../accounts/admin-service.js'
import { AppError } from '../../errors.js'
import { loadConfig } from '../../node/config.js'
import type { Store } from '../../store/store.js'
import type { CliContext } from '../context.js'
import { openStore } from '../open-store.js'

export interface AdminOptions {
  db?: string
  config?: string
  dataDir?: string
  json?: boolean
}

/** Adds `--db`, `--config` and `--json` to an admin subcommand. */
export function withAdminOptions(command: Command): Command {
  return command
    .option('--db <url>', 'database: sqlite:<path> or postgres://… (default: from the config)')
    .option('--data-dir <dir>', 'the node data directory (its SQLite database is inside)')
    .option('--config <file>', 'node configuration file (JSON)')
    .option('--json', 'print the result as JSON')
}

/**
 * Opens the node's database (the same one `intelmesh serve` would use) and runs `work` with
 * an admin service over it, closing the store afterwards. A running node may hold it open:
 * SQLite in WAL mode and PostgreSQL both allow a second writer.
 */
export async function runAdmin<T>(
  ctx: CliContext,
  options: AdminOptions,
  work: (admin: AdminService, store: Store) => Promise<T>,
): Promise<T> {
  const flags = {
    ...(options.db !== undefined ? { db: options.db } : {}),
    ...(options.config !== undefined ? { config: options.config } : {}),
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
  }
  const config = loadConfig({ flags, env: ctx.env })
  if (config.db.startsWith('sqlite:') && config.db !== 'sqlite::memory:') {
    const path = config.db.slice('sqlite:'.length)
    // Opening would create an empty database; an admin command on a typo'd path must not.
    if (!existsSync(path)) {
      throw new AppError('STORE_NOT_FOUND', {
        detail: `no database at ${path}; start the node once with \`intelmesh serve\`, or pass --db`,
      })
    }
  }
  const store = await openStore(config.db)
  try {
    if ((await store.schemaVersion()) === 0) {
      throw new AppError('STORE_NOT_FOUND', {
        detail: `the database ${config.db} has no intelmesh schema yet; start the node once with \`intelmesh serve\``,
      })
    }
    return await work(new AdminService(store), store)
  } finally {
    await store.close()
  }
}

/** Prints `value` as indented JSON. */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

/**
 * Prints rows under a header: aligned columns on a terminal, tab-separated lines otherwise
 * (easy to `cut`), and a note instead of an empty table.
 */
export function printTable(
  ctx: CliContext,
  header: string[],
  rows: string[][],
  emptyNote: string,
): void {
  if (rows.length === 0) {
    ctx.stdout.write(`${emptyNote}\n`)
    return
  }
  if (!ctx.stdout.isTTY) {
    for (const row of [header, ...rows]) ctx.stdout.write(`${row.join('\t')}\n`)
    return
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (row: string[]): string =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  ctx.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`)
  for (const row of rows) ctx.stdout.write(`${line(row)}\n`)
}

/** Reads all of standard input, for `--password-stdin`. */
export async function readAllStdin(ctx: CliContext): Promise<string> {
  const chunks: string[] = []
  ctx.stdin.setEncoding('utf8')
  for await (const chunk of ctx.stdin) chunks.push(String(chunk))
  return chunks.join('')
}
