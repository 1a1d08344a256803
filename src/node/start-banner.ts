/**
 * What `intelmesh serve` prints when it is up: where it listens, and on the first start the
 * credentials it created, each shown this once, with a curl line ready to paste.
 */
import { adminUserName, type BootstrapResult } from './bootstrap.js'

/** Quotes a value for a POSIX shell command line. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

export function startBanner(origin: string, bootstrap: BootstrapResult): string {
  const lines = [
    `intelmesh: listening on ${origin}/taxii2/`,
    `  admin API ${origin}/api/v1/ (OpenAPI document: ${origin}/api/v1/openapi.json)`,
  ]
  if (!bootstrap.firstStart) return lines.join('\n') + '\n'
  const root = bootstrap.apiRoot.path
  lines.push(
    '',
    'First start: created',
    `  organisation  ${bootstrap.organisation.name} (${bootstrap.organisation.identityId})`,
    `  API root      ${origin}/${root}/`,
    `  collection    ${bootstrap.collection.alias} (${bootstrap.collection.id}), read-write for ${bootstrap.organisation.name}`,
    `  admin user    ${adminUserName}`,
  )
  if (bootstrap.generatedPassword !== undefined) {
    lines.push(
      `  admin password  ${bootstrap.generatedPassword}`,
      '                  (shown once; set INTELMESH_ADMIN_PASSWORD before the first start to choose it)',
    )
  } else {
    lines.push('  admin password  as given in INTELMESH_ADMIN_PASSWORD (or the config file)')
  }
  if (bootstrap.apiKey !== undefined) {
    const auth = shellQuote(`Authorization: Bearer ${bootstrap.apiKey}`)
    const accept = shellQuote('Accept: application/taxii+json;version=2.1')
    lines.push(
      `  API key       ${bootstrap.apiKey}`,
      '                (shown once; it is stored hashed — make another with `intelmesh key create admin`)',
      '',
      'Try it:',
      `  curl -H ${auth} -H ${accept} ${origin}/taxii2/`,
      `  curl -H ${auth} ${origin}/api/v1/me`,
    )
  }
  return lines.join('\n') + '\n'
}
