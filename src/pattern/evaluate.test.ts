import { describe, expect, it } from 'vitest'
import { evaluatePattern, likeMatches, compareCodePoints } from './evaluate.js'
import {
  makeObservation,
  observationsFromStix,
  type Observation,
  type Sco,
} from './observations.js'
import { parsePattern } from './parse-pattern.js'

const T0 = Date.parse('2024-01-01T00:00:00Z') * 1000
let counter = 0

/** An observation at T0 + `at` seconds (an `objects`-dictionary observed-data). */
function obs(
  objects: Record<string, Sco>,
  at = 0,
  options: { last?: number; count?: number } = {},
): Observation {
  counter++
  return makeObservation({
    id: `observed-data--${counter}`,
    firstObserved: T0 + at * 1e6,
    lastObserved: T0 + (options.last ?? at) * 1e6,
    numberObserved: options.count ?? 1,
    objects,
  })
}

function matches(pattern: string, observations: Observation[]): boolean {
  const parsed = parsePattern(pattern)
  if (!parsed.ok) throw new Error(`test pattern does not parse: ${parsed.error.message}`)
  return evaluatePattern(parsed.pattern, observations).matched
}

const file = obs({
  '0': {
    type: 'file',
    name: 'foo.dll',
    size: 25536,
    mime_type: 'application/x-pdf',
    magic_number_hex: 'FFD8',
    hashes: {
      'SHA-256': 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F',
      MD5: '79054025255fb1a26e4bc422aef54eb4',
      SSDEEP: '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C',
    },
    parent_directory_ref: '1',
    extensions: {
      'windows-pebinary-ext': {
        sections: [
          { name: '.text', entropy: 7.5 },
          { name: '.data', entropy: 2.1 },
        ],
      },
    },
    ctime: '2020-05-01T10:00:00.5Z',
  },
  '1': { type: 'directory', path: 'C:\\Windows\\System32' },
})

describe('evaluatePattern: comparison operators (STIX 2.1 section 9.6.1)', () => {
  it.each([
    ["[file:name = 'foo.dll']", true],
    ["[file:name = 'FOO.DLL']", false],
    ["[file:name != 'bar.dll']", true],
    ["[file:name != 'foo.dll']", false],
    ['[file:size = 25536]', true],
    ['[file:size = 25536.0]', true],
    ['[file:size = 25536.5]', false],
    ['[file:size > 256]', true],
    ['[file:size < 256]', false],
    ['[file:size >= 25536]', true],
    ['[file:size <= 25535]', false],
    ["[file:name > 'foo.azz']", true],
    ["[file:name < 'foo.dlm']", true],
    ["[file:name IN ('a.dll', 'foo.dll')]", true],
    ["[file:name IN ('a.dll', 'b.dll')]", false],
    ["[file:name LIKE 'foo.%']", true],
    ["[file:name LIKE 'f_o.dll']", true],
    ["[file:name LIKE 'oo.dll']", false],
    ["[file:name LIKE 'f_.dll']", false],
    ["[file:name MATCHES '^fo+\\\\.dll$']", true],
    ["[file:name MATCHES 'oo\\\\.d']", true],
    ["[file:name MATCHES '^oo']", false],
    ['[EXISTS file:mime_type]', true],
    ['[EXISTS file:atime]', false],
    ['[NOT EXISTS file:atime]', true],
  ])('%s -> %s', (pattern, expected) => {
    expect(matches(pattern, [file])).toBe(expected)
  })

  it('negates with NOT only when the property is present (section 9.6)', () => {
    expect(matches("[file:name NOT = 'bar.dll']", [file])).toBe(true)
    expect(matches("[file:name NOT = 'foo.dll']", [file])).toBe(false)
    expect(matches("[file:atime NOT = t'2020-01-01T00:00:00Z']", [file])).toBe(false)
    expect(matches("[file:atime != t'2020-01-01T00:00:00Z']", [file])).toBe(false)
    expect(matches("[file:name NOT LIKE 'x%']", [file])).toBe(true)
    expect(matches("[file:name NOT IN ('foo.dll')]", [file])).toBe(false)
  })

  it('treats incompatible types as false, except != which is true (section 9.6.1)', () => {
    expect(matches("[file:size = 'big']", [file])).toBe(false)
    expect(matches("[file:size != 'big']", [file])).toBe(true)
    expect(matches('[file:name > 3]', [file])).toBe(false)
    expect(matches('[file:name = true]', [file])).toBe(false)
  })

  it('compares booleans', () => {
    const mail = obs({ '0': { type: 'email-message', is_multipart: false } })
    expect(matches('[email-message:is_multipart = false]', [mail])).toBe(true)
    expect(matches('[email-message:is_multipart = true]', [mail])).toBe(false)
    expect(matches('[email-message:is_multipart != true]', [mail])).toBe(true)
  })

  it('compares hex hashes case-insensitively but not SSDEEP', () => {
    expect(
      matches(
        "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
        [file],
      ),
    ).toBe(true)
    expect(matches("[file:hashes.MD5 = '79054025255FB1A26E4BC422AEF54EB4']", [file])).toBe(true)
    expect(
      matches("[file:hashes.SSDEEP = '3:axgbicflgvnhbgcl6wcrfqev:axghsnhxlsr2c']", [file]),
    ).toBe(false)
  })

  it('compares timestamp constants as instants', () => {
    expect(matches("[file:ctime = t'2020-05-01T10:00:00.500Z']", [file])).toBe(true)
    expect(matches("[file:ctime > t'2020-05-01T10:00:00Z']", [file])).toBe(true)
    expect(matches("[file:ctime < t'2020-05-01T10:00:00Z']", [file])).toBe(false)
    // A string constant compares as a string (section 9.6.2), not as an instant.
    expect(matches("[file:ctime = '2020-05-01T10:00:00.500Z']", [file])).toBe(false)
  })

  it('compares hex properties as octets (section 9.6.4)', () => {
    expect(
      matches("[file:mime_type = 'image/bmp' OR file:magic_number_hex = h'ffd8']", [file]),
    ).toBe(true)
    expect(matches("[file:magic_number_hex = h'ffd9']", [file])).toBe(false)
    expect(matches("[file:magic_number_hex = b'/9g=']", [file])).toBe(true)
    expect(matches("[file:magic_number_hex > h'ff']", [file])).toBe(true)
  })
})

