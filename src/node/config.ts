/**
 * Node configuration: defaults, then a JSON file (`--config file`), then environment variables,
 * then command-line flags; a later source wins key by key. Every value is validated, and an
 * error names the key and the source it came from.
 *
 * | file key              | environment                        | flag                      |
 * | --------------------- | ---------------------------------- | ------------------------- |
 * | `listen`              | `INTELMESH_LISTEN`                 | `--listen host:port`      |
 * | `dataDir`             | `INTELMESH_DATA_DIR`               | `--data-dir dir`          |
 * | `db`                  | `INTELMESH_DB`                     | `--db url`                |
 * | `tlsCert`, `tlsKey`   | `INTELMESH_TLS_CERT`, `_TLS_KEY`   | `--tls-cert`, `--tls-key` |
 * | `allowInsecurePublic` | `INTELMESH_ALLOW_INSECURE_PUBLIC`  | `--allow-insecure-public` |
 * | `adminPassword`       | `INTELMESH_ADMIN_PASSWORD`         |                           |
 * | `nodeName`            | `INTELMESH_NODE_NAME`              | `--node-name`             |
 * | `shutdownTimeoutMs`   | `INTELMESH_SHUTDOWN_TIMEOUT_MS`    |                           |
 * | `syncIntervalSeconds` | `INTELMESH_SYNC_INTERVAL_SECONDS`  | `--sync-interval-seconds` |
 *
 * Relative paths in the file are relative to the file; elsewhere, to the working directory.
 */
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import { passwordProblem } from '../accounts/password.js'
import { AppError } from '../errors.js'

export interface ListenAddress {
  host: string
  port: number
}

export interface NodeConfig {
  listen: ListenAddress
  /** Absolute path of the data directory. */
  dataDir: string
  /** `sqlite:<absolute path>`, `sqlite::memory:` or a `postgres://` URL. */
  db: string
  tls: { cert: string; key: string } | null
  allowInsecurePublic: boolean
  adminPassword: string | undefined
  nodeName: string
  /** How long shutdown waits for in-flight requests before cutting connections. */
  shutdownTimeoutMs: number
  /** Seconds between the sync scheduler's rounds over the peers (issue 6); 0 turns it off. */
  syncIntervalSeconds: number
  /** Where each key's value came from, for `--print-config` and error messages. */
  sources: Record<ConfigKey, string>
}

/** What commander hands over; every flag optional. */
export interface ConfigFlags {
  config?: string
  listen?: string
  dataDir?: string
  db?: string
  tlsCert?: string
  tlsKey?: string
  allowInsecurePublic?: boolean
  nodeName?: string
  /** Whole seconds, as typed on the command line. */
  syncIntervalSeconds?: string
}

const configKeys = [
  'listen',
  'dataDir',
  'db',
  'tlsCert',
  'tlsKey',
  'allowInsecurePublic',
  'adminPassword',
  'nodeName',
  'shutdownTimeoutMs',
  'syncIntervalSeconds',
] as const
export type ConfigKey = (typeof configKeys)[number]

const envNames: Record<ConfigKey, string> = {
  listen: 'INTELMESH_LISTEN',
  dataDir: 'INTELMESH_DATA_DIR',
  db: 'INTELMESH_DB',
  tlsCert: 'INTELMESH_TLS_CERT',
  tlsKey: 'INTELMESH_TLS_KEY',
  allowInsecurePublic: 'INTELMESH_ALLOW_INSECURE_PUBLIC',
  adminPassword: 'INTELMESH_ADMIN_PASSWORD',
  nodeName: 'INTELMESH_NODE_NAME',
  shutdownTimeoutMs: 'INTELMESH_SHUTDOWN_TIMEOUT_MS',
  syncIntervalSeconds: 'INTELMESH_SYNC_INTERVAL_SECONDS',
}

const flagNames: Partial<Record<ConfigKey, string>> = {
  listen: '--listen',
  dataDir: '--data-dir',
  db: '--db',
  tlsCert: '--tls-cert',
  tlsKey: '--tls-key',
  allowInsecurePublic: '--allow-insecure-public',
  nodeName: '--node-name',
  syncIntervalSeconds: '--sync-interval-seconds',
}

/** One day: a longer sync interval is more likely a unit mistake than a wish. */
const MAX_SYNC_INTERVAL_SECONDS = 86_400
/** The sync scheduler's default interval. */
export const DEFAULT_SYNC_INTERVAL_SECONDS = 60

/** Parses whole seconds for `syncIntervalSeconds`; undefined when not 0-86400. */
function parseSyncInterval(raw: string): number | undefined {
  if (!/^\s*\d+\s*$/.test(raw)) return undefined
  const n = Number(raw)
  return n <= MAX_SYNC_INTERVAL_SECONDS ? n : undefined
}

