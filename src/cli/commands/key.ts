/**
 * `intelmesh key create|revoke|list`: API keys, shown once and stored hashed; through the
 * authorised admin service as the local CLI actor (audited as `system`).
 */
import { AuthorisedAdmin, localCliActor, type ApiKeyView } from '../../accounts/admin-service.js'
import type { CommandRegistrar } from '../context.js'
import {
  printJson,
  printTable,
  runAdmin,
  withAdminOptions,
  type AdminOptions,
} from './admin-support.js'

/** A key as shown in listings: never its hash. */
function publicKey(key: ApiKeyView): Record<string, unknown> {
  return {
    id: key.id,
    prefix: key.prefix,
    user: key.userName,
    label: key.label,
    revoked: key.revoked,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    ...(key.peerId !== null ? { peerId: key.peerId } : {}),
  }
}

export const registerKeyCommands: CommandRegistrar = (program, ctx) => {
  const key = program.command('key').description('Manage API keys (Authorization: Bearer)')

  withAdminOptions(
    key
      .command('create')
      .description('Create an API key for a user; the key is printed once')
      .argument('<user>', 'the user name or id')
      .option('--label <text>', 'what the key is for', ''),
  ).action(async (user: string, options: AdminOptions & { label: string }) => {
    const { value: apiKey, secret } = await runAdmin(ctx, options, (_admin, store) =>
      new AuthorisedAdmin(store, localCliActor).createApiKey({ user, label: options.label }),
    )
    if (options.json) {
      printJson(ctx, { ...publicKey(apiKey), key: secret })
      return
    }
    ctx.stdout.write(
      `created API key ${apiKey.prefix} for "${apiKey.userName}":\n${secret}\n` +
        '(shown once; it is stored hashed. Use it as: Authorization: Bearer <key>)\n',
    )
  })

  withAdminOptions(
    key
      .command('revoke')
      .description('Revoke an API key at once')
      .argument('<key>', 'the key prefix (8 hex characters), its id, or the whole key'),
  ).action(async (ref: string, options: AdminOptions) => {
    const revoked = await runAdmin(ctx, options, (_admin, store) =>
      new AuthorisedAdmin(store, localCliActor).revokeApiKey(ref),
    )
    if (options.json) printJson(ctx, { id: revoked.id, prefix: revoked.prefix, revoked: true })
    else ctx.stdout.write(`revoked API key ${revoked.prefix}\n`)
  })

  withAdminOptions(
    key
      .command('list')
      .description('List API keys (prefixes only; keys are never shown again)')
      .option('--user <user>', 'only the keys of this user'),
  ).action(async (options: AdminOptions & { user?: string }) => {
    const keys = await runAdmin(ctx, options, (_admin, store) =>
      new AuthorisedAdmin(store, localCliActor).listApiKeys(options.user),
    )
    if (options.json) return printJson(ctx, keys.map(publicKey))
    printTable(
      ctx,
      ['PREFIX', 'USER', 'LABEL', 'STATUS', 'LAST USED'],
      keys.map((k) => [
        k.prefix,
        k.userName,
        k.label,
        k.revoked ? 'revoked' : 'active',
        k.lastUsedAt ?? 'never',
      ]),
      'no API keys',
    )
  })
}
