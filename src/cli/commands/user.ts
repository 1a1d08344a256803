/**
 * `intelmesh user add|list|disable|enable|set-role|reset-password`: the node's users, through
 * the authorised admin service as the local CLI actor (every change audited as `system`).
 */
import { Argument, Option } from 'commander'
import {
  AuthorisedAdmin,
  localCliActor,
  roles,
  type UserView,
} from '../../accounts/admin-service.js'
import { AppError } from '../../errors.js'
import type { Role } from '../../store/store.js'
import type { CommandRegistrar } from '../context.js'
import {
  printJson,
  printTable,
  readAllStdin,
  runAdmin,
  withAdminOptions,
  type AdminOptions,
} from './admin-support.js'

/** A user as shown: never the password hash. */
function publicUser(user: UserView): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    org: user.orgName,
    orgId: user.orgId,
    role: user.role,
    hasPassword: user.hasPassword,
    disabled: user.disabled,
    createdAt: user.createdAt,
  }
}

interface AddOptions extends AdminOptions {
  org: string
  role: Role
  passwordStdin?: boolean
  password: boolean
}

export const registerUserCommands: CommandRegistrar = (program, ctx) => {
  const user = program.command('user').description('Manage users')

  withAdminOptions(
    user
      .command('add')
      .description(
        'Add a user; prints a generated password once unless --password-stdin or --no-password',
      )
      .argument('<name>', 'the user name (letters, digits, . _ @ -)')
      .requiredOption('--org <org>', 'the organisation (name or id) the user belongs to')
      .addOption(
        new Option('--role <role>', 'what the user may do').choices(roles).default('reader'),
      )
      .option('--password-stdin', 'read the password from standard input (first line)')
      .option('--no-password', 'no password: the user authenticates with API keys only'),
  ).action(async (name: string, options: AddOptions) => {
    if (options.passwordStdin && !options.password) {
      throw new AppError('CLI_USAGE', {
        detail: '--password-stdin and --no-password exclude each other',
      })
    }
    // Absent: the service generates one and returns it once; null: API keys only.
    let password: string | null | undefined = options.password ? undefined : null
    if (options.passwordStdin) {
      password = (await readAllStdin(ctx)).split(/\r?\n/)[0] ?? ''
    }
    const { value: created, secret } = await runAdmin(ctx, options, (_admin, store) =>
      new AuthorisedAdmin(store, localCliActor).createUser({
        name,
        org: options.org,
        role: options.role,
        ...(password !== undefined ? { password } : {}),
      }),
    )
    if (options.json) {
      printJson(ctx, {
        ...publicUser(created),
        ...(secret !== undefined ? { password: secret } : {}),
      })
      return
    }
    ctx.stdout.write(
      `added user "${created.name}" (${created.role} in ${created.orgName}, id ${created.id})\n`,
    )
    if (secret !== undefined)
      ctx.stdout.write(`password: ${secret}\n(shown once; it is stored hashed)\n`)
  })

  withAdminOptions(
    user
      .command('list')
      .description('List users')
      .option('--org <org>', 'only the users of this organisation'),
  ).action(async (options: AdminOptions & { org?: string }) => {
    const users = await runAdmin(ctx, options, (_admin, store) =>
      new AuthorisedAdmin(store, localCliActor).listUsers(options.org),
    )
    if (options.json) return printJson(ctx, users.map(publicUser))
    printTable(
      ctx,
      ['NAME', 'ORG', 'ROLE', 'STATUS', 'ID'],
      users.map((u) => [u.name, u.orgName, u.role, u.disabled ? 'disabled' : 'active', u.id]),
      'no users',
    )
  })

  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    withAdminOptions(
      user
        .command(verb)
        .description(
          disabled
            ? 'Disable a user: their password and API keys stop working at once'
            : 'Enable a disabled user again',
        )
        .argument('<name>', 'the user name or id'),
    ).action(async (name: string, options: AdminOptions) => {
      const changed = await runAdmin(ctx, options, (_admin, store) =>
        new AuthorisedAdmin(store, localCliActor).setUserDisabled(name, disabled),
      )
      if (options.json) printJson(ctx, { name: changed.name, id: changed.id, disabled })
      else ctx.stdout.write(`user "${changed.name}" ${disabled ? 'disabled' : 'enabled'}\n`)
    })
  }

  withAdminOptions(
    user
      .command('set-role')
      .description("Change a user's role (what they may do from their next request)")
      .argument('<name>', 'the user name or id')
      .addArgument(new Argument('<role>', 'the new role').choices(roles)),
  ).action(async (name: string, role: Role, options: AdminOptions) => {
    const changed = await runAdmin(ctx, options, (_admin, store) =>
      new AuthorisedAdmin(store, localCliActor).setUserRole(name, role),
    )
    if (options.json) return printJson(ctx, publicUser(changed))
    ctx.stdout.write(`user "${changed.name}" is now ${changed.role}\n`)
  })

  withAdminOptions(
    user
      .command('reset-password')
      .description('Set a new password: generated and printed once, or read with --password-stdin')
      .argument('<name>', 'the user name or id')
      .option('--password-stdin', 'read the password from standard input (first line)'),
  ).action(async (name: string, options: AdminOptions & { passwordStdin?: boolean }) => {
    const password = options.passwordStdin
      ? ((await readAllStdin(ctx)).split(/\r?\n/)[0] ?? '')
      : undefined
    const { value: changed, secret } = await runAdmin(ctx, options, (_admin, store) =>
      new AuthorisedAdmin(store, localCliActor).resetPassword(name, password),
    )
    if (options.json) {
      return printJson(ctx, { ...publicUser(changed), ...(secret ? { password: secret } : {}) })
    }
    ctx.stdout.write(`password of user "${changed.name}" set\n`)
    if (secret !== undefined)
      ctx.stdout.write(`password: ${secret}\n(shown once; it is stored hashed)\n`)
  })
}
