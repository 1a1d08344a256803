/**
 * The validation benchmark (issue 2): a generated bundle of 100,000 mixed STIX objects
 * (indicators with realistic patterns, relationships, SCOs, malware, identities, attack
 * patterns, threat actors, reports), measured on one core in one run:
 *
 * - `JSON.parse` of the whole bundle text (the reference rate);
 * - validation alone: `validateBundle` over the parsed bundle;
 * - `splitObjectsArray`: scanning the text and parsing each element alone (TAXII ingest path);
 * - end to end: `readBundle` streaming the bytes in 1 MiB chunks, parsing and validating each
 *   object with `createObjectValidator`.
 *
 * Targets: validation at least 100,000 objects/s and at least 0.4 x the `JSON.parse` rate.
 * Each figure is the median of several timed runs after a warm-up run.
 *
 * `--big` adds the large-input case: a bundle of about 500 MB written to a temporary file and
 * streamed through `readBundle`, first parsing only, then with validation, each with the
 * process's peak RSS, to show the reader never holds the document (one copy would already be
 * 500 MB). The validator's own memory grows with the number of objects: it remembers each id
 * to check rules across objects. `--quick` shrinks everything.
 */
import { once } from 'node:events'
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readBundle, splitObjectsArray } from '../src/stix/read-bundle.js'
import { scoId } from '../src/stix/sco-ids.js'
import { createObjectValidator, validateBundle } from '../src/stix/validate.js'
import { ratePerSecond, timeIt, type BenchContext, type Benchmark } from './harness.js'

/** A small deterministic PRNG (mulberry32), so every run measures the same input. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const HEX = '0123456789abcdef'

/** Generates objects of a realistic mix; `objectAt(i)` is deterministic. */
class ObjectGenerator {
  private readonly random = prng(20261129)
  private readonly identities: string[] = []
  private readonly indicators: string[] = []
  private readonly malware: string[] = []
  private readonly attackPatterns: string[] = []

  private hex(n: number): string {
    let out = ''
    for (let i = 0; i < n; i++) out += HEX[Math.floor(this.random() * 16)] ?? '0'
    return out
  }

  private int(n: number): number {
    return Math.floor(this.random() * n)
  }

