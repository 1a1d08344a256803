/**
 * The crash test (DESIGN.md, Storage: "a crash leaves all of it or none of it"): several
 * clients POST envelopes concurrently, the server is killed with SIGKILL mid-way, and after a
 * restart every acknowledged envelope is there whole, no other envelope is there in part, and
 * SQLite's integrity check passes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
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
  startNodeProcess,
  type NodeProcess,
} from './node-harness.js'

const clients = 4
// Large enough that a write transaction takes a while, so the kill often lands inside one.
const envelopeSize = 250

let dir: string
const running: NodeProcess[] = []

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'intelmesh-crash-'))
})

afterAll(() => {
  for (const node of running) node.child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

interface Envelope {
  ids: string[]
  acknowledged: boolean
}

describe('kill -9 during concurrent POSTs', { timeout: 180_000 }, () => {
  it('keeps every acknowledged envelope whole and no other envelope in part', async () => {
    const dataDir = join(dir, 'data')
    const first = await startNodeProcess(['--data-dir', dataDir])
    running.push(first)
    const key = printedKey(first.output())
    const collectionId = printedCollectionId(first.output())
    const url = `${first.origin}/api1/collections/${collectionId}/objects/`

    const envelopes: Envelope[] = []
    let killed = false
    let counter = 0
    const client = async (): Promise<void> => {
      while (!killed) {
        const objects = Array.from({ length: envelopeSize }, () => indicator(counter++))
        const envelope: Envelope = {
          ids: objects.map((o) => o['id'] as string),
          acknowledged: false,
        }
        envelopes.push(envelope)
        try {
          const answer = await http(
            'POST',
            url,
            { ...bearer(key), 'Content-Type': TAXII },
            JSON.stringify({ objects }),
          )
          if (answer.status !== 202) throw new Error(`POST: ${answer.status} ${answer.body}`)
          const status = JSON.parse(answer.body) as { success_count: number }
          expect(status.success_count).toBe(envelopeSize)
          envelope.acknowledged = true
        } catch (error) {
          // Only the kill may break a request; anything else is a real failure.
          if (!killed) throw error
        }
      }
    }
    const loops = Array.from({ length: clients }, () => client())
    // Let a good number of envelopes through, then kill the server while others are in flight.
    while (envelopes.filter((e) => e.acknowledged).length < 12) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    killed = true
    first.child.kill('SIGKILL')
    expect((await first.exited).signal).toBe('SIGKILL')
    await Promise.all(loops)

    const db = new Database(join(dataDir, 'intelmesh.db'))
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    } finally {
      db.close()
    }

    const again = await startNodeProcess(['--data-dir', dataDir])
    running.push(again)
    const stored = new Set((await readAllObjects(again.origin, collectionId, key)).map((o) => o.id))
    const acknowledged = envelopes.filter((e) => e.acknowledged)
    const unacknowledged = envelopes.filter((e) => !e.acknowledged)
    expect(acknowledged.length).toBeGreaterThanOrEqual(12)
    expect(unacknowledged.length).toBeGreaterThan(0)
    for (const envelope of acknowledged) {
      expect(envelope.ids.filter((id) => !stored.has(id))).toEqual([])
    }
    for (const envelope of unacknowledged) {
      const present = envelope.ids.filter((id) => stored.has(id)).length
      // An envelope whose 202 was lost in the kill may be whole; never partial.
      expect([0, envelopeSize]).toContain(present)
    }
    const expected = acknowledged.length * envelopeSize
    expect(stored.size).toBeGreaterThanOrEqual(expected)
    again.child.kill('SIGTERM')
    expect(await again.exited).toEqual({ code: 0, signal: null })
  })
})
