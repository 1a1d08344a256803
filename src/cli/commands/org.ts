/** `intelmesh org add|list`: the organisations of the node. */
import type { CommandRegistrar } from '../context.js'
import {
  printJson,
  printTable,
  runAdmin,
  withAdminOptions,
  type AdminOptions,
} from './admin-support.js'

export const registerOrgCommands: CommandRegistrar = (program, ctx) => {
  const org = program.command('org').description('Manage organisations (each has a STIX identity)')

  withAdminOptions(
    org
      .command('add')
      .description('Add an organisation')
      .argument('<name>', 'the organisation name (unique)')
      .option('--identity-id <id>', 'its STIX identity id (default: a new identity--<uuid>)'),
  ).action(async (name: string, options: AdminOptions & { identityId?: string }) => {
    const created = await runAdmin(ctx, options, (admin) =>
      admin.addOrganisation(
        name,
        options.identityId !== undefined ? { identityId: options.identityId } : {},
      ),
    )
    if (options.json) printJson(ctx, created)
    else {
      ctx.stdout.write(
        `added organisation "${created.name}" (id ${created.id}, identity ${created.identityId})\n`,
      )
    }
  })

  withAdminOptions(org.command('list').description('List organisations')).action(
    async (options: AdminOptions) => {
      const orgs = await runAdmin(ctx, options, (admin) => admin.listOrganisations())
      if (options.json) return printJson(ctx, orgs)
      printTable(
        ctx,
        ['NAME', 'ID', 'IDENTITY', 'CREATED'],
        orgs.map((o) => [o.name, o.id, o.identityId, o.createdAt]),
        'no organisations',
      )
    },
  )
}
