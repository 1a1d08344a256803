/**
 * Flat events (one JSON object per NDJSON line, as sensors and log pipelines write them)
 * mapped to STIX Cyber-observable Objects, so that patterns can match them. The mapping is
 * documented in `docs/event-mapping.md`; STIX `observed-data` objects and bundles are
 * accepted as they are (STIX 2.1 section 4.14).
 */
import { parseIpNetwork, parseIpv4Uint } from './ip.js'
import {
  observationsFromStix,
  timestampMicros,
  type Observation,
  type Sco,
  type ScoLookup,
} from './observations.js'

/** Result of {@link eventToObservations}. */
export type EventMapping =
  { ok: true; observations: Observation[]; warnings: string[] } | { ok: false; error: string }

/** Options of {@link eventToObservations}. */
export interface EventMappingOptions {
  /** Reference used as the observation id when the event has no `id` (e.g. `line:12`). */
  fallbackId: string
  /** Time (epoch microseconds) for events without a timestamp; without it they are errors. */
  defaultTime?: number
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The event kinds understood, and the `type` values that select them. */
export const EVENT_TYPES: Readonly<Record<string, 'dns' | 'network' | 'http' | 'file' | 'email'>> =
  {
    dns: 'dns',
    network: 'network',
    connection: 'network',
    conn: 'network',
    flow: 'network',
    http: 'http',
    file: 'file',
    email: 'email',
  }

// Events of a stream mostly share their minute: its parse is kept, and only the seconds of
// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` are read.
let minuteText = ''
let minuteMicros = 0

/** Microseconds of `:SS[.fraction]Z` at offset 16, or -1 when it is not exactly that. */
function secondsZ(text: string): number {
  const n = text.length
  if (n < 20 || text.charCodeAt(16) !== 58 || text.charCodeAt(n - 1) !== 90) return -1
  const d1 = text.charCodeAt(17) - 48
  const d2 = text.charCodeAt(18) - 48
  if (d1 < 0 || d1 > 5 || d2 < 0 || d2 > 9) return -1
  let micros = (d1 * 10 + d2) * 1_000_000
  if (n === 20) return micros
  if (text.charCodeAt(19) !== 46 || n === 21) return -1
  let scale = 100_000
  for (let i = 20; i < n - 1; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    micros += d * scale
    scale = Math.floor(scale / 10)
  }
  return micros
}

/**
 * Event time in epoch microseconds: a STIX / RFC 3339 timestamp string (any offset), or a
 * number of seconds (below 1e11) or milliseconds since the epoch.
 */
export function eventTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    return Math.round(value < 1e11 ? value * 1e6 : value * 1e3)
  }
  if (typeof value !== 'string') return undefined
  if (minuteText !== '' && value.startsWith(minuteText)) {
    const rest = secondsZ(value)
    if (rest >= 0) return minuteMicros + rest
  }
  const stix = timestampMicros(value)
  if (stix !== undefined) {
    const minute = timestampMicros(`${value.slice(0, 16)}:00Z`)
    if (minute !== undefined) {
      minuteText = value.slice(0, 16)
      minuteMicros = minute
    }
    return stix
  }
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value)) return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : ms * 1000
}

/**
 * Collects the SCOs of one event; references are their positions (`'0'`, `'1'`...), as in
 * an `objects` dictionary. It is its own reference lookup and, once filled, the observation
 * itself, so that neither a `Map` nor a separate observation object is built per event.
 */
class ScoSet implements ScoLookup, Observation {
  readonly objects: Sco[] = []
  id = ''
  firstObserved = 0
  lastObserved = 0
  readonly numberObserved = 1
  readonly refs: ScoLookup = this

  get(ref: string): Sco | undefined {
    // Plain decimal text only: Number() would also accept ' 1', '0x1', '1e0'...
    const i = Number(ref)
    return Number.isInteger(i) && String(i) === ref ? this.objects[i] : undefined
  }

