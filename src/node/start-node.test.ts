import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { isAppError } from '../errors.js'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import { startHttpServer } from './http-server.js'
import { startNode, type AppFactory, type RunningNode } from './start-node.js'

const config = {
  listen: { host: '127.0.0.1', port: 0 },
  tls: null,
  adminPassword: 'test admin password',
  nodeName: 'test node',
  shutdownTimeoutMs: 5_000,
}

let node: RunningNode | undefined

afterEach(async () => {
  await node?.stop()
  node = undefined
})

/** A stand-in app: `/slow` answers after 300 ms; `/who` echoes the authentication outcome. */
const createApp: AppFactory = ({ authenticator }) => ({
  async fetch(req) {
    const url = new URL(req.url)
    if (url.pathname === '/slow') {
      await new Promise((resolve) => setTimeout(resolve, 300))
      return new Response('done')
    }
    const outcome = await authenticator.authenticate(req.headers.get('authorization') ?? undefined)
    return Response.json(outcome)
  },
})

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('startNode', () => {
  it('migrates, bootstraps and serves with the authenticator wired in', async () => {
    const store = SqliteStore.open(':memory:')
    node = await startNode({ config, store, createApp })
    expect(node.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(node.migrated.length).toBeGreaterThan(0)
    const key = node.bootstrap.firstStart ? (node.bootstrap.apiKey ?? '') : ''
    const answer = await get(`${node.origin}/who`, { authorization: `Bearer ${key}` })
    expect(JSON.parse(answer.body)).toMatchObject({
      kind: 'authenticated',
      principal: { userName: 'admin' },
    })
  })

  it('lets an in-flight request finish on stop, then closes the store', async () => {
    const store = SqliteStore.open(':memory:')
    const running = await startNode({ config, store, createApp })
    const inFlight = get(`${running.origin}/slow`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const stopped = running.stop()
    expect(await inFlight).toEqual({ status: 200, body: 'done' })
    await stopped
    await expect(get(`${running.origin}/who`)).rejects.toThrow(/ECONNREFUSED/)
    await expect(store.getSetting('x')).rejects.toThrow()
  })
})

describe('startHttpServer', () => {
  it('reports an address in use as one clear configuration error', async () => {
    const first = await startHttpServer({
      fetch: () => new Response('x'),
      listen: { host: '127.0.0.1', port: 0 },
    })
    try {
      const error: unknown = await startHttpServer({
        fetch: () => new Response('x'),
        listen: first.address,
      }).catch((e: unknown) => e)
      expect(isAppError(error, 'CONFIG_INVALID')).toBe(true)
      expect((error as Error).message).toContain(
        `cannot listen on 127.0.0.1:${first.address.port}: the address is already in use`,
      )
    } finally {
      await first.close()
    }
  })

  it('names an unreadable TLS certificate', async () => {
    const error: unknown = await startHttpServer({
      fetch: () => new Response('x'),
      listen: { host: '127.0.0.1', port: 0 },
      tls: { cert: 'missing-cert.pem', key: 'missing-key.pem' },
    }).catch((e: unknown) => e)
    expect((error as Error).message).toContain(
      'cannot read the TLS certificate missing-cert.pem (ENOENT)',
    )
  })
})

describe('startHttpServer close', () => {
  it('cuts a request that outlives the shutdown timeout, so stopping cannot hang', async () => {
    let release: () => void = () => undefined
    const server = await startHttpServer({
      fetch: () =>
        new Promise<Response>((resolve) => {
          release = () => resolve(new Response('too late'))
        }),
      listen: { host: '127.0.0.1', port: 0 },
      shutdownTimeoutMs: 300,
    })
    const stuck = get(`${server.origin}/`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeLessThan(3000)
    await expect(stuck).rejects.toThrow(/socket hang up|ECONNRESET/)
    release()
  })
})

describe('startHttpServer with TLS', () => {
  it('serves HTTPS with the configured certificate and key', async () => {
    const fixture = (name: string): string =>
      fileURLToPath(new URL(`../../test/fixtures/node/${name}`, import.meta.url))
    const server = await startHttpServer({
      fetch: () => new Response('over tls'),
      listen: { host: '127.0.0.1', port: 0 },
      tls: { cert: fixture('test-tls-cert.pem'), key: fixture('test-tls-key.pem') },
    })
    try {
      expect(server.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
          `${server.origin}/`,
          { ca: readFileSync(fixture('test-tls-cert.pem')), agent: false },
          (res) => {
            let text = ''
            res.setEncoding('utf8')
            res.on('data', (c: string) => (text += c))
            res.on('end', () => resolve(text))
          },
        )
        req.on('error', reject)
        req.end()
      })
      expect(body).toBe('over tls')
    } finally {
      await server.close()
    }
  })
})