function syncIntervalProblem(raw: string): string {
  return `"${raw}" is not a whole number of seconds (0-${MAX_SYNC_INTERVAL_SECONDS}; 0 turns the scheduler off)`
}

const nonEmpty = z.string().trim().min(1, 'must not be empty')
const fileSchema = z.strictObject({
  listen: nonEmpty.optional(),
  dataDir: nonEmpty.optional(),
  db: nonEmpty.optional(),
  tlsCert: nonEmpty.optional(),
  tlsKey: nonEmpty.optional(),
  allowInsecurePublic: z.boolean().optional(),
  adminPassword: nonEmpty.optional(),
  nodeName: nonEmpty.optional(),
  shutdownTimeoutMs: z.number().int().min(0).max(600_000).optional(),
  syncIntervalSeconds: z.number().int().min(0).max(MAX_SYNC_INTERVAL_SECONDS).optional(),
})
type Layer = z.infer<typeof fileSchema>

interface SourcedLayer {
  values: Layer
  /** Describes where a key came from: `config file x.json`, `INTELMESH_DB`, `--db`. */
  source: (key: ConfigKey) => string
  /** Directory relative paths resolve against. */
  baseDir: string
}

function configError(key: string, source: string, problem: string): AppError {
  return new AppError('CONFIG_INVALID', {
    detail: `${key} (from ${source}): ${problem}`,
    details: { key, source },
  })
}