describe('evaluatePattern: binary properties (section 9.6.4 example)', () => {
  const artifact = obs({
    '0': {
      type: 'artifact',
      mime_type: 'application/octet-stream',
      payload_bin: 'dGhpcyBpcyBhIHRlc3Q=',
    },
  })
  it.each([
    ["[artifact:payload_bin = 'dGhpcyBpcyBhIHRlc3Q=']", false],
    ["[artifact:payload_bin = 'this is a test']", true],
    ["[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']", true],
    ["[artifact:payload_bin = h'7468697320697320612074657374']", true],
    ["[artifact:payload_bin = 'ĀĀ']", false],
    ["[artifact:payload_bin != 'ĀĀ']", true],
    ["[artifact:payload_bin MATCHES '^this\\\\s+is']", true],
  ])('%s -> %s', (pattern, expected) => {
    expect(matches(pattern, [artifact])).toBe(expected)
  })

  it('matches the PCAP header example with \\x escapes against decoded bytes', () => {
    const pcap = obs({
      '0': {
        type: 'artifact',
        mime_type: 'application/vnd.tcpdump.pcap',
        payload_bin: '1MOyoQIABAAAAAAA',
      },
    })
    const pattern =
      "[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00\\\\x04\\\\x00']"
    expect(matches(pattern, [pcap])).toBe(true)
    expect(matches(pattern, [artifact])).toBe(false)
  })
})

describe('evaluatePattern: IP addresses (section 9.6.1 ISSUBSET/ISSUPERSET)', () => {
  const v4 = obs({ '0': { type: 'ipv4-addr', value: '198.51.100.1' } })
  const net = obs({ '0': { type: 'ipv4-addr', value: '198.51.100.0/27' } })
  const v6 = obs({ '0': { type: 'ipv6-addr', value: '2001:db8:dead:beef:dead:beef:dead:1' } })
  it.each([
    ["[ipv4-addr:value = '198.51.100.1/32']", v4, true],
    ["[ipv4-addr:value = '198.51.100.1']", v4, true],
    ["[ipv4-addr:value = '198.51.100.2']", v4, false],
    ["[ipv4-addr:value ISSUBSET '198.51.100.0/24']", v4, true],
    ["[ipv4-addr:value ISSUBSET '198.51.101.0/24']", v4, false],
    ["[ipv4-addr:value ISSUBSET '198.51.100.0/24']", net, true],
    ["[ipv4-addr:value ISSUPERSET '198.51.100.0/28']", net, true],
    ["[ipv4-addr:value ISSUPERSET '198.51.100.0/24']", net, false],
    ["[ipv4-addr:value ISSUBSET '198.51.100.1']", v4, true],
    ["[ipv4-addr:value ISSUPERSET '198.51.100.1/32']", v4, true],
    ["[ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128']", v6, true],
    ["[ipv6-addr:value ISSUBSET '2001:db8::/32']", v6, true],
    ["[ipv6-addr:value ISSUBSET '2001:db9::/32']", v6, false],
    ["[ipv4-addr:value ISSUBSET 'not-an-ip']", v4, false],
  ])('%s', (pattern, o, expected) => {
    expect(matches(pattern, [o])).toBe(expected)
  })
})

