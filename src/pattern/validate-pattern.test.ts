import { describe, expect, it } from 'vitest'
import { readSpecExamples } from '../../test/fixtures/patterns/ast-json.js'
import type { PatternIssue } from './pattern-issue.js'
import { SCO_PROPERTIES, SCO_TYPE_NAMES } from './sco-properties.js'
import { validatePattern } from './validate-pattern.js'

const codes = (issues: PatternIssue[]): string[] => issues.map((i) => i.code)

function warnings(text: string): PatternIssue[] {
  const v = validatePattern(text)
  if (!v.ok) throw new Error(`${text}: ${v.errors.map((e) => e.message).join('; ')}`)
  return v.warnings
}

function errors(text: string): PatternIssue[] {
  const v = validatePattern(text)
  expect(v.ok).toBe(false)
  return v.errors
}

function clean(text: string): void {
  const v = validatePattern(text)
  expect([...v.errors, ...v.warnings].map((i) => i.message)).toEqual([])
  expect(v.ok).toBe(true)
}

describe('validatePattern', () => {
  it('returns the parsed pattern and no findings for a clean pattern', () => {
    const v = validatePattern("[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4']")
    expect(v).toMatchObject({ ok: true, errors: [], warnings: [] })
    expect(v.pattern?.kind).toBe('pattern')
  })

  it('returns the syntax error and no pattern when the text does not parse', () => {
    const v = validatePattern("[file:name = 'x'")
    expect(v.ok).toBe(false)
    expect(v.pattern).toBeUndefined()
    expect(v.errors).toHaveLength(1)
    expect(v.errors[0]).toMatchObject({ code: 'PATTERN_SYNTAX', line: 1, column: 17 })
    expect(v.warnings).toEqual([])
  })

  it('finds no error in any specification example (warnings only where the spec is loose)', () => {
    const loose: string[] = []
    for (const { title, pattern } of readSpecExamples()) {
      const v = validatePattern(pattern)
      expect(v.errors, title).toEqual([])
      if (v.warnings.length > 0) loose.push(`${title}: ${codes(v.warnings).join(',')}`)
    }
    // 9.5.1 elides its hash ('13987239847...'); 9.8 uses file:created, which is not a
    // property of file in STIX 2.1 (it is ctime).
    expect(loose).toEqual([
      '9.5.1 (example in a table): never-true',
      '9.8 Matching on a File with a set of properties: unknown-property',
    ])
  })

  it('locates each finding with line, column and offset', () => {
    const [w] = warnings("[x-t:a = 1]\n  AND [ipv4-addr:value = 'nope']")
    expect(w).toMatchObject({
      severity: 'warning',
      code: 'never-true',
      line: 2,
      column: 26,
      offset: 37,
    })
    expect(w?.message).toMatch(/^line 2, column 26: 'nope' is not an IPv4 address or CIDR block/)
  })
})