  private uuid4(): string {
    const variant = HEX[8 + this.int(4)] ?? '8'
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${variant}${this.hex(3)}-${this.hex(12)}`
  }

  private timestamp(): string {
    const ms = Date.UTC(2024, 0, 1) + this.int(365 * 24 * 3600) * 1000 + this.int(1000)
    return new Date(ms).toISOString()
  }

  private ip(): string {
    return `${198 + this.int(6)}.${this.int(256)}.${this.int(256)}.${1 + this.int(254)}`
  }

  private domain(): string {
    const words = ['update', 'secure', 'cdn', 'login', 'mail', 'files', 'static', 'api']
    return `${words[this.int(words.length)] ?? 'x'}-${this.hex(6)}.example.${['com', 'net', 'org'][this.int(3)] ?? 'com'}`
  }

  private pattern(): string {
    switch (this.int(8)) {
      case 0:
        return `[ipv4-addr:value = '${this.ip()}']`
      case 1:
        return `[domain-name:value = '${this.domain()}']`
      case 2:
        return `[url:value = 'https://${this.domain()}/${this.hex(8)}/index.php?id=${this.int(1000)}']`
      case 3:
        return `[file:hashes.'SHA-256' = '${this.hex(64)}']`
      case 4:
        return `[file:hashes.MD5 = '${this.hex(32)}' OR file:name = 'invoice_${this.hex(4)}.exe']`
      case 5:
        return `[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '${this.ip()}' AND network-traffic:dst_port = ${1 + this.int(65535)}]`
      case 6:
        return `[ipv4-addr:value ISSUBSET '${this.ip().replace(/\.\d+$/, '.0')}/24'] AND [domain-name:value = '${this.domain()}'] WITHIN 600 SECONDS`
      default:
        return `[email-message:from_ref.value MATCHES '^.+@${this.hex(5)}\\\\.example\\\\.com$' AND email-message:subject = 'Invoice ${this.int(10000)}']`
    }
  }

  private common(type: string, createdBy = true): Record<string, unknown> {
    const created = this.timestamp()
    const object: Record<string, unknown> = {
      type,
      spec_version: '2.1',
      id: `${type}--${this.uuid4()}`,
      created,
      modified: created,
    }
    const identity = this.identities[this.int(this.identities.length)]
    if (createdBy && identity !== undefined) object['created_by_ref'] = identity
    return object
  }

  private pick(list: string[]): string | undefined {
    return list[this.int(list.length)]
  }

  private sco(): Record<string, unknown> {
    let object: Record<string, unknown>
    switch (this.int(4)) {
      case 0:
        object = { type: 'ipv4-addr', spec_version: '2.1', value: this.ip() }
        break
      case 1:
        object = { type: 'domain-name', spec_version: '2.1', value: this.domain() }
        break
      case 2:
        object = {
          type: 'url',
          spec_version: '2.1',
          value: `https://${this.domain()}/${this.hex(10)}`,
        }
        break
      default:
        object = {
          type: 'file',
          spec_version: '2.1',
          hashes: { MD5: this.hex(32), 'SHA-256': this.hex(64) },
          name: `sample_${this.hex(6)}.dll`,
          size: 1024 + this.int(1 << 20),
        }
    }
    return { type: object['type'], spec_version: '2.1', id: scoId(object), ...object }
  }

  objectAt(i: number): Record<string, unknown> {
    const slot = i % 100
    // The first objects of each hundred give later ones something to refer to.
    if (slot < 3 || this.identities.length === 0) {
      const o = this.common('identity', false)
      o['name'] = `Member ${this.hex(4)}`
      o['identity_class'] = 'organization'
      o['sectors'] = ['financial-services']
      this.identities.push(String(o['id']))
      return o
    }
    if (slot < 8) {
      const o = this.common('malware')
      o['name'] = `Family${this.hex(4)}`
      o['is_family'] = true
      o['malware_types'] = ['trojan', 'remote-access-trojan'].slice(0, 1 + this.int(2))
      this.malware.push(String(o['id']))
      return o
    }
    if (slot < 11) {
      const o = this.common('attack-pattern')
      o['name'] = `Technique ${this.hex(4)}`
      o['external_references'] = [
        { source_name: 'mitre-attack', external_id: `T${1000 + this.int(600)}` },
      ]
      o['kill_chain_phases'] = [{ kill_chain_name: 'mitre-attack', phase_name: 'initial-access' }]
      this.attackPatterns.push(String(o['id']))
      return o
    }
    if (slot < 13) {
      const o = this.common('threat-actor')
      o['name'] = `Actor ${this.hex(4)}`
      o['threat_actor_types'] = ['crime-syndicate']
      o['aliases'] = [`TA-${this.int(999)}`]
      return o
    }
    if (slot < 48) {
      const o = this.common('indicator')
      o['name'] = `Indicator ${this.hex(6)}`
      o['indicator_types'] = ['malicious-activity']
      o['pattern'] = this.pattern()
      o['pattern_type'] = 'stix'
      o['valid_from'] = o['created']
      o['kill_chain_phases'] = [
        { kill_chain_name: 'lockheed-martin-cyber-kill-chain', phase_name: 'delivery' },
      ]
      o['object_marking_refs'] = ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da']
      this.indicators.push(String(o['id']))
      if (this.indicators.length > 1000) this.indicators.shift()
      return o
    }
    if (slot < 78) {
      const o = this.common('relationship')
      const usesAttack = this.int(3) === 0
      const source = usesAttack ? this.pick(this.malware) : this.pick(this.indicators)
      const target = usesAttack ? this.pick(this.attackPatterns) : this.pick(this.malware)
      o['relationship_type'] = usesAttack ? 'uses' : 'indicates'
      o['source_ref'] = source
      o['target_ref'] = target
      return o
    }
    if (slot < 98) return this.sco()
    const o = this.common('report')
    o['name'] = `Weekly report ${this.hex(4)}`
    o['report_types'] = ['threat-report']
    o['published'] = o['created']
    o['description'] = 'Activity observed by members this week. '.repeat(3)
    o['object_refs'] = Array.from({ length: 20 }, () => this.pick(this.indicators) ?? '')
    return o
  }
}