describe('evaluatePattern: object paths (section 9.7)', () => {
  it('indexes lists with [n] and [*], out of range is false', () => {
    const traffic = obs({ '0': { type: 'network-traffic', protocols: ['ipv4', 'tcp'] } })
    expect(matches("[network-traffic:protocols[0] = 'ipv4']", [traffic])).toBe(true)
    expect(matches("[network-traffic:protocols[0] = 'tcp']", [traffic])).toBe(false)
    expect(matches("[network-traffic:protocols[*] = 'tcp']", [traffic])).toBe(true)
    expect(matches("[network-traffic:protocols[5] != 'tcp']", [traffic])).toBe(false)
  })

  it('reads nested dictionaries with quoted keys and list elements', () => {
    expect(
      matches("[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]", [file]),
    ).toBe(true)
    expect(
      matches("[file:extensions.'windows-pebinary-ext'.sections[1].entropy > 7.0]", [file]),
    ).toBe(false)
  })

  it('dereferences _ref within the observation (objects dictionary)', () => {
    expect(
      matches(
        "[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\\\Windows\\\\System32']",
        [file],
      ),
    ).toBe(true)
    expect(matches("[file:parent_directory_ref.path = 'C:\\\\Temp']", [file])).toBe(false)
  })

  it('dereferences _refs lists with [*]', () => {
    const dns = obs({
      '0': { type: 'domain-name', value: 'www.5z8.info', resolves_to_refs: ['1', '2'] },
      '1': { type: 'ipv4-addr', value: '203.0.113.9' },
      '2': { type: 'ipv4-addr', value: '198.51.100.1' },
    })
    expect(
      matches(
        "[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
        [dns],
      ),
    ).toBe(true)
    expect(matches("[domain-name:resolves_to_refs[0].value = '198.51.100.1']", [dns])).toBe(false)
  })

  it('requires all AND operands to start from the same SCO (section 9.5 example)', () => {
    const split = obs({
      '0': { type: 'network-traffic', src_ref: '1' },
      '1': { type: 'ipv4-addr', value: '203.0.113.10' },
      '2': { type: 'network-traffic', dst_ref: '3' },
      '3': { type: 'ipv4-addr', value: '198.51.100.58' },
    })
    const pattern =
      "[ network-traffic:src_ref.value = '203.0.113.10' AND network-traffic:dst_ref.value = '198.51.100.58' ]"
    expect(matches(pattern, [split])).toBe(false)
    const joined = obs({
      '0': { type: 'network-traffic', src_ref: '1', dst_ref: '3' },
      '1': { type: 'ipv4-addr', value: '203.0.113.10' },
      '3': { type: 'ipv4-addr', value: '198.51.100.58' },
    })
    expect(matches(pattern, [joined])).toBe(true)
  })

  it('follows only references listed in object_refs (section 9.7.4)', () => {
    const bundle = {
      type: 'bundle',
      id: 'bundle--1',
      objects: [
        {
          type: 'observed-data',
          id: 'observed-data--a',
          first_observed: '2024-01-01T00:00:00Z',
          last_observed: '2024-01-01T00:00:00Z',
          number_observed: 1,
          object_refs: ['email-message--1', 'email-addr--1'],
        },
        {
          type: 'email-message',
          id: 'email-message--1',
          is_multipart: false,
          from_ref: 'email-addr--1',
          to_refs: ['email-addr--2'],
        },
        { type: 'email-addr', id: 'email-addr--1', value: 'ceo@example.com' },
        { type: 'email-addr', id: 'email-addr--2', value: 'victim@example.org' },
      ],
    }
    const { observations, problems } = observationsFromStix(bundle)
    expect(problems).toEqual([])
    expect(
      matches("[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$']", observations),
    ).toBe(true)
    expect(matches("[email-message:to_refs[*].value = 'victim@example.org']", observations)).toBe(
      false,
    )
    expect(matches("[email-addr:value = 'victim@example.org']", observations)).toBe(false)
  })

  it('matches an observation of either type in an OR across types (section 9.5)', () => {
    const o = obs({ '0': { type: 'url', value: 'http://example.com/bar' } })
    expect(
      matches("[(file:name = 'x' AND file:size = 1) OR (url:value = 'http://example.com/bar')]", [
        o,
      ]),
    ).toBe(true)
    expect(
      matches("[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']", [
        o,
      ]),
    ).toBe(true)
  })
})

