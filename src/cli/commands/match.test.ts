import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Readable, Writable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../main.js'

const fixtures = fileURLToPath(new URL('../../../test/fixtures/events/', import.meta.url))
const indicators = join(fixtures, 'indicators.json')
const events = join(fixtures, 'flat-events.ndjson')
const dir = mkdtempSync(join(tmpdir(), 'intelmesh-match-'))

afterAll(() => rmSync(dir, { recursive: true, force: true }))

class Capture extends Writable {
  text = ''
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8')
    done()
  }
}

async function cli(
  args: string[],
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await main(['node', 'intelmesh', ...args], {
    stdout,
    stderr,
    stdin: Readable.from([stdin]),
    env: {},
  })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

interface HitLine {
  indicator_id: string
  event: { line: number; id: string }
  matched: { type: string; path: string; value: unknown }[]
  observed_at: string
  observations?: { id: string }[]
}

const hitsOf = (stdout: string): HitLine[] =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as HitLine)

describe('intelmesh match', () => {
  it('writes one NDJSON hit per match, reports bad lines and skipped indicators, exits 1 on bad lines', async () => {
    const { code, stdout, stderr } = await cli([
      'match',
      '--indicators',
      indicators,
      '--events',
      events,
    ])
    const hits = hitsOf(stdout)
    const summary = hits.map((h) => `${h.event.line}:${h.indicator_id.slice(-2)}`)
    expect(summary).toEqual([
      '1:01',
      '2:02',
      '2:08',
      '3:01',
      '3:04',
      '4:03',
      '4:06',
      '5:05',
      '9:07',
    ])
    const first = hits[0]!
    expect(first.event).toEqual({ line: 1, id: 'ev-1' })
    expect(first.matched).toEqual([
      { type: 'domain-name', path: 'domain-name:value', value: 'evil.example' },
    ])
    expect(first.observed_at).toBe('2024-03-01T10:00:00.000Z')
    const seq = hits.find((h) => h.indicator_id.endsWith('06'))!
    expect(seq.observations?.map((o) => o.id)).toEqual(['ev-3', 'ev-4'])
    expect(stderr).toContain(
      'skipped indicator--0a1b2c3d-0000-4000-8000-000000000009: pattern syntax error at line 1',
    )
    expect(stderr).toContain('line 6: not JSON')
    expect(stderr).toContain('line 7: unknown event type "printer"')
    expect(stderr).toContain('line 8: a dns event needs "query"')
    expect(stderr).toContain(
      '6 events, 6 observations, 9 hits, 9 indicators loaded, 1 skipped, 3 bad lines',
    )
    expect(code).toBe(1)
  })

  it('reads events from standard input and exits 0 when every line is usable', async () => {
    const line = JSON.stringify({ type: 'network', timestamp: 1709287200, dst_ip: '198.51.100.77' })
    const { code, stdout, stderr } = await cli(['match', '--indicators', indicators], `${line}\n\n`)
    expect(hitsOf(stdout).map((h) => h.event)).toEqual([{ line: 1, id: 'line:1' }])
    expect(stderr).toContain('1 events, 1 observations, 1 hits')
    expect(code).toBe(0)
  })

  it('accepts indicators as NDJSON', async () => {
    const file = join(dir, 'indicators.ndjson')
    const indicator = {
      type: 'indicator',
      id: 'indicator--7',
      pattern: "[url:value = 'http://x.example/']",
      pattern_type: 'stix',
      valid_from: '2020-01-01T00:00:00Z',
    }
    writeFileSync(
      file,
      `${JSON.stringify(indicator)}\n${JSON.stringify({ ...indicator, id: 'indicator--8' })}\n`,
    )
    const event = JSON.stringify({
      type: 'http',
      timestamp: '2024-01-01T00:00:00Z',
      url: 'http://x.example/',
    })
    const { stdout } = await cli(['match', '--indicators', file], event)
    expect(hitsOf(stdout).map((h) => h.indicator_id)).toEqual(['indicator--7', 'indicator--8'])
  })

  it('exits 2 with a one-line reason for unusable indicator files', async () => {
    const missing = await cli(['match', '--indicators', join(dir, 'nope.json')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^intelmesh: Input cannot be read: cannot read .*nope\.json\n$/)
    const empty = join(dir, 'empty.json')
    writeFileSync(empty, '{"type":"bundle","id":"bundle--1","objects":[]}')
    const none = await cli(['match', '--indicators', empty])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('no usable STIX indicator')
    const garbage = join(dir, 'garbage.json')
    writeFileSync(garbage, '{"a":\nnot json')
    const bad = await cli(['match', '--indicators', garbage])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('neither JSON nor NDJSON (line 1 is not JSON)')
  })

  it('exits 2 for an unreadable events file', async () => {
    const { code, stderr } = await cli([
      'match',
      '--indicators',
      indicators,
      '--events',
      join(dir, 'none.ndjson'),
    ])
    expect(code).toBe(2)
    expect(stderr).toContain('cannot read')
  })
})
