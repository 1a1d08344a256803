/**
 * Checks the media type of a TAXII response (TAXII 2.1 sections 1.6.8 and 3.1).
 * @internal
 */

/**
 * True when `contentType` is `application/taxii+json` with `version=2.1` or with no version
 * (which names the latest version the server supports, section 1.6.8.2). Parameters other than
 * `version` (such as `charset`) are ignored; type, subtype and parameter names are
 * case-insensitive (RFC 9110 section 8.3.1).
 * @internal
 */
export function isTaxii21MediaType(contentType: string | null | undefined): boolean {
  if (!contentType) return false
  const [essence = '', ...parameters] = contentType.split(';')
  if (essence.trim().toLowerCase() !== 'application/taxii+json') return false
  for (const parameter of parameters) {
    const separator = parameter.indexOf('=')
    if (separator < 0) continue
    const name = parameter.slice(0, separator).trim().toLowerCase()
    const value = parameter
      .slice(separator + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
    if (name === 'version' && value !== '2.1') return false
  }
  return true
}