describe('evaluatePattern: observation operators and qualifiers (section 9.5)', () => {
  const a = (at: number, count = 1): Observation =>
    obs({ '0': { type: 'domain-name', value: 'a.example' } }, at, { count })
  const b = (at: number): Observation =>
    obs({ '0': { type: 'domain-name', value: 'b.example' } }, at)
  const A = "[domain-name:value = 'a.example']"
  const B = "[domain-name:value = 'b.example']"

  it('AND needs two different observations', () => {
    const both = obs({
      '0': { type: 'domain-name', value: 'a.example' },
      '1': { type: 'domain-name', value: 'b.example' },
    })
    expect(matches(`${A} AND ${B}`, [both])).toBe(false)
    expect(matches(`${A} AND ${B}`, [a(0), b(5)])).toBe(true)
    expect(matches(`${A} AND ${A}`, [a(0)])).toBe(false)
    expect(matches(`${A} AND ${A}`, [a(0), a(1)])).toBe(true)
  })

  it('OR needs either', () => {
    expect(matches(`${A} OR ${B}`, [b(0)])).toBe(true)
    expect(matches(`${A} OR ${B}`, [])).toBe(false)
  })

  it('FOLLOWEDBY needs the right order', () => {
    expect(matches(`${A} FOLLOWEDBY ${B}`, [a(0), b(10)])).toBe(true)
    expect(matches(`${A} FOLLOWEDBY ${B}`, [b(0), a(10)])).toBe(false)
    expect(matches(`${A} FOLLOWEDBY ${B}`, [b(0), a(10), b(20)])).toBe(true)
    expect(matches(`${A} FOLLOWEDBY ${B}`, [a(0), b(0)])).toBe(true)
  })

  it('WITHIN bounds the span of all matched observations (strictly below)', () => {
    expect(matches(`(${A} AND ${B}) WITHIN 300 SECONDS`, [a(0), b(299)])).toBe(true)
    expect(matches(`(${A} AND ${B}) WITHIN 300 SECONDS`, [a(0), b(300)])).toBe(false)
    expect(matches(`(${A} FOLLOWEDBY ${B}) WITHIN 60 SECONDS`, [a(0), a(100), b(130)])).toBe(true)
  })

  it('REPEATS counts distinct observations and number_observed', () => {
    expect(matches(`${A} REPEATS 3 TIMES`, [a(0), a(1)])).toBe(false)
    expect(matches(`${A} REPEATS 3 TIMES`, [a(0), a(1), a(2)])).toBe(true)
    expect(matches(`${A} REPEATS 3 TIMES`, [a(0, 3)])).toBe(true)
    expect(matches(`${A} REPEATS 3 TIMES WITHIN 10 SECONDS`, [a(0), a(20), a(25), a(40)])).toBe(
      false,
    )
    expect(matches(`${A} REPEATS 3 TIMES WITHIN 10 SECONDS`, [a(0), a(20), a(25), a(29)])).toBe(
      true,
    )
  })

  it('applies REPEATS to the right operand of FOLLOWEDBY only (section 9.5.2)', () => {
    const p = `${B} FOLLOWEDBY ${A} REPEATS 2 TIMES`
    expect(matches(p, [b(0), a(10), a(20)])).toBe(true)
    expect(matches(p, [a(0), b(10), a(20)])).toBe(false)
    expect(matches(`(${B} FOLLOWEDBY ${A}) REPEATS 2 TIMES`, [b(0), a(10), a(20)])).toBe(false)
    expect(matches(`(${B} FOLLOWEDBY ${A}) REPEATS 2 TIMES`, [b(0), a(10), b(15), a(20)])).toBe(
      true,
    )
  })

  it('START/STOP keeps observations with start <= time < stop', () => {
    const at = (iso: string): Observation =>
      obs({ '0': { type: 'file', name: 'foo.dll' } }, (Date.parse(iso) * 1000 - T0) / 1e6)
    const p = "[file:name = 'foo.dll'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'"
    expect(matches(p, [at('2016-06-15T00:00:00Z')])).toBe(true)
    expect(matches(p, [at('2016-06-01T00:00:00Z')])).toBe(true)
    expect(matches(p, [at('2016-07-01T00:00:00Z')])).toBe(false)
    expect(matches(p, [at('2016-05-31T23:59:59Z')])).toBe(false)
  })

  it('matches the beaconing example only with 5 observations in 1800 seconds', () => {
    const beacon = (at: number): Observation =>
      obs(
        {
          '0': { type: 'network-traffic', dst_ref: '1' },
          '1': { type: 'domain-name', value: 'example.com' },
        },
        at,
      )
    const p =
      "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS"
    expect(matches(p, [0, 300, 600, 900, 1200].map(beacon))).toBe(true)
    expect(matches(p, [0, 500, 1000, 1500, 2000].map(beacon))).toBe(false)
  })

  it('matches the three unix accounts example', () => {
    const user = (id: string, login: string, at: number): Observation =>
      obs(
        { '0': { type: 'user-account', account_type: 'unix', user_id: id, account_login: login } },
        at,
      )
    const p =
      "[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1009' AND user-account:account_login = 'Mary']"
    expect(
      matches(p, [user('1007', 'Peter', 0), user('1008', 'Paul', 1), user('1009', 'Mary', 2)]),
    ).toBe(true)
    expect(
      matches(p, [user('1007', 'Peter', 0), user('1008', 'Paul', 1), user('1009', 'Marie', 2)]),
    ).toBe(false)
  })

  it('does not match with an unusable regular expression (section 9.4)', () => {
    expect(matches("[file:name NOT MATCHES '(a)\\\\1']", [file])).toBe(false)
  })

  it('completes a catastrophic-backtracking regex quickly', () => {
    const o = obs({ '0': { type: 'file', name: `${'a'.repeat(5000)}!` } })
    const start = performance.now()
    expect(matches("[file:name MATCHES '(a+)+$']", [o])).toBe(false)
    expect(matches("[file:name MATCHES '^(a|aa)*$']", [o])).toBe(false)
    expect(matches("[file:name MATCHES '(a*)*b']", [o])).toBe(false)
    expect(performance.now() - start).toBeLessThan(1000)
  })

  it('returns the matched observations and values', () => {
    const result = evaluatePattern(`${A} FOLLOWEDBY ${B}`, [a(0), b(1)])
    expect(result.matched).toBe(true)
    expect(result.observations.map((o) => o.matched[0]?.value)).toEqual(['a.example', 'b.example'])
    expect(result.observations[0]?.matched[0]?.path).toBe('domain-name:value')
  })
})

