import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluatePattern } from '../evaluate.js'
import { makeObservation, type Observation, type Sco } from '../observations.js'
import { compile } from './pattern-engine.js'

const T0 = Date.parse('2024-01-01T00:00:00Z') * 1000
let n = 0

function indicator(pattern: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  n++
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    created: '2023-01-01T00:00:00Z',
    modified: '2023-01-01T00:00:00Z',
    pattern,
    pattern_type: 'stix',
    valid_from: '2023-01-01T00:00:00Z',
    ...extra,
  }
}

function obs(objects: Record<string, Sco>, at = 0): Observation {
  n++
  return makeObservation({ id: `event-${n}`, firstObserved: T0 + at * 1e6, objects })
}

const ip = (value: string, at = 0): Observation => obs({ '0': { type: 'ipv4-addr', value } }, at)
const domain = (value: string, at = 0): Observation =>
  obs({ '0': { type: 'domain-name', value } }, at)

function hitIds(engine: ReturnType<typeof compile>['engine'], o: Observation): string[] {
  return engine.match(o).map((h) => h.indicatorId)
}

describe('compile', () => {
  it('keeps the newest version of each id and drops revoked ones', () => {
    const old = indicator("[domain-name:value = 'old.example']", {
      id: 'indicator--a',
      modified: '2023-01-01T00:00:00Z',
    })
    const newer = indicator("[domain-name:value = 'new.example']", {
      id: 'indicator--a',
      modified: '2023-06-01T00:00:00Z',
    })
    const revoked = indicator("[domain-name:value = 'gone.example']", {
      id: 'indicator--b',
      modified: '2023-01-01T00:00:00Z',
    })
    const revokedNewer = { ...revoked, modified: '2023-02-01T00:00:00Z', revoked: true }
    const { engine, loaded, skipped } = compile([newer, old, revoked, revokedNewer])
    expect(loaded).toBe(1)
    expect(skipped).toEqual([{ id: 'indicator--b', reason: 'revoked' }])
    expect(hitIds(engine, domain('new.example'))).toEqual(['indicator--a'])
    expect(hitIds(engine, domain('old.example'))).toEqual([])
    expect(hitIds(engine, domain('gone.example'))).toEqual([])
  })

  it('skips other pattern types, syntax errors and bad regexes with a reason', () => {
    const { loaded, skipped } = compile([
      indicator('alert tcp any any', { pattern_type: 'snort', id: 'indicator--snort' }),
      indicator("[domain-name:value = 'x'", { id: 'indicator--syntax' }),
      indicator("[domain-name:value MATCHES '(a)\\\\1']", { id: 'indicator--regex' }),
      { type: 'malware', id: 'malware--1' },
    ])
    expect(loaded).toBe(0)
    expect(skipped.map((s) => s.id)).toEqual([
      'indicator--snort',
      'indicator--syntax',
      'indicator--regex',
    ])
    expect(skipped[1]?.reason).toMatch(/line 1, column \d+/)
    expect(skipped[2]?.reason).toContain('backreferences')
  })
})

