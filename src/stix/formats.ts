/**
 * Value formats of STIX 2.1 common data types (section 2) and SCO values (section 6), written
 * with `charCodeAt` loops so the validator's hot path allocates nothing and compiles no regex.
 *
 * @internal
 */

/** Result of {@link checkTimestamp}: `-1` when malformed, else the number of fraction digits. */
export type TimestampPrecision = number

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48
  return c >= 0 && c <= 9 ? c : -100
}

function two(s: string, i: number): number {
  return digit(s, i) * 10 + digit(s, i + 1)
}

/**
 * Checks `YYYY-MM-DDTHH:mm:ss[.s+]Z` (STIX 2.1 section 2.16, RFC 3339 in UTC) including calendar
 * validity. Returns `-1` when the value is malformed, otherwise the count of sub-second digits.
 */
export function checkTimestamp(s: string): TimestampPrecision {
  const n = s.length
  if (n < 20 || s.charCodeAt(n - 1) !== 90 /* Z */) return -1
  if (
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 /* T */ ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return -1
  }
  const year = two(s, 0) * 100 + two(s, 2)
  const month = two(s, 5)
  const day = two(s, 8)
  const hour = two(s, 11)
  const minute = two(s, 14)
  const second = two(s, 17)
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return -1
  if (minute < 0 || minute > 59 || second < 0 || second > 60) return -1
  let maxDay: number = DAYS_IN_MONTH[month - 1] ?? 0
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) maxDay = 29
  if (day > maxDay) return -1
  if (n === 20) return 0
  if (s.charCodeAt(19) !== 46 /* . */ || n === 21) return -1
  for (let i = 20; i < n - 1; i++) if (digit(s, i) < 0) return -1
  return n - 21
}

/**
 * Compares two well-formed STIX timestamps: negative when `a` is earlier, 0 when equal,
 * positive when later. Differing sub-second precision is compared numerically.
 */
export function compareTimestamps(a: string, b: string): number {
  for (let i = 0; i < 19; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i)
    if (d !== 0) return d
  }
  // Fractions: pad the shorter one with zeros.
  const fa = a.length > 20 ? a.length - 21 : 0
  const fb = b.length > 20 ? b.length - 21 : 0
  const m = fa > fb ? fa : fb
  for (let i = 0; i < m; i++) {
    const ca = i < fa ? a.charCodeAt(20 + i) : 48
    const cb = i < fb ? b.charCodeAt(20 + i) : 48
    if (ca !== cb) return ca - cb
  }
  return 0
}

/** Value of each ASCII hex digit (either case), -1 for other characters. */
const HEX_VALUE = new Int8Array(128).fill(-1)
for (let c = 48; c <= 57; c++) HEX_VALUE[c] = c - 48
for (let c = 97; c <= 102; c++) HEX_VALUE[c] = c - 87
for (let c = 65; c <= 70; c++) HEX_VALUE[c] = c - 55

function hexValue(c: number): number {
  return c < 128 ? (HEX_VALUE[c] ?? -1) : -1
}

function hexRun(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c > 127 || (HEX_VALUE[c] ?? -1) < 0) return false
  }
  return true
}

/**
 * Checks the UUID part of an identifier starting at `start` (36 characters to the end of `s`).
 * Returns the UUID version (1-8) when it is an RFC 4122/9562 UUID with the RFC variant, `0`
 * for a well-formed UUID of another variant or version, and `-1` when malformed.
 */
export function uuidVersionAt(s: string, start: number): number {
  if (s.length - start !== 36) return -1
  if (
    s.charCodeAt(start + 8) !== 45 ||
    s.charCodeAt(start + 13) !== 45 ||
    s.charCodeAt(start + 18) !== 45 ||
    s.charCodeAt(start + 23) !== 45
  ) {
    return -1
  }
  if (
    !hexRun(s, start, start + 8) ||
    !hexRun(s, start + 9, start + 13) ||
    !hexRun(s, start + 14, start + 18) ||
    !hexRun(s, start + 19, start + 23) ||
    !hexRun(s, start + 24, start + 36)
  ) {
    return -1
  }
  const version = hexValue(s.charCodeAt(start + 14))
  const variant = hexValue(s.charCodeAt(start + 19))
  if (variant < 8 || variant > 11 || version < 1 || version > 8) return 0
  return version
}