function readFileLayer(path: string, cwd: string): SourcedLayer {
  const full = resolve(cwd, path)
  const label = `config file ${path}`
  let text: string
  try {
    text = readFileSync(full, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new AppError('CONFIG_INVALID', {
      detail: `cannot read ${label} (${reason})`,
      cause: error,
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new AppError('CONFIG_INVALID', {
      detail: `${label} is not JSON: ${message}`,
      cause: error,
    })
  }
  const parsed = fileSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    if (issue?.code === 'unrecognized_keys') {
      throw configError(
        issue.keys.join(', '),
        label,
        `unknown key; known keys are ${configKeys.join(', ')}`,
      )
    }
    const key = issue?.path[0]
    if (key === undefined)
      throw new AppError('CONFIG_INVALID', { detail: `${label} must hold a JSON object` })
    throw configError(String(key), label, issue?.message ?? 'invalid value')
  }
  return { values: parsed.data, source: () => label, baseDir: dirname(full) }
}

function parseBoolean(key: ConfigKey, source: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true
  if (/^(0|false|no|off)$/i.test(value)) return false
  throw configError(key, source, `"${value}" is not a boolean (true/false, 1/0)`)
}

function envLayer(env: Record<string, string | undefined>, cwd: string): SourcedLayer {
  const values: Layer = {}
  for (const key of configKeys) {
    const name = envNames[key]
    const raw = env[name]
    if (raw === undefined || raw === '') continue
    if (key === 'allowInsecurePublic') values[key] = parseBoolean(key, name, raw)
    else if (key === 'shutdownTimeoutMs') {
      const n = Number(raw)
      if (!Number.isInteger(n) || n < 0 || n > 600_000) {
        throw configError(key, name, `"${raw}" is not a whole number of milliseconds (0-600000)`)
      }
      values[key] = n
    } else if (key === 'syncIntervalSeconds') {
      const n = parseSyncInterval(raw)
      if (n === undefined) throw configError(key, name, syncIntervalProblem(raw))
      values[key] = n
    } else values[key] = raw
  }
  return { values, source: (key) => envNames[key], baseDir: cwd }
}

function flagLayer(flags: ConfigFlags, cwd: string): SourcedLayer {
  const values: Layer = {}
  const keys = ['listen', 'dataDir', 'db', 'tlsCert', 'tlsKey', 'nodeName'] as const
  for (const key of keys) {
    const value = flags[key]
    if (value === undefined) continue
    if (value.trim() === '') throw configError(key, flagNames[key] ?? key, 'must not be empty')
    values[key] = value
  }
  if (flags.allowInsecurePublic) values.allowInsecurePublic = true
  if (flags.syncIntervalSeconds !== undefined) {
    const n = parseSyncInterval(flags.syncIntervalSeconds)
    if (n === undefined) {
      throw configError(
        'syncIntervalSeconds',
        '--sync-interval-seconds',
        syncIntervalProblem(flags.syncIntervalSeconds),
      )
    }
    values.syncIntervalSeconds = n
  }
  return { values, source: (key) => flagNames[key] ?? key, baseDir: cwd }
}

/** Parses `host:port` or `[v6]:port`; port 0 asks the system for a free port. */
export function parseListen(value: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value.trim())
  if (!match) return undefined
  const port = Number(match[3])
  if (port > 65535) return undefined
  return { host: match[1] ?? match[2] ?? '', port }
}

/** True when `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

function resolveDb(db: string, baseDir: string): string | undefined {
  if (/^postgres(ql)?:\/\//i.test(db)) return db
  // A bare path to a SQLite file is accepted too, as `--db` accepts it elsewhere.
  const bare = /\.(db|sqlite|sqlite3)$/i.test(db) && !/^[a-z][a-z0-9+.-]*:/i.test(db)
  if (!bare && !/^sqlite:/i.test(db)) return undefined
  let path = bare ? db : db.slice('sqlite:'.length)
  if (path.startsWith('//')) path = path.slice(2)
  if (path === '') return undefined
  if (path === ':memory:') return db
  return `sqlite:${isAbsolute(path) ? path : resolve(baseDir, path)}`
}

export interface LoadConfigInput {
  flags?: ConfigFlags
  env?: Record<string, string | undefined>
  cwd?: string
}

/** Reads and validates the node configuration from file, environment and flags. */
export function loadConfig(input: LoadConfigInput = {}): NodeConfig {
  const env = input.env ?? {}
  const flags = input.flags ?? {}
  const cwd = input.cwd ?? process.cwd()
  const configPath = flags.config ?? env['INTELMESH_CONFIG']
  const layers: SourcedLayer[] = []
  if (configPath !== undefined && configPath !== '') layers.push(readFileLayer(configPath, cwd))
  layers.push(envLayer(env, cwd), flagLayer(flags, cwd))

  const merged: Record<string, { value: unknown; source: string; baseDir: string }> = {}
  for (const layer of layers) {
    for (const key of configKeys) {
      const value = layer.values[key]
      if (value !== undefined)
        merged[key] = { value, source: layer.source(key), baseDir: layer.baseDir }
    }
  }
  const sources = Object.fromEntries(
    configKeys.map((key) => [key, merged[key]?.source ?? 'default']),
  ) as Record<ConfigKey, string>
  const str = (key: ConfigKey): { value: string; source: string; baseDir: string } | undefined => {
    const entry = merged[key]
    return entry && typeof entry.value === 'string'
      ? { value: entry.value, source: entry.source, baseDir: entry.baseDir }
      : undefined
  }

  const listenEntry = str('listen')
  const listen = parseListen(listenEntry?.value ?? '127.0.0.1:8080')
  if (!listen) {
    throw configError(
      'listen',
      sources.listen,
      `"${listenEntry?.value ?? ''}" is not host:port (for example 127.0.0.1:8080 or [::1]:8080)`,
    )
  }

  const dataDirEntry = str('dataDir')
  const dataDir = resolve(dataDirEntry?.baseDir ?? cwd, dataDirEntry?.value ?? 'intelmesh-data')

  const dbEntry = str('db')
  let db = `sqlite:${resolve(dataDir, 'intelmesh.db')}`
  if (dbEntry) {
    const resolved = resolveDb(dbEntry.value, dbEntry.baseDir)
    if (!resolved) {
      throw configError(
        'db',
        dbEntry.source,
        `"${dbEntry.value}" is not sqlite:<path>, sqlite::memory: or a postgres:// URL`,
      )
    }
    db = resolved
  }

  const cert = str('tlsCert')
  const key = str('tlsKey')
  if ((cert === undefined) !== (key === undefined)) {
    const given = cert ?? key
    throw configError(
      cert ? 'tlsKey' : 'tlsCert',
      given?.source ?? 'default',
      'TLS needs both a certificate (tlsCert) and a private key (tlsKey)',
    )
  }
  const tls =
    cert && key
      ? { cert: resolve(cert.baseDir, cert.value), key: resolve(key.baseDir, key.value) }
      : null

  const allowInsecurePublic = merged['allowInsecurePublic']?.value === true
  if (!isLoopbackHost(listen.host) && !tls && !allowInsecurePublic) {
    throw configError(
      'listen',
      sources.listen,
      `${listen.host} is not a loopback address; refusing to serve it without TLS ` +
        '(--tls-cert/--tls-key) unless --allow-insecure-public is given',
    )
  }

  const adminPassword = str('adminPassword')
  const passwordIssue = adminPassword && passwordProblem(adminPassword.value)
  if (adminPassword && passwordIssue) {
    throw configError('adminPassword', adminPassword.source, passwordIssue)
  }

  const shutdown = merged['shutdownTimeoutMs']?.value
  const syncInterval = merged['syncIntervalSeconds']?.value
  return {
    listen,
    dataDir,
    db,
    tls,
    allowInsecurePublic,
    adminPassword: adminPassword?.value,
    nodeName: str('nodeName')?.value.trim() ?? 'intelmesh',
    shutdownTimeoutMs: typeof shutdown === 'number' ? shutdown : 10_000,
    syncIntervalSeconds:
      typeof syncInterval === 'number' ? syncInterval : DEFAULT_SYNC_INTERVAL_SECONDS,
    sources,
  }
}

/** `host:port` as a URL authority (IPv6 in brackets). */
export function formatListen(address: ListenAddress): string {
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`
}