describe('PatternEngine.match', () => {
  it('finds equality indicators through the hash index, type- and path-aware', () => {
    const { engine } = compile([
      indicator("[ipv4-addr:value = '198.51.100.1/32']", { id: 'indicator--ip' }),
      indicator("[domain-name:value = 'evil.example']", { id: 'indicator--dom' }),
      indicator("[url:value = 'evil.example']", { id: 'indicator--url' }),
      indicator("[file:hashes.MD5 = '79054025255FB1A26E4BC422AEF54EB4']", { id: 'indicator--md5' }),
      indicator("[file:hashes.'SHA-256' IN ('aa', 'bb')]", { id: 'indicator--in' }),
      indicator('[file:size = 42]', { id: 'indicator--size' }),
    ])
    expect(hitIds(engine, ip('198.51.100.1'))).toEqual(['indicator--ip'])
    expect(hitIds(engine, ip('198.51.100.2'))).toEqual([])
    expect(hitIds(engine, domain('evil.example'))).toEqual(['indicator--dom'])
    const file = obs({
      '0': {
        type: 'file',
        size: 42.0,
        hashes: { MD5: '79054025255fb1a26e4bc422aef54eb4', 'SHA-256': 'BB' },
      },
    })
    // SHA-256 is hex, so 'BB' equals 'bb'.
    expect(hitIds(engine, file).sort()).toEqual([
      'indicator--in',
      'indicator--md5',
      'indicator--size',
    ])
    const file2 = obs({ '0': { type: 'file', hashes: { 'SHA-256': 'aa', MD5: 'aa' } } })
    expect(hitIds(engine, file2)).toEqual(['indicator--in'])
  })

  it('finds each of many indexed values exactly, through the filters in front of the maps', () => {
    const count = 5000
    const { engine } = compile(
      Array.from({ length: count }, (_, i) =>
        indicator(
          i % 2 === 0
            ? `[domain-name:value = 'd${i}.example']`
            : `[domain-name:value LIKE '%.z${i}.example']`,
          { id: `indicator--${i}` },
        ),
      ),
    )
    for (let i = 0; i < count; i += 7) {
      const value = i % 2 === 0 ? `d${i}.example` : `www.z${i}.example`
      expect(hitIds(engine, domain(value))).toEqual([`indicator--${i}`])
    }
    for (let i = 0; i < 200; i++) expect(hitIds(engine, domain(`miss${i}.example`))).toEqual([])
  })

  it('reports the matched value and path for hits', () => {
    const { engine } = compile([
      indicator("[domain-name:value = 'evil.example']", { id: 'indicator--dom' }),
    ])
    const [hit] = engine.match(domain('evil.example'))
    expect(hit?.observations[0]?.matched).toEqual([
      { type: 'domain-name', path: 'domain-name:value', value: 'evil.example' },
    ])
  })

  it('finds CIDR containment through the prefix index (ISSUBSET and = on blocks)', () => {
    const { engine } = compile([
      indicator("[ipv4-addr:value ISSUBSET '10.0.0.0/8']", { id: 'indicator--8' }),
      indicator("[ipv4-addr:value ISSUBSET '10.1.0.0/16']", { id: 'indicator--16' }),
      indicator("[ipv4-addr:value ISSUBSET '0.0.0.0/0']", { id: 'indicator--0' }),
      indicator("[ipv6-addr:value ISSUBSET '2001:db8::/32']", { id: 'indicator--v6' }),
      indicator("[network-traffic:dst_ref.value ISSUBSET '192.0.2.0/24']", {
        id: 'indicator--ref',
      }),
    ])
    expect(hitIds(engine, ip('10.1.2.3')).sort()).toEqual([
      'indicator--0',
      'indicator--16',
      'indicator--8',
    ])
    expect(hitIds(engine, ip('11.1.2.3'))).toEqual(['indicator--0'])
    expect(hitIds(engine, ip('10.0.0.0/12')).sort()).toEqual(['indicator--0', 'indicator--8'])
    expect(hitIds(engine, obs({ '0': { type: 'ipv6-addr', value: '2001:DB8::5' } }))).toEqual([
      'indicator--v6',
    ])
    const traffic = obs({
      '0': { type: 'network-traffic', dst_ref: '1' },
      '1': { type: 'ipv4-addr', value: '192.0.2.9' },
    })
    expect(hitIds(engine, traffic).sort()).toEqual(['indicator--0', 'indicator--ref'])
  })

  it('evaluates unanchored patterns (LIKE, MATCHES, !=, NOT) for observations of their type', () => {
    const { engine, loaded } = compile([
      indicator("[domain-name:value LIKE '%.evil.example']", { id: 'indicator--like' }),
      indicator("[domain-name:value MATCHES '^x[0-9]+\\\\.']", { id: 'indicator--re' }),
      indicator("[domain-name:value != 'good.example']", { id: 'indicator--ne' }),
      indicator("[url:value NOT LIKE 'https:%']", { id: 'indicator--url' }),
    ])
    expect(loaded).toBe(4)
    // The LIKE has a literal suffix and is indexed by it; the others are evaluated per type.
    expect(engine.stats().unanchoredLeaves).toBe(3)
    expect(hitIds(engine, domain('a.evil.example')).sort()).toEqual([
      'indicator--like',
      'indicator--ne',
    ])
    expect(hitIds(engine, domain('x12.example')).sort()).toEqual(['indicator--ne', 'indicator--re'])
    expect(hitIds(engine, domain('good.example'))).toEqual([])
    expect(hitIds(engine, ip('1.2.3.4'))).toEqual([])
  })

  it('indexes literal prefixes and suffixes of LIKE and MATCHES', () => {
    const { engine } = compile([
      indicator("[url:value LIKE 'http://bad.example/%']", { id: 'indicator--prefix' }),
      indicator("[url:value LIKE '%/payload.exe']", { id: 'indicator--suffix' }),
      indicator("[url:value LIKE 'ftp://exact.example/x']", { id: 'indicator--whole' }),
      indicator("[url:value MATCHES '^https?://c2\\\\.example/']", { id: 'indicator--re-prefix' }),
      indicator("[url:value MATCHES '\\\\.php\\\\?id=[0-9]+&cmd=exec$']", {
        id: 'indicator--re-suffix',
      }),
      indicator("[domain-name:value LIKE 'caf\u00e9.example']", { id: 'indicator--nfc' }),
    ])
    expect(engine.stats().unanchoredLeaves).toBe(0)
    const url = (value: string): Observation => obs({ '0': { type: 'url', value } })
    expect(hitIds(engine, url('http://bad.example/x/payload.exe')).sort()).toEqual([
      'indicator--prefix',
      'indicator--suffix',
    ])
    expect(hitIds(engine, url('http://good.example/'))).toEqual([])
    expect(hitIds(engine, url('ftp://exact.example/x'))).toEqual(['indicator--whole'])
    expect(hitIds(engine, url('http://c2.example/a'))).toEqual(['indicator--re-prefix'])
    expect(hitIds(engine, url('https://c2.example/a'))).toEqual(['indicator--re-prefix'])
    expect(hitIds(engine, url('http://c3.example/a'))).toEqual([])
    expect(hitIds(engine, url('http://x/a.php?id=12&cmd=exec\n'))).toEqual(['indicator--re-suffix'])
    expect(hitIds(engine, domain('cafe\u0301.example'))).toEqual(['indicator--nfc'])
  })

  it('confirms candidates by full evaluation (AND within one observation)', () => {
    const { engine } = compile([
      indicator("[file:name = 'foo.dll' AND file:size > 100]", { id: 'indicator--and' }),
      indicator(
        "[file:name = 'foo.dll'] START t'2025-01-01T00:00:00Z' STOP t'2026-01-01T00:00:00Z'",
        { id: 'indicator--ss' },
      ),
    ])
    expect(hitIds(engine, obs({ '0': { type: 'file', name: 'foo.dll', size: 50 } }))).toEqual([])
    expect(hitIds(engine, obs({ '0': { type: 'file', name: 'foo.dll', size: 500 } }))).toEqual([
      'indicator--and',
    ])
  })

  it('honours valid_from and valid_until against the observation time', () => {
    const { engine } = compile([
      indicator("[domain-name:value = 'a.example']", {
        valid_from: '2024-01-01T00:00:10Z',
        id: 'indicator--from',
      }),
      indicator("[domain-name:value = 'a.example']", {
        valid_until: '2024-01-01T00:00:10Z',
        id: 'indicator--until',
      }),
    ])
    expect(hitIds(engine, domain('a.example', 5))).toEqual(['indicator--until'])
    expect(hitIds(engine, domain('a.example', 10))).toEqual(['indicator--from'])
  })

  it('keeps stream state for FOLLOWEDBY ... WITHIN and reports the completing observation', () => {
    const { engine } = compile([
      indicator(
        "([domain-name:value = 'a.example'] FOLLOWEDBY [domain-name:value = 'b.example']) WITHIN 60 SECONDS",
        {
          id: 'indicator--seq',
        },
      ),
    ])
    expect(hitIds(engine, domain('b.example', 0))).toEqual([])
    expect(hitIds(engine, domain('a.example', 10))).toEqual([])
    expect(engine.activeStates).toBe(1)
    const hits = engine.match(domain('b.example', 30))
    expect(hits.map((h) => h.indicatorId)).toEqual(['indicator--seq'])
    expect(hits[0]?.observations.map((o) => o.matched[0]?.value)).toEqual([
      'a.example',
      'b.example',
    ])
    expect(hitIds(engine, domain('b.example', 200))).toEqual([])
  })

  it('counts REPEATS over the stream and drops expired partial matches', () => {
    const { engine } = compile([
      indicator("[domain-name:value = 'c2.example'] REPEATS 3 TIMES WITHIN 100 SECONDS", {
        id: 'indicator--rep',
      }),
    ])
    expect(hitIds(engine, domain('c2.example', 0))).toEqual([])
    expect(hitIds(engine, domain('c2.example', 50))).toEqual([])
    expect(hitIds(engine, domain('c2.example', 200))).toEqual([])
    expect(hitIds(engine, domain('c2.example', 250))).toEqual([])
    expect(hitIds(engine, domain('c2.example', 260))).toEqual(['indicator--rep'])
  })

  it('bounds the number of indicators with live state', () => {
    const patterns = Array.from({ length: 10 }, (_, i) =>
      indicator(`[domain-name:value = 'a${i}.example'] AND [domain-name:value = 'b${i}.example']`),
    )
    const { engine } = compile(patterns, { maxActiveStates: 3 })
    for (let i = 0; i < 10; i++) engine.match(domain(`a${i}.example`, i))
    expect(engine.activeStates).toBe(3)
    expect(engine.match(domain('b9.example', 20))).toHaveLength(1)
    expect(engine.match(domain('b0.example', 20))).toHaveLength(0)
  })

  it('agrees with evaluatePattern on single-observation patterns', () => {
    const patterns = [
      "[ipv4-addr:value = '203.0.113.5']",
      "[ipv4-addr:value ISSUBSET '203.0.113.0/24']",
      "[ipv4-addr:value IN ('203.0.113.5', '198.51.100.7')]",
      "[domain-name:value = 'x.example' OR ipv4-addr:value = '198.51.100.7']",
      "[network-traffic:dst_ref.value = '203.0.113.5' AND network-traffic:dst_port = 443]",
      "[network-traffic:protocols[*] = 'tcp']",
      '[network-traffic:dst_port >= 1024]',
      '[EXISTS network-traffic:src_ref]',
    ]
    const inds = patterns.map((p) => indicator(p))
    const { engine } = compile(inds)
    const observations = [
      ip('203.0.113.5'),
      ip('198.51.100.7'),
      domain('x.example'),
      obs({
        '0': { type: 'network-traffic', dst_ref: '1', dst_port: 443, protocols: ['ipv4', 'tcp'] },
        '1': { type: 'ipv4-addr', value: '203.0.113.5' },
      }),
      obs({
        '0': { type: 'network-traffic', src_ref: '1', dst_port: 8080, protocols: ['udp'] },
        '1': { type: 'ipv4-addr', value: '10.0.0.1' },
      }),
    ]
    for (const o of observations) {
      const expected = inds
        .filter((i) => evaluatePattern(i['pattern'] as string, [o]).matched)
        .map((i) => i['id'])
      expect(hitIds(engine, o).sort()).toEqual((expected as string[]).sort())
    }
  })
})

