import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../errors.js'
import { isLoopbackHost, loadConfig, parseListen } from './config.js'

let dir: string
const cwd = '/srv/node'

function writeConfig(name: string, content: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

function configErrorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (isAppError(error, 'CONFIG_INVALID')) return error.message
    throw error
  }
  throw new Error('expected a CONFIG_INVALID error')
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'intelmesh-config-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('loadConfig', () => {
  it('uses safe defaults: loopback 8080, ./intelmesh-data, SQLite inside it', () => {
    const config = loadConfig({ cwd })
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080 })
    expect(config.dataDir).toBe('/srv/node/intelmesh-data')
    expect(config.db).toBe('sqlite:/srv/node/intelmesh-data/intelmesh.db')
    expect(config.tls).toBeNull()
    expect(config.sources.listen).toBe('default')
  })

  it('derives the default database from a configured data directory', () => {
    const config = loadConfig({ cwd, env: { INTELMESH_DATA_DIR: 'state' } })
    expect(config.db).toBe('sqlite:/srv/node/state/intelmesh.db')
  })

  it('lets the environment override the file and flags override both', () => {
    const file = writeConfig('layers.json', {
      listen: '127.0.0.1:9001',
      db: 'sqlite:file.db',
      nodeName: 'from-file',
    })
    const fileOnly = loadConfig({ cwd, flags: { config: file } })
    expect(fileOnly.listen.port).toBe(9001)
    expect(fileOnly.nodeName).toBe('from-file')
    // Relative paths in a file are relative to the file, not to the working directory.
    expect(fileOnly.db).toBe(`sqlite:${join(dir, 'file.db')}`)

    const env = { INTELMESH_LISTEN: '127.0.0.1:9002', INTELMESH_DB: 'sqlite:env.db' }
    const withEnv = loadConfig({ cwd, env, flags: { config: file } })
    expect(withEnv.listen.port).toBe(9002)
    expect(withEnv.db).toBe('sqlite:/srv/node/env.db')
    expect(withEnv.nodeName).toBe('from-file')
    expect(withEnv.sources.listen).toBe('INTELMESH_LISTEN')

    const withFlags = loadConfig({
      cwd,
      env,
      flags: { config: file, listen: '127.0.0.1:9003', db: 'postgres://u@127.0.0.1:5432/db' },
    })
    expect(withFlags.listen.port).toBe(9003)
    expect(withFlags.db).toBe('postgres://u@127.0.0.1:5432/db')
    expect(withFlags.sources.listen).toBe('--listen')
    expect(withFlags.sources.nodeName).toContain('config file')
  })

  it('reads the config file named by INTELMESH_CONFIG', () => {
    const file = writeConfig('env-named.json', { nodeName: 'named-by-env' })
    expect(loadConfig({ cwd, env: { INTELMESH_CONFIG: file } }).nodeName).toBe('named-by-env')
  })

  it('takes the admin password from INTELMESH_ADMIN_PASSWORD', () => {
    const config = loadConfig({ cwd, env: { INTELMESH_ADMIN_PASSWORD: 'correct horse battery' } })
    expect(config.adminPassword).toBe('correct horse battery')
  })

  it('names the key and the file for an unknown key', () => {
    const file = writeConfig('unknown.json', { listen: '127.0.0.1:1', lissen: 'x' })
    const message = configErrorOf(() => loadConfig({ cwd, flags: { config: file } }))
    expect(message).toContain('lissen')
    expect(message).toContain('config file')
  })

  it('names the key and the file for a value of the wrong type', () => {
    const file = writeConfig('wrong-type.json', { allowInsecurePublic: 'yes' })
    const message = configErrorOf(() => loadConfig({ cwd, flags: { config: file } }))
    expect(message).toMatch(/allowInsecurePublic \(from config file .*wrong-type\.json\)/)
  })

  it('reports a config file that is not JSON or cannot be read', () => {
    const file = writeConfig('broken.json', '{ "listen": ')
    expect(configErrorOf(() => loadConfig({ cwd, flags: { config: file } }))).toContain(
      'is not JSON',
    )
    expect(
      configErrorOf(() => loadConfig({ cwd, flags: { config: join(dir, 'missing.json') } })),
    ).toContain('ENOENT')
    const array = writeConfig('array.json', [1, 2])
    expect(configErrorOf(() => loadConfig({ cwd, flags: { config: array } }))).toContain(
      'JSON object',
    )
  })

  it('names the environment variable holding a bad value', () => {
    expect(configErrorOf(() => loadConfig({ cwd, env: { INTELMESH_LISTEN: 'nope' } }))).toContain(
      'listen (from INTELMESH_LISTEN)',
    )
    expect(
      configErrorOf(() => loadConfig({ cwd, env: { INTELMESH_ALLOW_INSECURE_PUBLIC: 'maybe' } })),
    ).toContain('INTELMESH_ALLOW_INSECURE_PUBLIC')
    expect(
      configErrorOf(() => loadConfig({ cwd, env: { INTELMESH_SHUTDOWN_TIMEOUT_MS: '-5' } })),
    ).toContain('INTELMESH_SHUTDOWN_TIMEOUT_MS')
  })

  it('accepts a bare SQLite file path and sqlite:// spellings', () => {
    expect(loadConfig({ cwd, flags: { db: 'data/node.db' } }).db).toBe(
      'sqlite:/srv/node/data/node.db',
    )
    expect(loadConfig({ cwd, flags: { db: 'sqlite:///var/im.db' } }).db).toBe('sqlite:/var/im.db')
    expect(loadConfig({ cwd, flags: { db: 'sqlite::memory:' } }).db).toBe('sqlite::memory:')
  })

  it('refuses a weak admin password before anything starts, naming its variable', () => {
    expect(
      configErrorOf(() => loadConfig({ cwd, env: { INTELMESH_ADMIN_PASSWORD: 'admin' } })),
    ).toContain('adminPassword (from INTELMESH_ADMIN_PASSWORD): a password must have at least 12')
  })

  it('names the flag holding a bad database URL', () => {
    expect(configErrorOf(() => loadConfig({ cwd, flags: { db: 'mysql://x' } }))).toContain(
      'db (from --db)',
    )
  })

  it('refuses a public listener without TLS or --allow-insecure-public (DESIGN.md)', () => {
    const message = configErrorOf(() => loadConfig({ cwd, flags: { listen: '0.0.0.0:8080' } }))
    expect(message).toContain('not a loopback address')
    expect(
      loadConfig({ cwd, flags: { listen: '0.0.0.0:8080', allowInsecurePublic: true } }).listen,
    ).toEqual({ host: '0.0.0.0', port: 8080 })
    const tls = loadConfig({
      cwd,
      flags: { listen: '0.0.0.0:8443', tlsCert: 'c.pem', tlsKey: 'k.pem' },
    })
    expect(tls.tls).toEqual({ cert: '/srv/node/c.pem', key: '/srv/node/k.pem' })
  })

  it('requires both halves of a TLS pair', () => {
    expect(configErrorOf(() => loadConfig({ cwd, flags: { tlsCert: 'c.pem' } }))).toContain(
      'tlsKey',
    )
  })
})