describe('likeMatches', () => {
  it.each([
    ['C:\\Windows\\x\\foo', 'C:\\Windows\\%\\foo', true],
    ['abc', 'a%', true],
    ['abc', '%c', true],
    ['abc', '%b%', true],
    ['abc', 'a_c', true],
    ['abc', 'a__c', false],
    ['abc', 'ABC', false],
    ['', '%', true],
    ['a.c', 'a.c', true],
    ['abc', 'a.c', false],
    ['ｅ', '_', true],
  ])('%s LIKE %s -> %s', (value, pattern, expected) => {
    expect(likeMatches(value, pattern)).toBe(expected)
  })

  it('NFC-normalises both sides', () => {
    expect(likeMatches('o\u0308', '\u00f6')).toBe(true)
  })
})

describe('compareCodePoints (section 9.6.2)', () => {
  it('orders by code point: o < oz < o + U+0300 < z < U+00F2', () => {
    const sorted = ['\u00f2', 'z', 'o\u0300', 'oz', 'o'].sort(compareCodePoints)
    expect(sorted).toEqual(['o', 'oz', 'o\u0300', 'z', '\u00f2'])
  })
  it('orders astral code points above U+FFFF', () => {
    expect(compareCodePoints('\u{1F600}', '\uFFFF')).toBeGreaterThan(0)
  })
})