describe('PatternEngine against evaluatePattern (property)', () => {
  const ips = ['10.0.0.1', '10.0.0.77', '10.1.2.3', '192.0.2.5', '2001:db8::1', '2001:db8::ff']
  const names = ['a.example', 'b.example', 'x.a.example', 'A.EXAMPLE']
  const ipv4 = ips.filter((i) => !i.includes(':'))
  const comparison = fc.oneof(
    fc.constantFrom(...ipv4).map((v) => `ipv4-addr:value = '${v}'`),
    fc
      .constantFrom('10.0.0.0/8', '10.0.0.0/24', '192.0.2.0/28', '0.0.0.0/0')
      .map((v) => `ipv4-addr:value ISSUBSET '${v}'`),
    fc
      .constantFrom('2001:db8::/32', '2001:db8::/120')
      .map((v) => `ipv6-addr:value ISSUBSET '${v}'`),
    fc.constantFrom(...names).map((v) => `domain-name:value = '${v}'`),
    fc
      .constantFrom('%.example', 'x.%', 'a._xample', '%')
      .map((v) => `domain-name:value LIKE '${v}'`),
    fc.constantFrom('^x\\\\.', 'example$', 'b').map((v) => `domain-name:value MATCHES '${v}'`),
    fc.constantFrom(...names).map((v) => `domain-name:value != '${v}'`),
    fc.constantFrom(...ipv4).map((v) => `network-traffic:dst_ref.value = '${v}'`),
    fc.constantFrom(80, 443).map((v) => `network-traffic:dst_port = ${v}`),
    fc.constantFrom(...names).map((v) => `domain-name:resolves_to_refs[*].value = '${v}'`),
  )
  const body = fc
    .tuple(comparison, fc.option(fc.tuple(fc.constantFrom('AND', 'OR'), comparison)))
    .map(([a, rest]) => (rest ? `${a} ${rest[0]} ${rest[1]}` : a))
  const pattern = fc
    .tuple(body, fc.option(body))
    .map(([a, b]) => (b ? `[${a}] OR [${b}]` : `[${a}]`))
  const sco = fc.oneof(
    fc
      .constantFrom(...ips)
      .map((v): Sco => ({ type: v.includes(':') ? 'ipv6-addr' : 'ipv4-addr', value: v })),
    fc.constantFrom(...names).map((v): Sco => ({ type: 'domain-name', value: v })),
  )
  const observation = fc
    .tuple(fc.array(sco, { minLength: 1, maxLength: 3 }), fc.constantFrom(80, 443), fc.boolean())
    .map(([scos, dstPort, traffic]) => {
      const objects: Record<string, Sco> = {}
      scos.forEach((s, i) => (objects[String(i)] = s))
      if (traffic) objects['t'] = { type: 'network-traffic', dst_ref: '0', dst_port: dstPort }
      const first = scos[0]!
      if (first['type'] === 'domain-name' && scos.length > 1)
        objects['0'] = { ...first, resolves_to_refs: scos.slice(1).map((_, i) => String(i + 1)) }
      return obs(objects)
    })

  it('finds exactly the indicators whose pattern matches the observation', () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 8 }), observation, (patterns, o) => {
        const inds = patterns.map((p, i) => indicator(p, { id: `indicator--p${i}` }))
        const { engine, skipped } = compile(inds)
        const loaded = inds.filter((i) => !skipped.some((s) => s.id === i['id']))
        const expected = loaded
          .filter((i) => evaluatePattern(i['pattern'] as string, [o]).matched)
          .map((i) => i['id'] as string)
        expect(hitIds(engine, o).sort()).toEqual(expected.sort())
      }),
      { numRuns: 1000 },
    )
  })
})