function bundleText(count: number): string {
  const generator = new ObjectGenerator()
  const objects = Array.from({ length: count }, (_, i) => generator.objectAt(i))
  return JSON.stringify({
    type: 'bundle',
    id: 'bundle--2f6d9c1e-5b0a-4c3e-9f1d-7a8b6c5d4e3f',
    objects,
  })
}

async function median(runs: number, fn: () => unknown): Promise<number> {
  const samples: number[] = []
  for (let i = 0; i < runs; i++) samples.push(await timeIt(fn))
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)] ?? 0
}

function mbPerSecond(bytes: number, ms: number): number {
  return Number((bytes / 1e6 / (ms / 1000)).toFixed(1))
}

function* chunksOf(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size)
}

/**
 * Streams `source` through `readBundle`; `mode` adds validation: `'stream'` is the stateful
 * `createObjectValidator` the CLI uses (it remembers every id to check rules across objects),
 * `'none'` parses only, to show the reader's own footprint.
 */
async function streamValidate(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>,
  sampleRss = false,
  mode: 'stream' | 'none' = 'stream',
): Promise<{ objects: number; errors: number; peakRss: number }> {
  const check = mode === 'stream' ? createObjectValidator() : undefined
  let objects = 0
  let errors = 0
  let peakRss = process.memoryUsage.rss()
  for await (const { index, object } of readBundle(source)) {
    objects++
    if (check) for (const issue of check(object, index)) if (issue.severity === 'error') errors++
    if (sampleRss && (index & 1023) === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss())
  }
  return { objects, errors, peakRss }
}

/** Writes a bundle of about `targetBytes` to `path`, object by object. */
async function writeBigBundle(
  path: string,
  targetBytes: number,
): Promise<{ objects: number; bytes: number }> {
  const out = createWriteStream(path)
  const generator = new ObjectGenerator()
  let bytes = 0
  let objects = 0
  const write = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text)
    if (!out.write(text)) await once(out, 'drain')
  }
  await write('{"type":"bundle","id":"bundle--2f6d9c1e-5b0a-4c3e-9f1d-7a8b6c5d4e3f","objects":[')
  let batch: string[] = []
  while (bytes < targetBytes) {
    batch.push((objects ? ',' : '') + JSON.stringify(generator.objectAt(objects)))
    objects++
    if (batch.length === 2000) {
      await write(batch.join(''))
      batch = []
    }
  }
  await write(batch.join('') + ']}')
  out.end()
  await once(out, 'finish')
  return { objects, bytes }
}

