import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { SqliteStore } from './sqlite-store.js'

const writer = fileURLToPath(
  new URL('../../../test/fixtures/store/crash-writer.ts', import.meta.url),
)
const collectionId = '3f0c1e7a-43b5-4f7e-9a55-6a9a1f7f7b10'

describe('SqliteStore under kill -9', () => {
  let dir = ''
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('keeps every acknowledged batch whole and no unacknowledged batch in part', async () => {
    dir = mkdtempSync(join(tmpdir(), 'intelmesh-crash-'))
    const file = join(dir, 'node.db')
    const setup = SqliteStore.open(file)
    await setup.migrate()
    await setup.createApiRoot({
      id: 'r',
      path: 'api1',
      title: 'r',
      description: null,
      maxContentLength: 1000,
      createdAt: '2026-01-01T00:00:00Z',
    })
    await setup.createCollection({
      id: collectionId,
      apiRootId: 'r',
      alias: 'c',
      title: 'c',
      description: null,
      mediaTypes: [],
      defaultDistribution: { scope: 'community', groups: [], recipients: [] },
      createdAt: '2026-01-01T00:00:00Z',
    })
    await setup.close()

    const acked = new Map<number, number>()
    const child = spawn(process.execPath, ['--import', 'tsx', writer, file, collectionId], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    let buffered = ''
    await new Promise<void>((resolve, reject) => {
      // 'close', not 'exit': acknowledgements still in the pipe must be read too.
      child.on('close', () => resolve())
      child.on('error', reject)
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) {
          const [, batch, size] = line.split(' ')
          acked.set(Number(batch), Number(size))
        }
        // Kill mid-stream, once enough batches are through that a write is surely in flight.
        if (acked.size >= 40 && !child.killed) child.kill('SIGKILL')
      })
    })
    expect(acked.size, stderr).toBeGreaterThanOrEqual(40)

    const db = new Database(file)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    const counts = db
      .prepare(
        `SELECT CAST(substr(id, 12, 8) AS INTEGER) AS batch, count(*) AS n
           FROM objects GROUP BY batch ORDER BY batch`,
      )
      .all() as { batch: number; n: number }[]
    db.close()
    const stored = new Map(counts.map((c) => [c.batch, c.n]))
    for (const [batch, size] of acked) expect(stored.get(batch)).toBe(size)
    for (const [batch, n] of stored) {
      if (!acked.has(batch)) {
        // The batch in flight at the kill: committed whole (its ack unsent) or not at all.
        expect(n).toBe(50 + (batch % 7) * 40)
        expect(batch).toBe(Math.max(...acked.keys()) + 1)
      }
    }
  })
})
