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
// The writer's batch sizes (test/fixtures/store/crash-writer.ts).
const batchSize = (batch: number): number => 1000 + (batch % 5) * 500

/**
 * Runs the writer from batch `first`; after `acks` acknowledgements, kills it with SIGKILL
 * `delayMs` after the next write begins.
 */
async function writeAndKill(
  file: string,
  first: number,
  acks: number,
  delayMs: number,
): Promise<Set<number>> {
  const acked = new Set<number>()
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', writer, file, collectionId, String(first)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  let buffered = ''
  let killing = false
  await new Promise<void>((resolve, reject) => {
    // 'close', not 'exit': acknowledgements still in the pipe must be read too.
    child.on('close', () => resolve())
    child.on('error', reject)
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        const [event, batch] = line.split(' ')
        if (event === 'ack') acked.add(Number(batch))
        // Kill at a time unrelated to the batches (rounds vary it): the writer spends most of
        // its time inside addObjects, so most kills land inside a transaction.
        if (event === 'ack' && acked.size >= acks && !killing) {
          killing = true
          setTimeout(() => child.kill('SIGKILL'), delayMs)
        }
      }
    })
  })
  expect(acked.size, stderr).toBeGreaterThanOrEqual(acks)
  return acked
}

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
      public: false,
      createdAt: '2026-01-01T00:00:00Z',
    })
    await setup.close()

    const acked = new Set<number>()
    let next = 0
    for (const [round, delayMs] of [13, 37, 61, 89, 127].entries()) {
      for (const batch of await writeAndKill(file, next, 2 + round, delayMs)) acked.add(batch)
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
      for (const batch of acked) expect(stored.get(batch), `batch ${batch}`).toBe(batchSize(batch))
      // The batch in flight at the kill: committed whole (its ack unsent) or not at all.
      for (const [batch, n] of stored) expect(n, `batch ${batch}`).toBe(batchSize(batch))
      next = Math.max(...stored.keys()) + 1
    }
  })
})