  add(sco: Sco): string {
    this.objects.push(sco)
    return String(this.objects.length - 1)
  }

  /** An ipv4-addr / ipv6-addr SCO for an IP text (one per distinct value), else undefined. */
  address(value: unknown, field: string, warnings: Warnings): string | undefined {
    if (value === undefined || value === null || value === '') return undefined
    if (typeof value !== 'string') {
      warnings.add(`${field} is not a string; ignored`)
      return undefined
    }
    // Events carry a handful of SCOs: a scan beats building a Map.
    for (let i = 0; i < this.objects.length; i++) {
      const o = this.objects[i]!
      if (o['value'] === value && (o['type'] === 'ipv4-addr' || o['type'] === 'ipv6-addr'))
        return String(i)
    }
    const type = ipType(value)
    if (!type) {
      warnings.add(`${field} ${JSON.stringify(value)} is not an IP address; ignored`)
      return undefined
    }
    return this.add({ type, value })
  }

  /** An address SCO for an IP, else a domain-name SCO. */
  host(value: unknown, field: string, warnings: Warnings): string | undefined {
    if (typeof value !== 'string' || value === '') return undefined
    if (ipType(value) !== undefined) return this.address(value, field, warnings)
    return this.add({ type: 'domain-name', value: lower(value) })
  }
}

function ipType(value: string): 'ipv4-addr' | 'ipv6-addr' | undefined {
  if (parseIpv4Uint(value) >= 0) return 'ipv4-addr'
  return value.includes(':') && parseIpNetwork(value, 6) ? 'ipv6-addr' : undefined
}

/** Lowercase; most values already are, and are then returned as they are (no copy). */
function lower(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if ((c >= 65 && c <= 90) || c > 127) return text.toLowerCase()
  }
  return text
}

/** Warnings of one event: the list is allocated only when there is one. */
class Warnings {
  list: string[] | undefined

  add(text: string): void {
    ;(this.list ??= []).push(text)
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}

function port(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined
}

function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v
  return v === undefined || v === null ? [] : [v]
}

// SCOs are built as literals of one shape per type, absent properties left `undefined`
// (object paths treat them as missing), so the engine's property reads stay monomorphic.

function trafficSco(
  e: Record<string, unknown>,
  src: string | undefined,
  dst: string | undefined,
  protocols: string[],
  extensions: Record<string, unknown> | undefined,
): Sco {
  return {
    type: 'network-traffic',
    src_ref: src,
    dst_ref: dst,
    src_port: port(e['src_port']),
    dst_port: port(e['dst_port']),
    protocols,
    extensions,
  }
}

function mapNetwork(e: Record<string, unknown>, s: ScoSet, w: Warnings, extra?: string): void {
  const src = s.address(e['src_ip'], 'src_ip', w)
  const dst = s.address(e['dst_ip'], 'dst_ip', w)
  if (src === undefined && dst === undefined) return
  const rawProto = str(e['protocol'])
  const proto = rawProto === undefined ? undefined : lower(rawProto)
  let protocols: string[]
  if (proto && extra && proto !== extra) protocols = [proto, extra]
  else if (proto || extra) protocols = [(proto ?? extra)!]
  else protocols = ['ipv4']
  s.add(trafficSco(e, src, dst, protocols, undefined))
}

function mapDns(e: Record<string, unknown>, s: ScoSet, w: Warnings): string | undefined {
  const query = str(e['query'])
  if (!query) return 'a dns event needs "query"'
  let resolved: string[] | undefined
  const answers = e['answers']
  for (const answer of Array.isArray(answers) ? (answers as unknown[]) : list(answers)) {
    const text = isRecord(answer) ? (answer['data'] ?? answer['value']) : answer
    const ref = typeof text === 'string' ? s.host(text, 'answers[]', w) : undefined
    if (ref !== undefined) (resolved ??= []).push(ref)
  }
  s.add({ type: 'domain-name', value: lower(query), resolves_to_refs: resolved })
  mapNetwork(e, s, w, 'dns')
  return undefined
}

