/**
 * `intelmesh serve` as a process serves the admin API under /api/v1 beside TAXII: the printed
 * first-start key is a node admin's, the OpenAPI document needs no credentials, and changes
 * made over HTTP show in the CLI's audit log.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  TAXII,
  http,
  printedKey,
  runCli,
  startNodeProcess,
  type NodeProcess,
} from './node-harness.js'

let dir: string
let node: NodeProcess | undefined

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'intelmesh-admin-serve-'))
})

afterAll(() => {
  node?.child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

describe('intelmesh serve with the admin API', { timeout: 180_000 }, () => {
  it('serves /api/v1 beside TAXII, as the same node', async () => {
    const dataDir = join(dir, 'node')
    node = await startNodeProcess(['--data-dir', dataDir, '--node-name', 'Hub'])
    const key = printedKey(node.output())
    const auth = { Authorization: `Bearer ${key}` }

    const doc = await http('GET', `${node.origin}/api/v1/openapi.json`)
    expect(doc.status).toBe(200)
    expect(JSON.parse(doc.body)).toMatchObject({ openapi: '3.1.0' })

    const me = await http('GET', `${node.origin}/api/v1/me`, auth)
    expect(me.status).toBe(200)
    expect(JSON.parse(me.body)).toMatchObject({ user: { name: 'admin' }, isNodeAdmin: true })

    const unauthenticated = await http('GET', `${node.origin}/api/v1/me`)
    expect(unauthenticated.status).toBe(401)
    expect(unauthenticated.headers['www-authenticate']).toMatch(/Basic/)

    const created = await http(
      'POST',
      `${node.origin}/api/v1/organisations`,
      { ...auth, 'Content-Type': 'application/json' },
      JSON.stringify({ name: 'Acme' }),
    )
    expect(created.status).toBe(201)

    const discovery = await http('GET', `${node.origin}/taxii2/`, { ...auth, Accept: TAXII })
    expect(discovery.status).toBe(200)

    const listed = await runCli(['audit', 'list', '--json', '--data-dir', dataDir])
    expect(listed.code).toBe(0)
    const entries = JSON.parse(listed.stdout) as { action: string; details: { change?: string } }[]
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'admin-change',
          details: expect.objectContaining({ change: 'organisation.create' }) as unknown,
        }),
      ]),
    )
    node.child.kill('SIGTERM')
    expect((await node.exited).code).toBe(0)
    node = undefined
  })
})
