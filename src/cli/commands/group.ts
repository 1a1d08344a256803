/**
 * `intelmesh group create|list|show|add-member|remove-member|describe|delete`: sharing groups
 * (issue 5), through the sharing service as the local CLI actor (audited as `system`).
 */
import { localCliActor } from '../../accounts/admin-service.js'
import { SharingService, type SharingGroupView } from '../../sharing/sharing-service.js'
import type { CommandRegistrar } from '../context.js'
import {
  printJson,
  printTable,
  runAdmin,
  withAdminOptions,
  type AdminOptions,
} from './admin-support.js'
import { collect } from './sharing.js'

function describeGroup(group: SharingGroupView): string {
  const members = group.members.map((m) => m.name).join(', ') || '(none)'
  return (
    `group "${group.name}" (id ${group.id})\n` +
    `  owner        ${group.owner.name}\n` +
    `  description  ${group.description || '(none)'}\n` +
    `  members      ${members}\n` +
    `  created      ${group.createdAt}\n`
  )
}

export const registerGroupCommands: CommandRegistrar = (program, ctx) => {
  const group = program
    .command('group')
    .description('Manage sharing groups: named sets of organisations, owned by one of them')

  withAdminOptions(
    group
      .command('create')
      .description('Create a sharing group')
      .argument('<name>', 'the group name (unique on the node)')
      .requiredOption('--owner <org>', 'the owner organisation (its admins manage the group)')
      .option('--description <text>', 'what the group is for', '')
      .option('--member <org>', 'a member organisation (repeatable)', collect, []),
  ).action(
    async (
      name: string,
      options: AdminOptions & { owner: string; description: string; member: string[] },
    ) => {
      const created = await runAdmin(ctx, options, (_admin, store) =>
        new SharingService(store, localCliActor).createGroup({
          name,
          owner: options.owner,
          description: options.description,
          members: options.member,
        }),
      )
      if (options.json) return printJson(ctx, created)
      ctx.stdout.write(`created ${describeGroup(created)}`)
    },
  )

  withAdminOptions(group.command('list').description('List sharing groups')).action(
    async (options: AdminOptions) => {
      const groups = await runAdmin(ctx, options, (_admin, store) =>
        new SharingService(store, localCliActor).listGroups(),
      )
      if (options.json) return printJson(ctx, groups)
      printTable(
        ctx,
        ['NAME', 'OWNER', 'MEMBERS', 'ID'],
        groups.map((g) => [
          g.name,
          g.owner.name,
          g.members.map((m) => m.name).join(',') || '-',
          g.id,
        ]),
        'no sharing groups',
      )
    },
  )

  withAdminOptions(
    group
      .command('show')
      .description('Show a sharing group and its members')
      .argument('<group>', 'the group name or id'),
  ).action(async (ref: string, options: AdminOptions) => {
    const shown = await runAdmin(ctx, options, (_admin, store) =>
      new SharingService(store, localCliActor).getGroup(ref),
    )
    if (options.json) return printJson(ctx, shown)
    ctx.stdout.write(describeGroup(shown))
  })

  for (const [verb, adding] of [
    ['add-member', true],
    ['remove-member', false],
  ] as const) {
    withAdminOptions(
      group
        .command(verb)
        .description(
          adding
            ? 'Add an organisation to a group'
            : 'Remove an organisation from a group (it stops seeing the group’s objects at once)',
        )
        .argument('<group>', 'the group name or id')
        .argument('<org>', 'the organisation name or id'),
    ).action(async (ref: string, org: string, options: AdminOptions) => {
      const result = await runAdmin(ctx, options, (_admin, store) => {
        const service = new SharingService(store, localCliActor)
        return adding ? service.addGroupMember(ref, org) : service.removeGroupMember(ref, org)
      })
      if (options.json) return printJson(ctx, result)
      const what = adding
        ? result.changed
          ? 'added to'
          : 'was already a member of'
        : result.changed
          ? 'removed from'
          : 'was not a member of'
      ctx.stdout.write(`organisation "${org}" ${what} group "${result.group.name}"\n`)
    })
  }

  withAdminOptions(
    group
      .command('describe')
      .description("Change a group's description")
      .argument('<group>', 'the group name or id')
      .argument('<description>', 'the new description'),
  ).action(async (ref: string, description: string, options: AdminOptions) => {
    const updated = await runAdmin(ctx, options, (_admin, store) =>
      new SharingService(store, localCliActor).updateGroup(ref, { description }),
    )
    if (options.json) return printJson(ctx, updated)
    ctx.stdout.write(describeGroup(updated))
  })

  withAdminOptions(
    group
      .command('delete')
      .description(
        'Delete a sharing group (objects distributed to it then reach nobody through it)',
      )
      .argument('<group>', 'the group name or id'),
  ).action(async (ref: string, options: AdminOptions) => {
    const deleted = await runAdmin(ctx, options, (_admin, store) =>
      new SharingService(store, localCliActor).deleteGroup(ref),
    )
    if (options.json) return printJson(ctx, deleted)
    ctx.stdout.write(`deleted group "${deleted.name}"\n`)
  })
}