/** Host part of an absolute URL (`scheme://[user@]host[:port]/...`), brackets removed. */
function urlHost(url: string): string | undefined {
  const scheme = url.indexOf('://')
  if (scheme <= 0 || !isScheme(url, scheme)) return undefined
  let start = scheme + 3
  let end = start
  while (end < url.length && !endsAuthority(url.charCodeAt(end))) end++
  const at = url.lastIndexOf('@', end)
  if (at >= start) start = at + 1
  let authority = url.slice(start, end)
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']')
    return close > 1 ? authority.slice(1, close) : undefined
  }
  const colon = authority.indexOf(':')
  if (colon >= 0) authority = authority.slice(0, colon)
  return authority || undefined
}

/** True when `url` up to `end` is a URL scheme: `[a-z][a-z0-9+.-]*`, any case. */
function isScheme(url: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = url.charCodeAt(i) | 0x20
    const letter = c >= 97 && c <= 122
    if (i === 0 ? !letter : !letter && !isSchemeSymbol(url.charCodeAt(i))) return false
  }
  return true
}

/** Digits, `+`, `.`, `-`. */
function isSchemeSymbol(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45
}

/** `/`, `?` or `#`. */
function endsAuthority(c: number): boolean {
  return c === 47 || c === 63 || c === 35
}

/** Path, query of an absolute URL (without the fragment); `/` when empty. */
function urlPath(url: string): string {
  const scheme = url.indexOf('://')
  if (scheme <= 0) return '/'
  let i = scheme + 3
  while (i < url.length && !endsAuthority(url.charCodeAt(i))) i++
  const hash = url.indexOf('#', i)
  const path = url.slice(i, hash < 0 ? undefined : hash)
  return path || '/'
}

function mapHttp(e: Record<string, unknown>, s: ScoSet, w: Warnings): string | undefined {
  const url = str(e['url'])
  let host = str(e['host'])
  if (!url && !host) return 'an http event needs "url" or "host"'
  if (url) {
    s.add({ type: 'url', value: url })
    host ??= urlHost(url)
  }
  const hostRef = host ? s.host(host, 'host', w) : undefined
  const ua = str(e['user_agent'])
  const headers = host || ua ? { Host: host, 'User-Agent': ua } : undefined
  const request = {
    request_method: lower(str(e['method']) ?? 'get'),
    request_value: url ? urlPath(url) : '/',
    request_header: headers,
  }
  const src = s.address(e['src_ip'], 'src_ip', w)
  const dst = s.address(e['dst_ip'], 'dst_ip', w) ?? hostRef
  s.add(trafficSco(e, src, dst, ['tcp', 'http'], { 'http-request-ext': request }))
  return undefined
}

function mapFile(e: Record<string, unknown>, s: ScoSet, w: Warnings): string | undefined {
  const md5 = str(e['md5'])
  const sha1 = str(e['sha1'])
  const sha256 = str(e['sha256'])
  const sha512 = str(e['sha512'])
  const ssdeep = str(e['ssdeep'])
  const tlsh = str(e['tlsh'])
  const hashes =
    md5 || sha1 || sha256 || sha512 || ssdeep || tlsh
      ? {
          MD5: md5,
          'SHA-1': sha1,
          'SHA-256': sha256,
          'SHA-512': sha512,
          SSDEEP: ssdeep,
          TLSH: tlsh,
        }
      : undefined
  const name = str(e['name'])
  if (!hashes && !name) return 'a file event needs "name" or a hash (md5, sha1, sha256, sha512)'
  let size = e['size']
  if (size !== undefined && !(typeof size === 'number' && Number.isInteger(size) && size >= 0)) {
    w.add('size is not a non-negative integer; ignored')
    size = undefined
  }
  const dir = str(e['path'])
  const parent = dir ? s.add({ type: 'directory', path: dir }) : undefined
  s.add({
    type: 'file',
    name,
    size,
    mime_type: str(e['mime_type']),
    hashes,
    parent_directory_ref: parent,
  })
  return undefined
}