/** The large-input case (`--big`): runs first, so RSS reflects the reader, not earlier data. */
async function runLarge(ctx: BenchContext): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'intelmesh-bench-'))
  try {
    const path = join(dir, 'big-bundle.json')
    const target = ctx.quick ? 50e6 : 500e6
    const written = await writeBigBundle(path, target)
    const size = statSync(path).size
    ctx.log(
      `large input: ${written.objects.toLocaleString('en')} objects, ${(size / 1e6).toFixed(0)} MB file`,
    )
    const mib = (n: number): number => Math.round(n / 2 ** 20)
    const figures: Record<string, unknown> = { objects: written.objects, bytes: size }
    for (const mode of ['none', 'stream'] as const) {
      const rssBefore = process.memoryUsage.rss()
      let result = { objects: 0, errors: 0, peakRss: 0 }
      const ms = await timeIt(async () => {
        const source = createReadStream(path, { highWaterMark: 1 << 20 })
        result = await streamValidate(source, true, mode)
      })
      const label = mode === 'none' ? 'readBundle + JSON.parse only' : 'readBundle + validate'
      ctx.log(
        `  ${label}: ${ratePerSecond(result.objects, ms).toLocaleString('en')} objects/s, ${mbPerSecond(size, ms)} MB/s, ${(ms / 1000).toFixed(1)} s; RSS before ${mib(rssBefore)} MiB, peak ${mib(result.peakRss)} MiB (file ${mib(size)} MiB)`,
      )
      figures[mode === 'none' ? 'readOnly' : 'readAndValidate'] = {
        objects: result.objects,
        errors: result.errors,
        seconds: Number((ms / 1000).toFixed(1)),
        objectsPerSecond: ratePerSecond(result.objects, ms),
        mbPerSecond: mbPerSecond(size, ms),
        rssBeforeMiB: mib(rssBefore),
        peakRssMiB: mib(result.peakRss),
      }
    }
    return figures
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const large = process.argv.includes('--big') ? await runLarge(ctx) : undefined
  const count = ctx.quick ? 10_000 : 100_000
  const runs = ctx.quick ? 3 : 5
  const text = bundleText(count)
  const bytes = new TextEncoder().encode(text)
  ctx.log(
    `input: ${count.toLocaleString('en')} objects, ${(bytes.length / 1e6).toFixed(1)} MB of JSON`,
  )

  // Warm-up (JIT) and a correctness check: the generated objects are meant to be valid.
  const parsed = JSON.parse(text) as unknown
  const check = validateBundle(parsed)
  const errors = check.issues.filter((i) => i.severity === 'error')
  const warnings = check.issues.length - errors.length
  ctx.log(
    `validation findings on the generated input: ${errors.length} errors, ${warnings} warnings`,
  )
  if (errors[0]) ctx.log(`  first error: ${errors[0].code} ${errors[0].message}`)
  splitObjectsArray(text)

  const parseMs = await median(runs, () => JSON.parse(text))
  const validateMs = await median(runs, () => validateBundle(parsed))
  const splitMs = await median(runs, () => splitObjectsArray(text))
  const streamMs = await median(runs, () => streamValidate(chunksOf(bytes, 1 << 20)))

  const parseRate = ratePerSecond(count, parseMs)
  const validateRate = ratePerSecond(count, validateMs)
  const splitRate = ratePerSecond(count, splitMs)
  const streamRate = ratePerSecond(count, streamMs)
  const ratio = Number((validateRate / parseRate).toFixed(2))
  ctx.log(
    `JSON.parse (whole bundle):          ${parseRate.toLocaleString('en')} objects/s, ${mbPerSecond(bytes.length, parseMs)} MB/s`,
  )
  ctx.log(
    `validateBundle (parsed objects):    ${validateRate.toLocaleString('en')} objects/s  = ${ratio} x JSON.parse  (targets: >= 100,000/s, >= 0.4 x)`,
  )
  ctx.log(
    `splitObjectsArray (scan + parse):   ${splitRate.toLocaleString('en')} objects/s, ${mbPerSecond(bytes.length, splitMs)} MB/s`,
  )
  ctx.log(
    `readBundle + validate (streaming):  ${streamRate.toLocaleString('en')} objects/s, ${mbPerSecond(bytes.length, streamMs)} MB/s`,
  )

  const figures: Record<string, unknown> = {
    objects: count,
    bytes: bytes.length,
    errorsInGeneratedInput: errors.length,
    warningsInGeneratedInput: warnings,
    jsonParse: {
      ms: Number(parseMs.toFixed(1)),
      objectsPerSecond: parseRate,
      mbPerSecond: mbPerSecond(bytes.length, parseMs),
    },
    validate: { ms: Number(validateMs.toFixed(1)), objectsPerSecond: validateRate },
    validateToJsonParseRatio: ratio,
    targetsMet: validateRate >= 100_000 && ratio >= 0.4,
    splitObjectsArray: {
      ms: Number(splitMs.toFixed(1)),
      objectsPerSecond: splitRate,
      mbPerSecond: mbPerSecond(bytes.length, splitMs),
    },
    streamReadParseValidate: {
      ms: Number(streamMs.toFixed(1)),
      objectsPerSecond: streamRate,
      mbPerSecond: mbPerSecond(bytes.length, streamMs),
    },
  }

  if (large) figures['large'] = large
  return figures
}

export const validateBenchmark: Benchmark = {
  name: 'validate',
  description: 'STIX validation of a 100,000-object mixed bundle vs JSON.parse; streaming reader',
  run,
}
