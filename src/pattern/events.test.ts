import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compile } from './engine/pattern-engine.js'
import { evaluatePattern } from './evaluate.js'
import { eventTime, eventToObservations } from './events.js'
import type { Observation } from './observations.js'

const fixture = readFileSync(
  new URL('../../test/fixtures/events/flat-events.ndjson', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((l) => l.trim() !== '')

function mapped(event: unknown): Observation {
  const result = eventToObservations(event, { fallbackId: 'line:1' })
  if (!result.ok) throw new Error(result.error)
  const [first] = result.observations
  if (!first) throw new Error('no observation')
  return first
}

const matches = (pattern: string, o: Observation): boolean => evaluatePattern(pattern, [o]).matched

describe('eventToObservations (docs/event-mapping.md)', () => {
  it('maps a DNS query to domain-name with resolves_to_refs and the client address', () => {
    const o = mapped(JSON.parse(fixture[0]!))
    expect(o.id).toBe('ev-1')
    expect(o.firstObserved).toBe(Date.parse('2024-03-01T10:00:00Z') * 1000)
    expect(matches("[domain-name:value = 'evil.example']", o)).toBe(true)
    expect(matches("[domain-name:resolves_to_refs[*].value = '203.0.113.7']", o)).toBe(true)
    expect(matches("[domain-name:resolves_to_refs[*].value = 'cdn.example']", o)).toBe(true)
    expect(
      matches(
        "[network-traffic:src_ref.value = '10.0.0.5' AND network-traffic:protocols[*] = 'dns']",
        o,
      ),
    ).toBe(true)
  })

  it('maps a network connection to network-traffic with both addresses and ports', () => {
    const o = mapped(JSON.parse(fixture[1]!))
    expect(
      matches(
        "[network-traffic:src_ref.value = '10.0.0.5' AND network-traffic:dst_ref.value = '198.51.100.1' AND network-traffic:dst_port = 443 AND network-traffic:protocols[0] = 'tcp']",
        o,
      ),
    ).toBe(true)
    expect(matches("[ipv4-addr:value ISSUBSET '198.51.100.0/24']", o)).toBe(true)
  })

  it('maps an HTTP request to url, host and an http-request-ext', () => {
    const o = mapped(JSON.parse(fixture[2]!))
    expect(o.firstObserved).toBe(1709287202 * 1e6)
    expect(matches("[url:value = 'http://evil.example/payload.exe']", o)).toBe(true)
    expect(matches("[domain-name:value = 'evil.example']", o)).toBe(true)
    expect(
      matches(
        "[network-traffic:extensions.'http-request-ext'.request_method = 'get' AND network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'curl/8.0' AND network-traffic:extensions.'http-request-ext'.request_value = '/payload.exe']",
        o,
      ),
    ).toBe(true)
  })

  it('maps a file with hashes, size and directory', () => {
    const o = mapped(JSON.parse(fixture[3]!))
    expect(o.firstObserved).toBe(Date.parse('2024-03-01T10:00:03.250Z') * 1000)
    expect(
      matches("[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4' AND file:size = 4096]", o),
    ).toBe(true)
    expect(matches("[file:parent_directory_ref.path = 'C:\\\\Users\\\\bob\\\\Downloads']", o)).toBe(
      true,
    )
  })

  it('maps an email to email-message with address refs; offsets in timestamps are honoured', () => {
    const o = mapped(JSON.parse(fixture[4]!))
    expect(o.firstObserved).toBe(Date.parse('2024-03-01T09:00:04Z') * 1000)
    expect(
      matches(
        "[email-message:from_ref.value = 'ceo@evil.example' AND email-message:subject = 'Invoice']",
        o,
      ),
    ).toBe(true)
    expect(matches("[email-message:to_refs[1].value = 'amy@corp.example']", o)).toBe(true)
  })

  it('accepts STIX observed-data as an event', () => {
    const result = eventToObservations(JSON.parse(fixture[8]!), { fallbackId: 'line:9' })
    expect(result.ok && result.observations[0]?.id).toBe(
      'observed-data--5b1c9a6e-0c39-4d1a-9a3e-7c5f43c0a001',
    )
  })

  it.each([
    [null, 'not a JSON object'],
    [{ timestamp: 1 }, 'no "type"'],
    [{ type: 'printer', timestamp: 1 }, 'unknown event type "printer"'],
    [{ type: 'dns', timestamp: 1 }, 'needs "query"'],
    [{ type: 'dns', query: 'x.example' }, 'no "timestamp"'],
    [{ type: 'dns', query: 'x.example', timestamp: 'yesterday' }, 'is not a time'],
    [{ type: 'network', timestamp: 1, src_ip: 'nope' }, 'needs "src_ip" or "dst_ip"'],
    [{ type: 'file', timestamp: 1, size: 3 }, 'needs "name" or a hash'],
    [{ type: 'email', timestamp: 1 }, 'needs "from", "to" or "subject"'],
    [{ type: 'observed-data', id: 'observed-data--x' }, 'first_observed'],
  ])('rejects %j naming the problem', (event, message) => {
    const result = eventToObservations(event, { fallbackId: 'line:1' })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.error).toContain(message)
  })

  it('warns about unusable fields and uses the default time when given', () => {
    const result = eventToObservations(
      { type: 'network', src_ip: '10.0.0.1', dst_ip: 'not-an-ip' },
      { fallbackId: 'line:3', defaultTime: 5 },
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.warnings).toEqual(['dst_ip "not-an-ip" is not an IP address; ignored'])
    expect(result.observations[0]?.id).toBe('line:3')
    expect(result.observations[0]?.firstObserved).toBe(5)
  })
})

describe('eventTime', () => {
  it('reads seconds, milliseconds, STIX and RFC 3339 timestamps', () => {
    expect(eventTime(1_700_000_000)).toBe(1_700_000_000 * 1e6)
    expect(eventTime(1_700_000_000_123)).toBe(1_700_000_000_123 * 1e3)
    expect(eventTime('2024-01-01T00:00:00.000001Z')).toBe(
      Date.parse('2024-01-01T00:00:00Z') * 1000 + 1,
    )
    expect(eventTime('2024-01-01T01:00:00+01:00')).toBe(Date.parse('2024-01-01T00:00:00Z') * 1000)
    expect(eventTime('2024-01-01T00:00:59.5Z')).toBe(Date.parse('2024-01-01T00:00:59.5Z') * 1000)
    expect(eventTime('2024-01-01T00:00:07Z')).toBe(Date.parse('2024-01-01T00:00:07Z') * 1000)
    expect(eventTime('2024-01-01T00:00:61Z')).toBeUndefined()
    expect(eventTime('2024-01-01T00:00:07.Z')).toBeUndefined()
    expect(eventTime('Jan 1')).toBeUndefined()
    expect(eventTime(-5)).toBeUndefined()
  })
})

describe('eventToObservations and the engine on arbitrary input', () => {
  const { engine } = compile([
    {
      type: 'indicator',
      id: 'indicator--f',
      pattern:
        "[domain-name:value LIKE '%.example' OR ipv4-addr:value ISSUBSET '10.0.0.0/8' OR network-traffic:dst_ref.value = 'x' OR file:hashes.MD5 = 'aa'] AND [email-message:from_ref.value MATCHES '^a+$']",
      pattern_type: 'stix',
    },
  ])
  const kinds = fc.constantFrom(
    'dns',
    'network',
    'http',
    'file',
    'email',
    'observed-data',
    'bundle',
    'x',
  )
  const field = fc.oneof(
    fc.jsonValue(),
    fc.ipV4(),
    fc.ipV6(),
    fc.domain(),
    fc.webUrl(),
    fc.emailAddress(),
  )
  const event = fc.record(
    {
      type: kinds,
      timestamp: fc.oneof(
        fc.jsonValue(),
        fc.integer(),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      query: field,
      answers: fc.oneof(field, fc.array(field)),
      src_ip: field,
      dst_ip: field,
      url: field,
      host: field,
      md5: field,
      name: field,
      size: field,
      from: field,
      to: fc.oneof(field, fc.array(field)),
      objects: fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue())),
      object_refs: fc.array(fc.string()),
      first_observed: fc.oneof(fc.constant('2024-01-01T00:00:00Z'), fc.jsonValue()),
      last_observed: fc.oneof(fc.constant('2024-01-01T00:00:00Z'), fc.jsonValue()),
    },
    { requiredKeys: ['type'] },
  )

  it('returns a result or a reason, and matching never throws', () => {
    fc.assert(
      fc.property(fc.oneof(event, fc.jsonValue()), (input) => {
        const result = eventToObservations(input, { fallbackId: 'line:1', defaultTime: 0 })
        if (!result.ok) {
          expect(result.error.length).toBeGreaterThan(0)
          return
        }
        for (const o of result.observations) engine.match(o)
      }),
      { numRuns: 2000 },
    )
  })
})