function emailAddr(s: ScoSet, w: Warnings, v: unknown, field: string): string | undefined {
  if (typeof v !== 'string' || !v.includes('@')) {
    if (v !== undefined) w.add(`${field} ${JSON.stringify(v)} is not an email address; ignored`)
    return undefined
  }
  return s.add({ type: 'email-addr', value: v })
}

function emailRefs(
  e: Record<string, unknown>,
  s: ScoSet,
  w: Warnings,
  field: string,
): string[] | undefined {
  let out: string[] | undefined
  for (const v of list(e[field])) {
    const ref = emailAddr(s, w, v, field)
    if (ref !== undefined) (out ??= []).push(ref)
  }
  return out
}

function mapEmail(e: Record<string, unknown>, s: ScoSet, w: Warnings): string | undefined {
  const from = emailAddr(s, w, e['from'], 'from')
  const to = emailRefs(e, s, w, 'to')
  const cc = emailRefs(e, s, w, 'cc')
  const bcc = emailRefs(e, s, w, 'bcc')
  const subject = str(e['subject'])
  if (from === undefined && to === undefined && subject === undefined)
    return 'an email event needs "from", "to" or "subject"'
  s.add({
    type: 'email-message',
    is_multipart: false,
    from_ref: from,
    to_refs: to,
    cc_refs: cc,
    bcc_refs: bcc,
    subject,
    message_id: str(e['message_id']),
  })
  return undefined
}

/**
 * Maps one event to observations. A flat event (`type` one of {@link EVENT_TYPES}) gives one
 * observation of its SCOs; an `observed-data` object or a `bundle` gives its observations.
 * Errors name what is wrong; fields that cannot be used give warnings and are ignored.
 */
export function eventToObservations(event: unknown, options: EventMappingOptions): EventMapping {
  if (!isRecord(event)) return { ok: false, error: 'event is not a JSON object' }
  const type = event['type']
  if (type === 'bundle' || type === 'observed-data') {
    const { observations, problems } = observationsFromStix(event)
    if (observations.length === 0)
      return { ok: false, error: problems[0] ?? 'the bundle holds no observed-data' }
    return { ok: true, observations, warnings: problems }
  }
  if (typeof type !== 'string') return { ok: false, error: 'event has no "type"' }
  const kind = EVENT_TYPES[type]
  if (!kind)
    return {
      ok: false,
      error: `unknown event type ${JSON.stringify(type)} (known: ${Object.keys(EVENT_TYPES).join(', ')}, observed-data, bundle)`,
    }
  let time: number | undefined
  const rawTime = event['timestamp'] ?? event['time'] ?? event['@timestamp']
  if (rawTime !== undefined) {
    time = eventTime(rawTime)
    if (time === undefined)
      return { ok: false, error: `timestamp ${JSON.stringify(rawTime)} is not a time` }
  } else {
    time = options.defaultTime
    if (time === undefined) return { ok: false, error: 'event has no "timestamp"' }
  }
  const warnings = new Warnings()
  const scos = new ScoSet()
  let error: string | undefined
  switch (kind) {
    case 'dns':
      error = mapDns(event, scos, warnings)
      break
    case 'network':
      mapNetwork(event, scos, warnings)
      if (scos.objects.length === 0) error = 'a network event needs "src_ip" or "dst_ip"'
      break
    case 'http':
      error = mapHttp(event, scos, warnings)
      break
    case 'file':
      error = mapFile(event, scos, warnings)
      break
    case 'email':
      error = mapEmail(event, scos, warnings)
      break
  }
  if (error) return { ok: false, error }
  const rawId = event['id']
  const id =
    typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : options.fallbackId
  scos.id = id
  scos.firstObserved = time
  scos.lastObserved = time
  return { ok: true, observations: [scos], warnings: warnings.list ?? [] }
}