/** Even-length lowercase hexadecimal (section 2.8). */
export function isHex(s: string): boolean {
  const n = s.length
  if (n % 2 !== 0) return false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

/** Hexadecimal of exactly `len` digits, either case (hash values). */
export function isHexOfLength(s: string, len: number): boolean {
  return s.length === len && hexRun(s, 0, len)
}

function isBase64Char(c: number): boolean {
  return (
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47
  )
}

/** Base64 per RFC 4648 section 4, with padding (section 2.1). */
export function isBase64(s: string): boolean {
  const n = s.length
  if (n % 4 !== 0) return false
  let end = n
  if (n > 0 && s.charCodeAt(n - 1) === 61) end--
  if (end < n && n > 1 && s.charCodeAt(n - 2) === 61) end--
  for (let i = 0; i < end; i++) if (!isBase64Char(s.charCodeAt(i))) return false
  return true
}

/** Dictionary keys (section 2.3): ASCII letters, digits, `-` and `_`, at most 250 characters. */
export function isDictionaryKey(s: string, minLength: number): boolean {
  const n = s.length
  if (n < minLength || n > 250) return false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (!(
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      c === 45 ||
      c === 95
    )) {
      return false
    }
  }
  return true
}

/**
 * Custom and extension property names (sections 7.3.2, 11.1): `[a-z0-9_]{3,250}`, starting
 * with a letter (section 3.1).
 */
export function isPropertyName(s: string): boolean {
  const n = s.length
  if (n < 3 || n > 250) return false
  const first = s.charCodeAt(0)
  if (first < 97 || first > 122) return false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) return false
  }
  return true
}

/**
 * Custom object type names (sections 7.3.2, 11.2): `[a-z0-9-]{3,250}` without `--`, starting
 * with a letter (section 3.1).
 */
export function isTypeName(s: string): boolean {
  const n = s.length
  if (n < 3 || n > 250) return false
  const first = s.charCodeAt(0)
  if (first < 97 || first > 122) return false
  let prevHyphen = false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    const hyphen = c === 45
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || hyphen)) return false
    if (hyphen && prevHyphen) return false
    prevHyphen = hyphen
  }
  return true
}

/** `relationship_type` (section 5.1): ASCII `a-z`, `0-9` and `-`, not empty. */
export function isRelationshipType(s: string): boolean {
  const n = s.length
  if (n === 0) return false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45)) return false
  }
  return true
}

/** SHOULD form of open-vocabulary terms and kill chain names: lowercase words joined by `-`. */
export function isLowerHyphenated(s: string): boolean {
  const n = s.length
  if (n === 0) return false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c === 32 || c === 95 || (c >= 65 && c <= 90)) return false
  }
  return true
}

function decimalOctet(s: string, start: number, end: number): number {
  const len = end - start
  if (len < 1 || len > 3) return -1
  if (len > 1 && s.charCodeAt(start) === 48) return -1
  let v = 0
  for (let i = start; i < end; i++) {
    const d = digit(s, i)
    if (d < 0) return -1
    v = v * 10 + d
  }
  return v
}

function prefixLength(s: string, slash: number, max: number): boolean {
  if (slash < 0) return true
  const v = decimalOctet(s, slash + 1, s.length)
  return v >= 0 && v <= max
}

/** Dotted-quad IPv4 between `start` and `end`. */
function isIpv4Range(s: string, start: number, end: number): boolean {
  let octets = 0
  let from = start
  for (let i = start; i <= end; i++) {
    if (i === end || s.charCodeAt(i) === 46) {
      const v = decimalOctet(s, from, i)
      if (v < 0 || v > 255) return false
      octets++
      from = i + 1
    }
  }
  return octets === 4
}

