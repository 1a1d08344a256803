import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { main } from '../main.js'

class Capture extends Writable {
  text = ''
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8')
    done()
  }
}

async function serve(args: string[], env: Record<string, string> = {}) {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await main(['node', 'intelmesh', 'serve', ...args], { stdout, stderr, env })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

describe('intelmesh serve --print-config', () => {
  it('shows each value with its source, flags over environment, secrets masked', async () => {
    const result = await serve(['--print-config', '--listen', '127.0.0.1:9999'], {
      INTELMESH_LISTEN: '127.0.0.1:7777',
      INTELMESH_DB: 'postgres://intelmesh:s3cret@127.0.0.1:5432/intel',
      INTELMESH_ADMIN_PASSWORD: 'do not print me',
    })
    expect(result.code).toBe(0)
    const config = JSON.parse(result.stdout) as Record<string, unknown>
    expect(config).toMatchObject({
      listen: '127.0.0.1:9999',
      db: 'postgres://intelmesh:***@127.0.0.1:5432/intel',
      adminPassword: '***',
      sources: { listen: '--listen', db: 'INTELMESH_DB', nodeName: 'default' },
    })
    expect(result.stdout).not.toContain('s3cret')
    expect(result.stdout).not.toContain('do not print me')
  })
})

describe('intelmesh serve configuration errors', () => {
  it('refuses a public listener without TLS in one line, exit 2', async () => {
    const result = await serve(['--listen', '0.0.0.0:8080'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('listen (from --listen): 0.0.0.0 is not a loopback address')
  })

  it('names a bad environment value', async () => {
    const result = await serve(['--print-config'], { INTELMESH_DB: 'mysql://x' })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('db (from INTELMESH_DB)')
  })
})
