/** `intelmesh user add|list|disable|enable`: the node's users. */
import { Option } from 'commander'
import { roles } from '../../accounts/admin-service.js'
import { generatePassword } from '../../accounts/password.js'
import { AppError } from '../../errors.js'
import type { Role, User } from '../../store/store.js'
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
function publicUser(user: User, orgName: string): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    org: orgName,
    orgId: user.orgId,
    role: user.role,
    hasPassword: user.passwordHash !== null,
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
    let password: string | null = null
    let generated = false
    if (options.passwordStdin) {
      password = (await readAllStdin(ctx)).split(/\r?\n/)[0] ?? ''
    } else if (options.password) {
      password = generatePassword()
      generated = true
    }
    const { created, orgName } = await runAdmin(ctx, options, async (admin) => {
      const org = await admin.findOrganisation(options.org)
      const added = await admin.addUser({ name, org: org.id, role: options.role, password })
      return { created: added, orgName: org.name }
    })
    if (options.json) {
      printJson(ctx, {
        ...publicUser(created, orgName),
        ...(generated ? { password } : {}),
      })
      return
    }
    ctx.stdout.write(
      `added user "${created.name}" (${created.role} in ${orgName}, id ${created.id})\n`,
    )
    if (generated)
      ctx.stdout.write(`password: ${password ?? ''}\n(shown once; it is stored hashed)\n`)
  })

  withAdminOptions(
    user
      .command('list')
      .description('List users')
      .option('--org <org>', 'only the users of this organisation'),
  ).action(async (options: AdminOptions & { org?: string }) => {
    const { users, orgNames } = await runAdmin(ctx, options, async (admin) => ({
      users: await admin.listUsers(options.org),
      orgNames: new Map((await admin.listOrganisations()).map((o) => [o.id, o.name])),
    }))
    const shown = users.map((u) => publicUser(u, orgNames.get(u.orgId) ?? u.orgId))
    if (options.json) return printJson(ctx, shown)
    printTable(
      ctx,
      ['NAME', 'ORG', 'ROLE', 'STATUS', 'ID'],
      users.map((u) => [
        u.name,
        orgNames.get(u.orgId) ?? u.orgId,
        u.role,
        u.disabled ? 'disabled' : 'active',
        u.id,
      ]),
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
      const changed = await runAdmin(ctx, options, (admin) => admin.setUserDisabled(name, disabled))
      if (options.json) printJson(ctx, { name: changed.name, id: changed.id, disabled })
      else ctx.stdout.write(`user "${changed.name}" ${disabled ? 'disabled' : 'enabled'}\n`)
    })
  }
}
