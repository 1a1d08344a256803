import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../main.js'
import { summaryLine } from './validate.js'

const fixtures = fileURLToPath(new URL('../../../test/fixtures/bundles/', import.meta.url))
const fixture = (name: string): string => join(fixtures, name)

class Capture extends Writable {
  text = ''
  isTTY: boolean
  constructor(isTTY = false, highWaterMark?: number) {
    super(highWaterMark === undefined ? {} : { highWaterMark })
    this.isTTY = isTTY
  }
  override _write(chunk: unknown, _encoding: string, callback: () => void): void {
    this.text += String(chunk)
    callback()
  }
}

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function run(
  args: string[],
  options: {
    stdin?: string
    tty?: boolean
    env?: Record<string, string>
    highWaterMark?: number
  } = {},
): Promise<Run> {
  const stdout = new Capture(options.tty, options.highWaterMark)
  const stderr = new Capture()
  const code = await main(['node', 'intelmesh', 'validate', ...args], {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? {},
  })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

const scratch = mkdtempSync(join(tmpdir(), 'intelmesh-validate-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('intelmesh validate', () => {
  it('exits 0 and prints the summary for a valid bundle', async () => {
    const result = await run([fixture('poison-ivy.json')])
    expect(result).toEqual({
      code: 0,
      stdout: '5 objects, 0 errors, 0 warnings (bundle)\n',
      stderr: '',
    })
  })

  it.each([
    ['poison-ivy.ndjson', '5 objects, 0 errors, 0 warnings (ndjson)'],
    ['poison-ivy-array.json', '5 objects, 0 errors, 0 warnings (array)'],
    ['indicator.json', '1 object, 0 errors, 0 warnings (object)'],
  ])('reads %s', async (name, summary) => {
    const result = await run([fixture(name)])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`${summary}\n`)
  })

  it('exits 1 and locates each error: object, line, JSON path, rule, section', async () => {
    const result = await run([fixture('broken.json')])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('')
    expect(result.stdout).toContain('[0] indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f line 3\n')
    expect(result.stdout).toMatch(
      / {2}error {3}\$\.pattern required-property \(STIX 2\.1 §[\d.]+\): .*'pattern'/,
    )
    expect(result.stdout).toContain('[1] malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b line 12\n')
    expect(result.stdout).toMatch(/error {3}\$\.modified \S+ \(STIX 2\.1 §[\d.]+\): .*millisecond/)
    expect(result.stdout.trim().split('\n').at(-1)).toBe('2 objects, 2 errors, 0 warnings (bundle)')
    expect(result.stdout).not.toContain('\u001b[')
  })

  it('prints NDJSON findings and a summary record with --json', async () => {
    const result = await run([fixture('broken.json'), '--json'])
    expect(result.code).toBe(1)
    const records = jsonLines(result.stdout)
    expect(records.at(-1)).toEqual({
      kind: 'summary',
      ok: false,
      shape: 'bundle',
      objects: 2,
      errors: 2,
      warnings: 0,
      invalidObjects: 2,
    })
    expect(records[0]).toMatchObject({
      kind: 'finding',
      severity: 'error',
      code: 'required-property',
      path: '$.pattern',
      pathSegments: ['pattern'],
      index: 0,
      objectId: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      line: 3,
    })
    expect(records[1]).toMatchObject({ index: 1, path: '$.modified', line: 12 })
  })

  it('reads standard input with -', async () => {
    const text =
      '{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4","value":"198.51.100.3"}\n'
    const result = await run(['-'], { stdin: text })
    expect(result).toEqual({
      code: 0,
      stdout: '1 object, 0 errors, 0 warnings (object)\n',
      stderr: '',
    })
  })

  it('checks the bundle itself: an empty objects list is an error (section 8.1)', async () => {
    const result = await run(['-', '--json'], {
      stdin: '{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[]}',
    })
    expect(result.code).toBe(1)
    const records = jsonLines(result.stdout)
    expect(records[0]).toMatchObject({
      kind: 'finding',
      bundle: true,
      path: '$.objects',
      severity: 'error',
    })
  })

  it('checks a bundle without objects as a bundle, and a bad bundle id', async () => {
    const ok = await run(['-'], {
      stdin: '{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"}',
    })
    expect(ok).toEqual({
      code: 0,
      stdout: '0 objects, 0 errors, 0 warnings (object)\n',
      stderr: '',
    })
    const bad = await run(['-'], { stdin: '{"type":"bundle","id":"bundle--1"}' })
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('bundle bundle--1')
    expect(bad.stdout).toContain('$.id')
  })

  it('colours findings on a terminal only, and not with NO_COLOR', async () => {
    const tty = await run([fixture('broken.json')], { tty: true })
    expect(tty.stdout).toContain('\u001b[31merror')
    const noColor = await run([fixture('broken.json')], { tty: true, env: { NO_COLOR: '1' } })
    expect(noColor.stdout).not.toContain('\u001b[')
  })

  it('exits 2 with a one-line reason for input that is not JSON', async () => {
    const result = await run([fixture('not-json.csv')])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      "intelmesh: Input is not valid JSON: expected a JSON object or array (a STIX object, bundle, array of objects or NDJSON), found 't' at line 1, column 1 (byte 0)\n",
    )
  })

  it('exits 2 at a truncated NDJSON line after reporting what came before', async () => {
    const result = await run([fixture('truncated.ndjson'), '--json'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /^intelmesh: Input is not valid JSON: unexpected end of input inside the top-level object that starts at line 2 .*\n$/,
    )
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({
      kind: 'summary',
      ok: false,
      objects: 1,
      unusable: { code: 'STIX_INVALID_JSON' },
    })
  })

  it('exits 2 for a missing file, a directory and empty input', async () => {
    const missing = await run([join(scratch, 'absent.json')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(
      /^intelmesh: Input cannot be read: .*absent\.json: no such file or directory\n$/,
    )
    const directory = await run([scratch])
    expect(directory.code).toBe(2)
    expect(directory.stderr).toMatch(
      /^intelmesh: Input cannot be read: .*illegal operation on a directory\n$/,
    )
    const empty = await run(['-'], { stdin: '  \n' })
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('the input is empty')
  })

  it('exits 2 when an object exceeds --max-object-size or --max-depth', async () => {
    const big = await run([fixture('poison-ivy.json'), '--max-object-size', '100'])
    expect(big.code).toBe(2)
    expect(big.stderr).toContain('element 0 starting at line 5, column 5')
    const deep = join(scratch, 'deep.json')
    writeFileSync(deep, `[{"type":"x","a":${'['.repeat(10)}${']'.repeat(10)}}]`)
    const tooDeep = await run([deep, '--max-depth', '8'])
    expect(tooDeep.code).toBe(2)
    expect(tooDeep.stderr).toContain('nesting deeper than 8 levels')
  })

  it('exits 2 on a bad option value, without a stack trace', async () => {
    const result = await run([fixture('poison-ivy.json'), '--max-depth', 'zero'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--max-depth must be a positive integer')
    expect(result.stderr).not.toContain('    at ')
  })

  it('reports custom properties as errors with --no-custom', async () => {
    const text = JSON.stringify({
      type: 'ipv4-addr',
      spec_version: '2.1',
      id: 'ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4',
      value: '198.51.100.3',
      x_acme_score: 5,
    })
    expect((await run(['-'], { stdin: text })).code).toBe(0)
    expect((await run(['-', '--no-custom'], { stdin: text })).code).toBe(1)
  })
})

describe('intelmesh validate output', () => {
  it('waits for a slow output stream and loses no finding', async () => {
    const object = (i: number): string =>
      JSON.stringify({
        type: 'malware',
        spec_version: '2.1',
        id: `malware--${i.toString(16).padStart(8, '0')}-6f7f-459a-80ea-9c1f17b5891b`,
        created: '2016-04-06T20:07:09.000Z',
        modified: '2016-04-06T20:07:09.000Z',
        name: 'Poison Ivy',
      })
    const stdin = Array.from({ length: 3000 }, (_, i) => object(i)).join('\n')
    const result = await run(['-', '--json'], { stdin, highWaterMark: 64 })
    expect(result.code).toBe(1)
    const records = jsonLines(result.stdout)
    expect(
      records.filter((r) => r['kind'] === 'finding' && r['code'] === 'required-property'),
    ).toHaveLength(3000)
    expect(records.at(-1)).toMatchObject({ kind: 'summary', objects: 3000, invalidObjects: 3000 })
  })
})

describe('summaryLine', () => {
  it('counts with singular and plural words', () => {
    expect(summaryLine({ objects: 1, errors: 0, warnings: 2, invalidObjects: 0 })).toBe(
      '1 object, 0 errors, 2 warnings',
    )
  })
})
