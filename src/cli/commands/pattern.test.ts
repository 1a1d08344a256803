import { Readable, Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { main } from '../main.js'
import { caretExcerpt } from './pattern.js'

class Capture extends Writable {
  text = ''
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

async function run(args: string[], stdin?: string): Promise<Run> {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await main(['node', 'intelmesh', 'pattern', ...args], {
    stdout,
    stderr,
    stdin: Readable.from(stdin === undefined ? [] : [Buffer.from(stdin)]),
    env: {},
  })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

describe('intelmesh pattern check', () => {
  it('exits 0 and says valid for a valid pattern', async () => {
    const r = await run(['check', "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4']"])
    expect(r).toEqual({ code: 0, stdout: 'valid\n', stderr: '' })
  })

  it('exits 1 with the located error and a caret under its column', async () => {
    const r = await run(['check', "[file:name = 'x'"])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(
      [
        "error PATTERN_SYNTAX: column 17: expected ']' to close the observation expression opened at column 1, found end of pattern",
        "  [file:name = 'x'",
        '                  ^',
        'invalid: 1 error',
        '',
      ].join('\n'),
    )
  })

  it('prints warnings but exits 0', async () => {
    const r = await run(['check', "[ipv4-addr:value = 'nope']"])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('warning never-true: column 20: ')
    expect(r.stdout).toContain("  [ipv4-addr:value = 'nope']\n                     ^\n")
    expect(r.stdout.endsWith('valid with 1 warning\n')).toBe(true)
  })

  it('exits 1 for a MUST-rule error that parses', async () => {
    const r = await run(['check', "[file:name = 'a' AND process:pid = 1]"])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('error mixed-object-types: column 2: ')
  })

  it('shows the line of a multi-line pattern that holds the error', async () => {
    const r = await run(['check', "[file:name = 'a']\n  AND [file:size = ]"])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('line 2, column 20: expected a constant')
    expect(r.stdout).toContain('  AND [file:size = ]\n                     ^\n')
  })

  it('prints JSON with --json', async () => {
    const r = await run(['check', '--json', "[file:size = '1']"])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as Record<string, unknown>
    expect(out).toMatchObject({
      ok: true,
      canonical: "[file:size = '1']",
      errors: [],
      warnings: [{ severity: 'warning', code: 'type-mismatch', line: 1, column: 14 }],
    })
  })

  it('prints JSON errors with --json and exits 1', async () => {
    const r = await run(['check', '--json', '[file:size = ]'])
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout) as Record<string, unknown>
    expect(out).toMatchObject({ ok: false, errors: [{ code: 'PATTERN_SYNTAX', column: 14 }] })
    expect(out['canonical']).toBeUndefined()
  })

  it("reads the pattern from standard input with '-'", async () => {
    const r = await run(['check', '-'], "[url:value = 'http://example.com/☃']\n")
    expect(r).toEqual({ code: 0, stdout: 'valid\n', stderr: '' })
  })

  it('reports an empty standard input as an empty pattern', async () => {
    const r = await run(['check', '-'], '')
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('the pattern is empty')
  })

  it('exits 2 when the pattern argument is missing', async () => {
    const r = await run(['check'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("missing required argument 'pattern'")
  })
})

describe('intelmesh pattern format', () => {
  it('prints the canonical form', async () => {
    const r = await run([
      'format',
      "( [file:size>5] )  FOLLOWEDBY\n [file:name='a' ]   WITHIN 5 SECONDS",
    ])
    expect(r).toEqual({
      code: 0,
      stdout: "[file:size > 5] FOLLOWEDBY [file:name = 'a'] WITHIN 5 SECONDS\n",
      stderr: '',
    })
  })

  it('reads standard input with -', async () => {
    const r = await run(['format', '-'], "[file:name='a']\n")
    expect(r.stdout).toBe("[file:name = 'a']\n")
  })

  it('exits 1 with the located error on stderr for a syntax error', async () => {
    const r = await run(['format', '[file:name = ]'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      "error PATTERN_SYNTAX: column 14: expected a constant, found ']'\n  [file:name = ]\n               ^\n",
    )
  })

  it('formats a pattern that only has warnings', async () => {
    const r = await run(['format', "[filee:x='a']"])
    expect(r).toEqual({ code: 0, stdout: "[filee:x = 'a']\n", stderr: '' })
  })
})

describe('caretExcerpt', () => {
  it('turns tabs into spaces so the caret lines up', () => {
    const issue = {
      severity: 'error' as const,
      code: 'PATTERN_SYNTAX',
      message: '',
      offset: 3,
      line: 1,
      column: 4,
    }
    expect(caretExcerpt('[\t\t]', issue)).toBe('  [  ]\n     ^')
  })
})
