/**
 * IPv4 and IPv6 addresses and CIDR blocks, as used by the `value` property of `ipv4-addr`
 * and `ipv6-addr` (STIX 2.1 sections 6.4, 6.5) and by `ISSUBSET` / `ISSUPERSET`
 * (section 9.6.1). A plain address is the block of one address (`/32` or `/128`).
 */
export interface IpNetwork {
  readonly version: 4 | 6
  /** The address with host bits cleared: 4 or 16 bytes. */
  readonly bytes: Uint8Array
  /** Prefix length: 0..32 (IPv4) or 0..128 (IPv6). */
  readonly prefix: number
}

/**
 * A dotted-quad IPv4 address (no prefix, no leading zeros) as an unsigned 32-bit number, or
 * -1. Allocation-free: event mapping and the engine call it for every address they see.
 * @internal
 */
export function parseIpv4Uint(text: string): number {
  let value = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1
      value = value * 256 + part
      part = 0
      digits = 0
      dots++
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1
      part = part * 10 + (c - 48)
      if (++digits > 3 || part > 255) return -1
    } else {
      return -1
    }
  }
  if (dots !== 3 || digits === 0) return -1
  return value * 256 + part
}

function parseIpv4Bytes(text: string): Uint8Array | undefined {
  const n = parseIpv4Uint(text)
  if (n < 0) return undefined
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
}

function parseIpv6Bytes(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45) return undefined
  let groups: string[]
  const lower = text.toLowerCase()
  let tailV4: Uint8Array | undefined
  let body = lower
  const lastColon = body.lastIndexOf(':')
  if (body.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4Bytes(body.slice(lastColon + 1))
    if (!tailV4) return undefined
    // Keep the colon so that `::1.2.3.4` still splits around `::`.
    body = body.slice(0, lastColon + 1) + 'v4'
  }
  // An embedded dotted quad stands for the last two groups.
  const groupsWanted = tailV4 ? 6 : 8
  const halves = body.split('::')
  if (halves.length > 2) return undefined
  if (halves.length === 2) {
    const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':')
    const tail = halves[1] === '' ? [] : (halves[1] ?? '').split(':')
    const missing = groupsWanted + (tailV4 ? 1 : 0) - head.length - tail.length
    if (missing < 1) return undefined
    groups = [...head, ...Array<string>(missing).fill('0'), ...tail]
  } else {
    groups = body.split(':')
  }
  if (tailV4) {
    if (groups.at(-1) !== 'v4') return undefined
    groups.pop()
  }
  if (groups.length !== groupsWanted) return undefined
  const out = new Uint8Array(16)
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] ?? ''
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined
    const n = parseInt(g, 16)
    out[i * 2] = n >> 8
    out[i * 2 + 1] = n & 0xff
  }
  if (tailV4) out.set(tailV4, 12)
  return out
}

function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes)
  for (let i = 0; i < out.length; i++) {
    const bitsHere = Math.max(0, Math.min(8, prefix - i * 8))
    out[i] = (out[i] ?? 0) & ((0xff << (8 - bitsHere)) & 0xff)
  }
  return out
}

/**
 * Parses an address or CIDR block of the given version (`'4'`, `'6'`, or either when
 * omitted). Host bits below the prefix are cleared: `10.1.2.3/8` is the block `10.0.0.0/8`.
 * Returns `undefined` for anything that is not a valid address.
 *
 * @example parseIpNetwork('198.51.100.0/24') // { version: 4, prefix: 24, bytes: ... }
 */
export function parseIpNetwork(text: string, version?: 4 | 6): IpNetwork | undefined {
  const slash = text.indexOf('/')
  const addr = slash < 0 ? text : text.slice(0, slash)
  let bytes: Uint8Array | undefined
  let v: 4 | 6
  if (version !== 6 && addr.includes('.') && !addr.includes(':')) {
    bytes = parseIpv4Bytes(addr)
    v = 4
  } else if (version !== 4 && addr.includes(':')) {
    bytes = parseIpv6Bytes(addr)
    v = 6
  } else {
    return undefined
  }
  if (!bytes) return undefined
  const max = v === 4 ? 32 : 128
  let prefix = max
  if (slash >= 0) {
    const p = text.slice(slash + 1)
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p)) return undefined
    prefix = Number(p)
    if (prefix > max) return undefined
  }
  return { version: v, bytes: prefix === max ? bytes : maskBytes(bytes, prefix), prefix }
}

/** True when every address of `inner` is in `outer` (same version; equal blocks included). */
export function networkContains(outer: IpNetwork, inner: IpNetwork): boolean {
  if (outer.version !== inner.version || outer.prefix > inner.prefix) return false
  const full = outer.prefix >> 3
  for (let i = 0; i < full; i++) if (outer.bytes[i] !== inner.bytes[i]) return false
  const rest = outer.prefix & 7
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return ((outer.bytes[full] ?? 0) & mask) === ((inner.bytes[full] ?? 0) & mask)
}

/** True when both denote the same block (`198.51.100.1` equals `198.51.100.1/32`). */
export function networksEqual(a: IpNetwork, b: IpNetwork): boolean {
  return a.version === b.version && a.prefix === b.prefix && networkContains(a, b)
}

/**
 * Canonical text: dotted quad for IPv4; RFC 5952 for IPv6 (lowercase, longest run of zero
 * groups compressed); the prefix only when it is not a single address.
 */
export function formatIpNetwork(net: IpNetwork): string {
  let text: string
  if (net.version === 4) {
    text = Array.from(net.bytes).join('.')
  } else {
    const groups: number[] = []
    for (let i = 0; i < 16; i += 2)
      groups.push(((net.bytes[i] ?? 0) << 8) | (net.bytes[i + 1] ?? 0))
    let bestStart = -1
    let bestLen = 0
    for (let i = 0; i < 8;) {
      if (groups[i] !== 0) {
        i++
        continue
      }
      let j = i
      while (j < 8 && groups[j] === 0) j++
      if (j - i > bestLen && j - i >= 2) {
        bestStart = i
        bestLen = j - i
      }
      i = j
    }
    const hex = groups.map((g) => g.toString(16))
    text =
      bestStart < 0
        ? hex.join(':')
        : `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
  }
  const max = net.version === 4 ? 32 : 128
  return net.prefix === max ? text : `${text}/${net.prefix}`
}

/** The canonical text of `text` when it is an IP address or block, else `undefined`. */
export function canonicalIp(text: string, version?: 4 | 6): string | undefined {
  const net = parseIpNetwork(text, version)
  return net ? formatIpNetwork(net) : undefined
}

/**
 * The IPv4 address `text` (no prefix, or `/32`) as an unsigned 32-bit number, else
 * `undefined`.
 * @internal
 */
export function ipv4ToUint(text: string): number | undefined {
  const n = parseIpv4Uint(text.endsWith('/32') ? text.slice(0, -3) : text)
  return n < 0 ? undefined : n
}
