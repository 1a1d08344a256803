/**
 * `intelmesh serve` as a process: first start, restart, graceful SIGTERM with a request in
 * flight, and one-line fatal start errors.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  TAXII,
  bearer,
  http,
  indicator,
  printedCollectionId,
  printedKey,
  readAllObjects,
  runCli,
  startNodeProcess,
  type NodeProcess,
} from './node-harness.js'

let dir: string
const running: NodeProcess[] = []

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'intelmesh-serve-'))
})

afterAll(() => {
  for (const node of running) node.child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

async function start(args: string[], env: Record<string, string> = {}): Promise<NodeProcess> {
  const node = await startNodeProcess(args, env)
  running.push(node)
  return node
}

async function stop(node: NodeProcess): Promise<{ code: number | null; signal: string | null }> {
  node.child.kill('SIGTERM')
  return node.exited
}

// Each test starts node processes; a loaded machine may need far more than the default 30 s.
describe('intelmesh serve', { timeout: 180_000 }, () => {
  const dataDir = (): string => join(dir, 'first')
  let key = ''
  let password = ''
  let collectionId = ''

  it('bootstraps on first start and prints the admin password and an API key once', async () => {
    const node = await start(['--data-dir', dataDir()])
    const output = node.output()
    expect(output).toContain('First start')
    password = /admin password\s+(\S+)/.exec(output)?.[1] ?? ''
    expect(password).toHaveLength(24)
    key = printedKey(output)
    collectionId = printedCollectionId(output)
    expect(output).toContain(
      `curl -H 'Authorization: Bearer ${key}' -H 'Accept: ${TAXII}' ${node.origin}/taxii2/`,
    )

    const discovery = await http('GET', `${node.origin}/taxii2/`, bearer(key))
    expect(discovery.status).toBe(200)
    expect(JSON.parse(discovery.body)).toMatchObject({ api_roots: [`${node.origin}/api1/`] })

    const basic = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`
    const collections = await http('GET', `${node.origin}/api1/collections/`, {
      Authorization: basic,
      Accept: TAXII,
    })
    expect(collections.status).toBe(200)
    expect(JSON.parse(collections.body)).toMatchObject({
      collections: [{ id: collectionId, can_read: true, can_write: true }],
    })

    const wrong = await http('GET', `${node.origin}/taxii2/`, bearer(`${key.slice(0, -1)}x`))
    expect(wrong.status).toBe(401)

    const exit = await stop(node)
    expect(exit).toEqual({ code: 0, signal: null })
    expect(node.output()).toContain('stopped')
  })

  it('does not bootstrap again on restart, and the printed key still works', async () => {
    const node = await start(['--data-dir', dataDir()])
    expect(node.output()).not.toContain('First start')
    expect(node.output()).not.toContain('imk_')
    const discovery = await http('GET', `${node.origin}/taxii2/`, bearer(key))
    expect(discovery.status).toBe(200)
    expect(await stop(node)).toEqual({ code: 0, signal: null })
  })

  it('finishes a POST in flight when SIGTERM arrives, exits 0 and keeps its objects', async () => {
    const node = await start(['--data-dir', dataDir()])
    const objects = Array.from({ length: 200 }, (_, n) => indicator(n))
    const body = JSON.stringify({ objects })
    const url = `${node.origin}/api1/collections/${collectionId}/objects/`
    // Send the headers and half the body, signal the server, then send the rest: the request
    // is certainly in flight while the server is stopping.
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: false,
          headers: {
            ...bearer(key),
            'Content-Type': TAXII,
            'Content-Length': String(Buffer.byteLength(body)),
          },
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (c: string) => (text += c))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        },
      )
      req.on('error', reject)
      const half = Math.floor(body.length / 2)
      req.write(body.slice(0, half))
      // Give the server ample time to accept the connection and read the headers first.
      setTimeout(() => {
        node.child.kill('SIGTERM')
        setTimeout(() => req.end(body.slice(half)), 300)
      }, 1000)
    })
    const response = await answer
    expect(response.status).toBe(202)
    expect(JSON.parse(response.body)).toMatchObject({ status: 'complete', success_count: 200 })
    expect(await node.exited).toEqual({ code: 0, signal: null })
    expect(node.output()).toContain('SIGTERM received')
    const db = new Database(join(dataDir(), 'intelmesh.db'), { readonly: true })
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      // A clean close checkpoints the write-ahead log into the database file.
      expect(db.prepare('SELECT count(*) FROM objects').pluck().get()).toBe(200)
    } finally {
      db.close()
    }

    const again = await start(['--data-dir', dataDir()])
    const stored = new Set((await readAllObjects(again.origin, collectionId, key)).map((o) => o.id))
    for (const object of objects) expect(stored.has(object['id'] as string)).toBe(true)
    expect(await stop(again)).toEqual({ code: 0, signal: null })
  })

  it('lets admin commands change a running node: a new key works, disabling refuses at once', async () => {
    const node = await start(['--data-dir', dataDir()])
    const added = await runCli([
      'user',
      'add',
      'carol',
      '--org',
      'intelmesh',
      '--role',
      'analyst',
      '--data-dir',
      dataDir(),
    ])
    expect(added.code).toBe(0)
    const created = await runCli(['key', 'create', 'carol', '--data-dir', dataDir()])
    expect(created.code).toBe(0)
    const carolKey = /^(imk_\S+)$/m.exec(created.stdout)?.[1] ?? ''
    const url = `${node.origin}/api1/collections/${collectionId}/objects/?limit=1`
    expect((await http('GET', url, bearer(carolKey))).status).toBe(200)
    const disabled = await runCli(['user', 'disable', 'carol', '--data-dir', dataDir()])
    expect(disabled.code).toBe(0)
    const refused = await http('GET', url, bearer(carolKey))
    expect(refused.status).toBe(401)
    expect(refused.headers['www-authenticate']).toBeDefined()
    expect(await stop(node)).toEqual({ code: 0, signal: null })
  })

  it('reports a bad listen address as one line and exits 2', async () => {
    const result = await runCli(['serve', '--data-dir', join(dir, 'bad'), '--listen', 'nowhere'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('listen (from --listen)')
  })

  it('refuses a public address without TLS, naming the way out', async () => {
    const result = await runCli(['serve', '--data-dir', join(dir, 'pub'), '--listen', '0.0.0.0:0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--allow-insecure-public')
  })

  it('reports a port in use as one line and exits 2', async () => {
    const node = await start(['--data-dir', join(dir, 'busy')])
    const port = new URL(node.origin).port
    const result = await runCli([
      'serve',
      '--data-dir',
      join(dir, 'busy2'),
      '--listen',
      `127.0.0.1:${port}`,
    ])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('already in use')
    await stop(node)
  })

  it('takes the admin password from INTELMESH_ADMIN_PASSWORD and does not print it', async () => {
    const node = await start(['--data-dir', join(dir, 'env')], {
      INTELMESH_ADMIN_PASSWORD: 'an admin password from env',
    })
    expect(node.output()).not.toContain('an admin password from env')
    const basic = `Basic ${Buffer.from('admin:an admin password from env').toString('base64')}`
    const discovery = await http('GET', `${node.origin}/taxii2/`, {
      Authorization: basic,
      Accept: TAXII,
    })
    expect(discovery.status).toBe(200)
    await stop(node)
  })
})
