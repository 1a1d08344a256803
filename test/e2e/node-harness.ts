/**
 * Process-level test helpers: spawn `intelmesh serve` from source with tsx on 127.0.0.1 port 0,
 * wait for the line saying where it listens, talk TAXII to it, and STIX object builders.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const TAXII = 'application/taxii+json;version=2.1'

export interface NodeProcess {
  child: ChildProcess
  /** `http://127.0.0.1:<port>` */
  origin: string
  /** Everything written to stdout and stderr so far. */
  output(): string
  /** Resolves with the exit code (or the signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Environment for a child: ours minus anything that could point it at another node. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const key of Object.keys(env)) if (key.startsWith('INTELMESH_')) delete env[key]
  return { ...env, ...extra }
}

/** Runs the CLI from source with the given arguments. */
export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', ...args], {
    cwd: repoRoot,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** Starts `intelmesh serve` and resolves once it listens; rejects with its output if it dies. */
export function startNodeProcess(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<NodeProcess> {
  const child = spawnCli(['serve', '--listen', '127.0.0.1:0', ...args], env)
  let output = ''
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`intelmesh serve did not start within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      const match = /listening on (https?:\/\/[^\s/]+)\/taxii2\//.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve({ child, origin: match[1], output: () => output, exited })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`intelmesh serve exited (${code ?? signal}) before listening:\n${output}`))
    })
  })
}

/** Runs the CLI to completion, returning its exit code and output. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, env)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
}

export interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One HTTP request on a fresh connection (no keep-alive, so a stopping server is seen as such). */
export function http(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

export function bearer(key: string): Record<string, string> {
  return { Authorization: `Bearer ${key}`, Accept: TAXII }
}

/** The first-start API key printed by `serve`. */
export function printedKey(output: string): string {
  const key = /API key\s+(imk_[0-9a-f]{8}_[A-Za-z0-9_-]{43})/.exec(output)?.[1]
  if (!key) throw new Error(`no API key in the output:\n${output}`)
  return key
}

/** The default collection's id, as printed on first start. */
export function printedCollectionId(output: string): string {
  const id = /collection\s+default \(([0-9a-f-]{36})\)/.exec(output)?.[1]
  if (!id) throw new Error(`no collection id in the output:\n${output}`)
  return id
}

/** A valid STIX 2.1 indicator (section 4.7). */
export function indicator(n: number, at = '2026-01-01T00:00:00.000Z'): Record<string, unknown> {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${randomUUID()}`,
    created: at,
    modified: at,
    name: `test indicator ${n}`,
    pattern: `[ipv4-addr:value = '10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}']`,
    pattern_type: 'stix',
    valid_from: at,
  }
}

/** Every object of a collection, paged through with `limit` and `next`. */
export async function readAllObjects(
  origin: string,
  collectionId: string,
  key: string,
  limit = 1000,
): Promise<{ id: string }[]> {
  const all: { id: string }[] = []
  let next: string | undefined
  for (;;) {
    const params = new URLSearchParams({ limit: String(limit) })
    if (next) params.set('next', next)
    const url = `${origin}/api1/collections/${collectionId}/objects/?${params.toString()}`
    const answer = await http('GET', url, bearer(key))
    if (answer.status !== 200) throw new Error(`GET objects: ${answer.status} ${answer.body}`)
    const envelope = JSON.parse(answer.body) as {
      objects?: { id: string }[]
      more?: boolean
      next?: string
    }
    all.push(...(envelope.objects ?? []))
    if (!envelope.more) return all
    next = envelope.next
  }
}
