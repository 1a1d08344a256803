/**
 * A throw-away PostgreSQL cluster for tests and benchmarks: `initdb` into a temporary
 * directory, `pg_ctl start` on a free port on 127.0.0.1, removed again by `stop()`.
 * Uses the server binaries under /usr/lib/postgresql/<version>/bin or on PATH.
 * PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

export interface PgCluster {
  /** Connection URL of the `postgres` database as the superuser. */
  url: string
  port: number
  stop(): void
}

function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))
    if (versions[0]) return join(root, versions[0], 'bin')
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' })
  const found = which.stdout.trim()
  return found ? join(found, '..') : undefined
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Why PostgreSQL cannot be started here, or undefined when it can. */
export function postgresUnavailableReason(): string | undefined {
  const bin = findBinDir()
  if (!bin) return 'PostgreSQL server binaries (initdb, pg_ctl) were not found'
  if (userInfo().uid === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    return 'running as root and there is no postgres user to run the cluster as'
  }
  return undefined
}

export async function startPgCluster(): Promise<PgCluster> {
  const bin = findBinDir()
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) were not found')
  const asRoot = userInfo().uid === 0
  const dir = mkdtempSync(join(tmpdir(), 'intelmesh-pg-'))
  const data = join(dir, 'data')
  const run = (cmd: string, args: string[]): void => {
    const full = join(bin, cmd)
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { stdio: 'pipe' })
    else execFileSync(full, args, { stdio: 'pipe' })
  }
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
    chmodSync(dir, 0o700)
  }
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale'])
  const port = await freePort()
  const options = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-k ${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
    '-c shared_buffers=256MB',
  ].join(' ')
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start'])
  let stopped = false
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      if (stopped) return
      stopped = true
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