describe('validatePattern: MUST rules (errors)', () => {
  it('rejects AND across object types inside one observation (section 9.5)', () => {
    const [e] = errors("[file:name = 'a' AND process:pid = 1]")
    expect(e).toMatchObject({ severity: 'error', code: 'mixed-object-types', column: 2 })
    expect(e?.message).toContain('AND joins comparisons on different object types (file, process)')
  })

  it('allows different object types joined by OR (section 9.5)', () => {
    clean("[file:name = 'a' OR process:pid = 1]")
    clean("[(file:name = 'a' AND file:size = 1) OR (process:pid = 1 AND process:cwd = '/')]")
  })

  it('allows AND when every operand can match the same object type', () => {
    clean("[(file:name = 'a' OR process:pid = 1) AND file:size = 2]")
  })

  it('rejects AND of groups with no common type', () => {
    expect(codes(errors("[(file:name = 'a' OR process:pid = 1) AND url:value = 'x']"))).toEqual([
      'mixed-object-types',
    ])
  })

  it('allows AND across object types in separate observations', () => {
    clean("[file:name = 'a'] AND [process:pid = 1]")
  })

  it('rejects two qualifiers of one kind on one expression (section 9.5.1)', () => {
    const [e] = errors('[x-t:a = 1] WITHIN 5 SECONDS REPEATS 2 TIMES WITHIN 6 SECONDS')
    expect(e).toMatchObject({ code: 'duplicate-qualifier', column: 46 })
    expect(e?.message).toContain('a second WITHIN qualifier on the same observation expression')
    expect(e?.message).toContain('the first is at column 13')
    expect(codes(errors('[x-t:a = 1] REPEATS 2 TIMES REPEATS 3 TIMES'))).toEqual([
      'duplicate-qualifier',
    ])
  })

  it('allows qualifiers of one kind on nested expressions', () => {
    clean('([x-t:a = 1] WITHIN 5 SECONDS AND [x-t:a = 2]) WITHIN 10 SECONDS')
    clean('[x-t:a = 1] WITHIN 5 SECONDS REPEATS 2 TIMES')
  })

  it('rejects START not before STOP (section 9.5.1)', () => {
    const [e] = errors("[x-t:a = 1] START t'2016-07-01T00:00:00Z' STOP t'2016-06-01T00:00:00Z'")
    expect(e).toMatchObject({ code: 'empty-time-window', column: 13 })
    expect(
      codes(errors("[x-t:a = 1] START t'2016-07-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'")),
    ).toEqual(['empty-time-window'])
    clean("[x-t:a = 1] START t'2016-07-01T00:00:00Z' STOP t'2016-07-01T00:00:00.000001Z'")
  })

  it('rejects an IN list that mixes constant types (section 9.6.1)', () => {
    const [e] = errors("[process:name IN ('a', 1)]")
    expect(e).toMatchObject({ code: 'mixed-list-types', column: 24 })
    expect(e?.message).toContain('the IN list mixes a string and an integer')
    // Integers and floats are both numbers.
    clean('[file:size IN (1, 2.5)]')
  })

  it('rejects an invalid MATCHES regular expression', () => {
    const [e] = errors("[file:name MATCHES '(a']")
    expect(e).toMatchObject({ code: 'PATTERN_REGEX', column: 20 })
    expect(e?.message).toMatch(/^column 20: invalid regular expression: /)
  })

  it('warns about valid regex features the linear-time matcher does not run', () => {
    const [w] = warnings("[file:name MATCHES '(?<=a)b']")
    expect(w).toMatchObject({ code: 'unsupported-regex', column: 20 })
  })

  it('accepts the PCRE escapes of the spec examples', () => {
    clean("[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$']")
    clean("[artifact:payload_bin MATCHES '\\\\xd4\\\\xc3\\\\xb2\\\\xa1']")
  })
})

describe('validatePattern: object types', () => {
  it('knows the 18 SCO types of section 6', () => {
    expect(SCO_TYPE_NAMES).toHaveLength(18)
    for (const t of SCO_TYPE_NAMES) {
      expect(SCO_PROPERTIES.has(t)).toBe(true)
      clean(`[${t}:type = '${t}']`)
    }
  })

  it('accepts custom x- types without checking their properties', () => {
    clean("[x-usb-device:usbdrive.serial_number = '575833314133343231313937']")
  })

  it('warns about an unknown object type', () => {
    const [w] = warnings("[filee:name = 'a']")
    expect(w).toMatchObject({ code: 'unknown-object-type', column: 2 })
    expect(w?.message).toContain("unknown object type 'filee'")
  })

  it('warns about an invalid object type name', () => {
    expect(codes(warnings('[File:name = 1]'))).toEqual(['invalid-object-type'])
    expect(codes(warnings('[ab:name = 1]'))).toEqual(['invalid-object-type'])
    expect(codes(warnings('[a--b:name = 1]'))).toEqual(['invalid-object-type'])
  })

  it('warns about a domain object type, which patterns do not match', () => {
    expect(codes(warnings("[indicator:name = 'a']"))).toEqual(['not-an-observable-type'])
  })
})