describe('parseListen', () => {
  it('parses IPv4, host names and bracketed IPv6', () => {
    expect(parseListen('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 })
    expect(parseListen('localhost:8080')).toEqual({ host: 'localhost', port: 8080 })
    expect(parseListen('[::1]:8443')).toEqual({ host: '::1', port: 8443 })
  })

  it('rejects a missing or out-of-range port', () => {
    expect(parseListen('127.0.0.1')).toBeUndefined()
    expect(parseListen('127.0.0.1:65536')).toBeUndefined()
    expect(parseListen(':8080')).toBeUndefined()
  })
})

describe('isLoopbackHost', () => {
  it('accepts only loopback addresses', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true)
    expect(isLoopbackHost('127.1.2.3')).toBe(true)
    expect(isLoopbackHost('::1')).toBe(true)
    expect(isLoopbackHost('localhost')).toBe(true)
    expect(isLoopbackHost('0.0.0.0')).toBe(false)
    expect(isLoopbackHost('10.0.0.1')).toBe(false)
    expect(isLoopbackHost('::')).toBe(false)
  })
})

describe('loadConfig: syncIntervalSeconds (issue 6)', () => {
  it('defaults to 60 seconds and takes file, environment and flag in that order', () => {
    expect(loadConfig({ cwd }).syncIntervalSeconds).toBe(60)
    const file = writeConfig('sync.json', { syncIntervalSeconds: 30 })
    expect(loadConfig({ cwd, flags: { config: file } }).syncIntervalSeconds).toBe(30)
    const fromEnv = loadConfig({
      cwd,
      flags: { config: file },
      env: { INTELMESH_SYNC_INTERVAL_SECONDS: '0' },
    })
    expect(fromEnv.syncIntervalSeconds).toBe(0)
    expect(fromEnv.sources.syncIntervalSeconds).toBe('INTELMESH_SYNC_INTERVAL_SECONDS')
    const fromFlag = loadConfig({
      cwd,
      flags: { config: file, syncIntervalSeconds: '5' },
      env: { INTELMESH_SYNC_INTERVAL_SECONDS: '0' },
    })
    expect(fromFlag.syncIntervalSeconds).toBe(5)
    expect(fromFlag.sources.syncIntervalSeconds).toBe('--sync-interval-seconds')
  })

  it('names the source of a value that is not whole seconds in 0-86400', () => {
    expect(
      configErrorOf(() => loadConfig({ cwd, env: { INTELMESH_SYNC_INTERVAL_SECONDS: '1.5' } })),
    ).toContain('syncIntervalSeconds (from INTELMESH_SYNC_INTERVAL_SECONDS)')
    expect(
      configErrorOf(() => loadConfig({ cwd, flags: { syncIntervalSeconds: '-1' } })),
    ).toContain('syncIntervalSeconds (from --sync-interval-seconds)')
    const file = writeConfig('sync-big.json', { syncIntervalSeconds: 100_000 })
    expect(configErrorOf(() => loadConfig({ cwd, flags: { config: file } }))).toMatch(
      /syncIntervalSeconds \(from config file .*sync-big\.json\)/,
    )
  })
})
