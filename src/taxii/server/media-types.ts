/**
 * Content negotiation for TAXII 2.1 (section 1.6.8, RFC 7231 sections 3.1.1.1 and 5.3.2).
 */

interface MediaRange {
  type: string
  subtype: string
  params: Map<string, string>
  q: number
}

/** Splits on `sep` outside double-quoted strings. */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? ''
    if (ch === '"') quoted = !quoted
    if (ch === '\\' && quoted) {
      current += ch + (text[i + 1] ?? '')
      i++
      continue
    }
    if (ch === sep && !quoted) {
      parts.push(current)
      current = ''
    } else {
      current += ch
    }
  }
  parts.push(current)
  return parts
}

function unquote(value: string): string {
  const v = value.trim()
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    return v.slice(1, -1).replace(/\\(.)/g, '$1')
  }
  return v
}

/** Parses one media type or range (`type/subtype;k=v`); undefined when malformed. */
function parseMediaRange(text: string): MediaRange | undefined {
  const [head = '', ...paramTexts] = splitOutsideQuotes(text, ';')
  const match = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\/([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*$/.exec(head)
  if (!match) return undefined
  const params = new Map<string, string>()
  let q = 1
  for (const paramText of paramTexts) {
    const eq = paramText.indexOf('=')
    if (eq < 0) return undefined
    const name = paramText.slice(0, eq).trim().toLowerCase()
    const value = unquote(paramText.slice(eq + 1))
    if (name === 'q') {
      if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value)) return undefined
      q = Number(value)
    } else {
      params.set(name, value)
    }
  }
  return {
    type: (match[1] ?? '').toLowerCase(),
    subtype: (match[2] ?? '').toLowerCase(),
    params,
    q,
  }
}

/**
 * How specifically a range matches `application/taxii+json;version=2.1`: 3 for the full type
 * with `version=2.1`, 2 for the type without a version (section 1.6.8.2: the latest version
 * the server supports), 1 for `application/*`, 0 for `*\/*`; -1 when it does not match.
 */
function taxiiSpecificity(range: MediaRange): number {
  if (range.type === '*' && range.subtype === '*') return 0
  if (range.type !== 'application') return -1
  if (range.subtype === '*') return 1
  if (range.subtype !== 'taxii+json') return -1
  const version = range.params.get('version')
  if (version === undefined) return 2
  return version === '2.1' ? 3 : -1
}

/**
 * True when an `Accept` header admits `application/taxii+json;version=2.1`. The most specific
 * matching range decides, so `application/taxii+json;version=2.1;q=0, *\/*` refuses it. An
 * absent header accepts anything (RFC 7231 section 5.3.2).
 */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true
  let bestSpecificity = -1
  let bestQ = 0
  for (const part of splitOutsideQuotes(accept, ',')) {
    if (part.trim() === '') continue
    const range = parseMediaRange(part)
    if (!range) continue
    const specificity = taxiiSpecificity(range)
    if (specificity > bestSpecificity) {
      bestSpecificity = specificity
      bestQ = range.q
    } else if (specificity === bestSpecificity && specificity >= 0) {
      bestQ = Math.max(bestQ, range.q)
    }
  }
  return bestSpecificity >= 0 && bestQ > 0
}

/**
 * True when a request `Content-Type` is the TAXII 2.1 media type: `application/taxii+json`
 * with `version=2.1` or without a version (section 1.6.8.2), and if a `charset` is given, UTF-8.
 */
export function isTaxiiContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false
  const parsed = parseMediaRange(contentType)
  if (!parsed || parsed.type !== 'application' || parsed.subtype !== 'taxii+json') return false
  const version = parsed.params.get('version')
  if (version !== undefined && version !== '2.1') return false
  const charset = parsed.params.get('charset')
  return charset === undefined || /^utf-?8$/i.test(charset)
}
