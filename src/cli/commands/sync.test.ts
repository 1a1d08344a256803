import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { SyncReport } from '../../sync/index.js'
import { ProgressLine, totalLine } from './sync.js'

class Terminal extends Writable {
  text = ''
  isTTY = true
  columns = 60
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8')
    done()
  }
}

function report(name: string, ok: boolean, pulled: number, skipped = false): SyncReport {
  return {
    peerId: name,
    peerName: name,
    startedAt: '2026-01-01T00:00:00.000000Z',
    finishedAt: '2026-01-01T00:00:01.000000Z',
    ok,
    skipped,
    collections: [],
    tombstones: { pulled: 0, pushed: 0, failed: 0 },
    pulled,
    pushed: 1,
    invalid: 2,
    danglingRefs: 0,
    errors: ok ? [] : ['pull x: HTTP 500'],
  }
}

describe('ProgressLine', () => {
  it('redraws one line with the latest step of each peer and wipes it at the end', () => {
    const terminal = new Terminal()
    const progress = new ProgressLine(terminal)
    progress.update({ kind: 'start', peer: 'b', direction: 'pull', localCollectionId: 'x' })
    progress.update({ kind: 'start', peer: 'c', direction: 'push', localCollectionId: 'x' })
    expect(terminal.text.split('\r\x1b[K').at(-1)).toBe('b: pull starting | c: push starting')
    progress.update({ kind: 'done', peer: 'c', report: report('c', true, 0) })
    expect(terminal.text.split('\r\x1b[K').at(-1)).toBe('b: pull starting')
    progress.clear()
    expect(terminal.text.endsWith('\r\x1b[K')).toBe(true)
    expect(terminal.text).not.toContain('\n')
  })

  it('cuts a line wider than the terminal and draws pages at most ten times a second', () => {
    const terminal = new Terminal()
    const progress = new ProgressLine(terminal)
    progress.update({
      kind: 'start',
      peer: 'a-very-long-peer-name',
      direction: 'pull',
      localCollectionId: 'x',
    })
    const draws = (): number => terminal.text.split('\r\x1b[K').length - 1
    const before = draws()
    for (let i = 1; i <= 50; i += 1) {
      progress.update({
        kind: 'page',
        peer: `peer-with-a-long-name-${i % 3}`,
        direction: 'pull',
        localCollectionId: 'x',
        moved: i * 1000,
        seen: i * 1000,
      })
    }
    // Fifty pages within a few milliseconds: at most one redraw.
    expect(draws() - before).toBeLessThanOrEqual(1)
    for (const line of terminal.text.split('\r\x1b[K')) {
      expect(line.length).toBeLessThanOrEqual(terminal.columns - 1)
    }
  })

  it('writes nothing to clear when nothing was shown', () => {
    const terminal = new Terminal()
    new ProgressLine(terminal).clear()
    expect(terminal.text).toBe('')
  })
})

describe('totalLine', () => {
  it('sums the runs and names failures and skips', () => {
    expect(totalLine([report('b', true, 5), report('c', false, 7)])).toBe(
      'sync: 2 peer runs, pulled 12, pushed 2, 4 invalid received, 0 dangling refs; 1 FAILED',
    )
    expect(totalLine([report('b', true, 1), report('c', false, 0, true)])).toBe(
      'sync: 2 peer runs, pulled 1, pushed 2, 4 invalid received, 0 dangling refs; all ok, 1 skipped (already running)',
    )
  })
})