describe('validatePattern: properties (section 6, 9.7)', () => {
  it('accepts properties, common properties and nested paths of each kind', () => {
    clean("[file:name = 'a' AND file:id = 'file--x' AND file:defanged = true]")
    clean("[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]")
    clean("[file:extensions.'windows-pebinary-ext'.optional_header.size_of_code > 1]")
    clean("[file:extensions.'ntfs-ext'.alternate_data_streams[0].name = 'x']")
    clean("[email-message:body_multipart[*].body_raw_ref.name = 'x']")
    clean("[email-message:additional_header_fields.'X-Mailer' = 'x']")
    clean("[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'x']")
    clean("[process:extensions.'windows-process-ext'.windows_title = 'x']")
    clean("[user-account:extensions.'unix-account-ext'.groups[*] = 'wheel']")
    clean("[windows-registry-key:values[*].data = 'x']")
    clean("[x509-certificate:x509_v3_extensions.key_usage = 'x']")
    clean("[file:granular_markings[0].selectors[*] = 'name']")
  })

  it('follows _ref and _refs into the referenced types (section 9.7.4)', () => {
    clean("[network-traffic:src_ref.value = '203.0.113.10']")
    clean("[process:image_ref.hashes.'SHA-256' = '" + 'a'.repeat(64) + "']")
    clean("[domain-name:resolves_to_refs[*].value = '198.51.100.1/32']")
    const [w] = warnings("[network-traffic:src_ref.name = 'x']")
    expect(w).toMatchObject({ code: 'unknown-property', column: 26 })
    expect(w?.message).toContain(
      "'name' is not a property of ipv4-addr or ipv6-addr or mac-addr or domain-name (STIX 2.1 sections 6.8, 6.9, 6.10, 6.4)",
    )
  })

  it('warns about a property not defined for the type', () => {
    const [w] = warnings("[file:created = t'2014-01-13T07:03:17Z']")
    expect(w).toMatchObject({ code: 'unknown-property', column: 7 })
    expect(w?.message).toBe(
      "column 7: 'created' is not a property of file (STIX 2.1 section 6.7); custom properties start with 'x_'",
    )
  })

  it('accepts custom x_ properties', () => {
    clean("[file:x_color = 'red']")
  })

  it('checks extension names', () => {
    const [w] = warnings("[file:extensions.'pe-ext'.x = 1]")
    expect(w).toMatchObject({ code: 'unknown-extension', column: 18 })
    clean("[file:extensions.'x-acme-ext'.anything = 1]")
    clean("[file:extensions.'extension-definition--d83fce45-93ec-4a0e-8ba1-b4d8d1e0f6f0'.a = 1]")
  })

  it('checks hash algorithms against hash-algorithm-ov (section 10.7)', () => {
    const [w] = warnings("[file:hashes.sha256 = '" + 'a'.repeat(64) + "']")
    expect(w?.code).toBe('unknown-hash-algorithm')
    expect(w?.message).toContain("hash algorithm 'sha256' is written 'SHA-256'")
    expect(codes(warnings("[file:hashes.WHIRLPOOL = 'a']"))).toEqual(['unknown-hash-algorithm'])
    clean("[file:hashes.SSDEEP = '3:abc:def']")
  })

  it('warns about a list compared or traversed without an index (section 9.7.2)', () => {
    expect(codes(warnings("[network-traffic:protocols = 'tcp']"))).toEqual(['missing-list-index'])
    expect(codes(warnings("[directory:contains_refs.name = 'a']"))).toEqual(['missing-list-index'])
    clean("[network-traffic:protocols[*] = 'tcp']")
    // EXISTS asks whether the property is there, list or not (9.6.1 example).
    clean('[EXISTS windows-registry-key:values]')
  })

  it('warns about an index on a non-list and a property of a scalar', () => {
    expect(codes(warnings("[file:name[0] = 'a']"))).toEqual(['not-a-list'])
    expect(codes(warnings("[file:name.first = 'a']"))).toEqual(['not-an-object'])
  })
})