/** IPv4 address with optional CIDR suffix `/0`-`/32` (section 6.8). */
export function isIpv4Cidr(s: string): boolean {
  const slash = s.indexOf('/')
  return isIpv4Range(s, 0, slash < 0 ? s.length : slash) && prefixLength(s, slash, 32)
}

/** IPv6 address (RFC 4291 text forms) with optional CIDR suffix `/0`-`/128` (section 6.9). */
export function isIpv6Cidr(s: string): boolean {
  const slash = s.indexOf('/')
  const end = slash < 0 ? s.length : slash
  if (!prefixLength(s, slash, 128)) return false
  let groups = 0
  let doubleColon = false
  let i = 0
  if (end >= 2 && s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) {
    doubleColon = true
    i = 2
    if (i === end) return true
  } else if (s.charCodeAt(0) === 58) return false
  while (i < end) {
    let j = i
    while (j < end && hexValue(s.charCodeAt(j)) >= 0) j++
    if (j < end && s.charCodeAt(j) === 46) {
      // Embedded IPv4 in the last 32 bits.
      if (!isIpv4Range(s, i, end)) return false
      groups += 2
      break
    }
    if (j === i || j - i > 4) return false
    groups++
    if (j === end) break
    if (s.charCodeAt(j) !== 58) return false
    if (j + 1 < end && s.charCodeAt(j + 1) === 58) {
      if (doubleColon) return false
      doubleColon = true
      i = j + 2
      if (i === end) break
    } else {
      i = j + 1
      if (i === end) return false
    }
  }
  return doubleColon ? groups < 8 : groups === 8
}

/** Colon-delimited lowercase MAC-48 with leading zeros (section 6.10). */
export function isMac48(s: string): boolean {
  if (s.length !== 17) return false
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i)
    if (i % 3 === 2) {
      if (c !== 58) return false
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

/**
 * Domain name per RFC 1034 preferred syntax, with internationalized labels (RFC 5890) allowed
 * as Unicode. Returns an explanation when invalid, otherwise `undefined`.
 */
export function domainNameProblem(s: string): string | undefined {
  const name = s.endsWith('.') ? s.slice(0, -1) : s
  if (name.length === 0) return 'is empty'
  if (name.length > 253) return 'is longer than 253 characters'
  let start = 0
  for (let i = 0; i <= name.length; i++) {
    if (i === name.length || name.charCodeAt(i) === 46) {
      const len = i - start
      if (len === 0) return 'has an empty label'
      if (len > 63) return 'has a label longer than 63 characters'
      if (name.charCodeAt(start) === 45 || name.charCodeAt(i - 1) === 45) {
        return 'has a label that starts or ends with a hyphen'
      }
      start = i + 1
      continue
    }
    const c = name.charCodeAt(i)
    const ok =
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      c === 45 ||
      c === 95 ||
      c >= 128
    if (!ok) return `contains the character ${JSON.stringify(name[i])}`
  }
  return undefined
}

/** A URL with a scheme and no whitespace (RFC 3986 section 1.1.3, checked loosely). */
export function isUrl(s: string): boolean {
  const colon = s.indexOf(':')
  if (colon < 1) return false
  for (let i = 0; i < colon; i++) {
    const c = s.charCodeAt(i)
    const alpha = (c >= 97 && c <= 122) || (c >= 65 && c <= 90)
    if (i === 0 ? !alpha : !(alpha || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) {
      return false
    }
  }
  if (colon === s.length - 1) return false
  for (let i = colon + 1; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c <= 32 || c === 127) return false
  }
  return true
}

const LANGUAGE_TAG =
  /^(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[\da-wy-z](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?|x(?:-[a-z\d]{1,8})+|i-[a-z]{2,8}|(?:en-gb-oed|sgn-[a-z]{2}-[a-z]{3}))$/i

/** Language tag per RFC 5646 (BCP 47) syntax. */
export function isLanguageTag(s: string): boolean {
  return s.length > 0 && s.length <= 256 && LANGUAGE_TAG.test(s)
}

/** Whole number representable in 54 bits (section 2.10). */
export function isStixInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v)
}