describe('validatePattern: comparisons that can never be true', () => {
  it('warns about an invalid IPv4 or IPv6 value (sections 6.8, 6.9)', () => {
    const [w] = warnings("[ipv4-addr:value = 'not-an-ip']")
    expect(w).toMatchObject({ code: 'never-true', column: 20 })
    expect(w?.message).toContain("'not-an-ip' is not an IPv4 address or CIDR block")
    expect(w?.message).toContain('the comparison is never true (STIX 2.1 section 6.8)')
    expect(codes(warnings("[ipv6-addr:value = '10.0.0.1']"))).toEqual(['never-true'])
    expect(codes(warnings("[ipv4-addr:value IN ('10.0.0.1', '10.0.0.300')]"))).toEqual([
      'never-true',
    ])
    clean("[ipv4-addr:value = '198.51.100.1/32' OR ipv6-addr:value = '2001:db8::1']")
  })

  it('says always true for != and NOT', () => {
    expect(warnings("[ipv4-addr:value != 'x']")[0]?.message).toContain('always true')
    expect(warnings("[ipv4-addr:value NOT = 'x']")[0]?.message).toContain('always true')
    expect(warnings("[ipv4-addr:value NOT != 'x']")[0]?.message).toContain('never true')
  })

  it('warns about a hash of the wrong length or not in hex', () => {
    expect(warnings("[file:hashes.MD5 = 'abc']")[0]?.message).toContain(
      "an MD5 hash is 32 hex digits, but 'abc' is 3 digits",
    )
    expect(codes(warnings(`[file:hashes.'SHA-1' = '${'g'.repeat(40)}']`))).toEqual(['never-true'])
    clean(`[file:hashes.'SHA-512' = '${'AbC0'.repeat(32)}']`)
  })

  it('warns about a MAC address not in the required form (section 6.10)', () => {
    expect(codes(warnings("[mac-addr:value = 'D2:FB:49:24:37:18']"))).toEqual(['never-true'])
    clean("[mac-addr:value = 'd2:fb:49:24:37:18']")
  })

  it('warns about a constant of a type the property never has (sections 9.2, 9.6.1)', () => {
    const [w] = warnings("[file:size = '10']")
    expect(w).toMatchObject({ code: 'type-mismatch', column: 14 })
    expect(w?.message).toContain('file:size is an integer but is compared with a string')
    expect(codes(warnings('[file:name = 10]'))).toEqual(['type-mismatch'])
    expect(codes(warnings("[file:ctime = '2014-01-13T07:03:17Z']"))).toEqual(['type-mismatch'])
    expect(codes(warnings('[email-message:is_multipart = 1]'))).toEqual(['type-mismatch'])
    expect(codes(warnings("[file:hashes = 'x']"))).toEqual(['type-mismatch'])
    clean("[file:ctime > t'2014-01-13T07:03:17Z' AND file:size > 1.5]")
    clean("[file:magic_number_hex = h'ffd8' OR file:magic_number_hex = 'abc']")
  })

  it('warns about a string for a binary property that cannot become bytes (section 9.6.4)', () => {
    expect(codes(warnings("[artifact:payload_bin = 'snow ☃']"))).toEqual(['never-true'])
    clean("[artifact:payload_bin = 'this is a test']")
  })

  it('warns about LIKE and MATCHES on properties that are not strings', () => {
    expect(codes(warnings("[file:size LIKE '1%']"))).toEqual(['type-mismatch'])
    clean("[file:name LIKE '%.exe' AND file:name MATCHES '\\\\.exe$']")
  })

  it('checks ISSUBSET and ISSUPERSET operands (section 9.6.1)', () => {
    clean("[ipv4-addr:value ISSUBSET '198.51.100.0/24']")
    clean("[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']")
    expect(codes(warnings("[file:name ISSUBSET '10.0.0.0/8']"))).toEqual(['never-true'])
    expect(codes(warnings("[ipv4-addr:value ISSUPERSET '10.0.0.0/33']"))).toEqual(['never-true'])
    expect(codes(warnings("[ipv6-addr:value ISSUBSET '10.0.0.0/8']"))).toEqual(['never-true'])
  })

  it('warns about an empty IN list', () => {
    expect(codes(warnings('[file:size IN ()]'))).toEqual(['never-true'])
  })
})
