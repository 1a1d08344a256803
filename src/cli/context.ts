import type { Command } from 'commander'

/** What a command may touch: its streams, its environment and the exit code. */
export interface CliContext {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  env: Record<string, string | undefined>
  /** Sets the process exit code the command finishes with (see `EXIT`). */
  setExitCode(code: number): void
}

/** Each command module exports one registrar that adds its command(s) to the program. */
export type CommandRegistrar = (program: Command, ctx: CliContext) => void

/** Exit codes: 0 ok, 1 findings/errors in the input, 2 unusable input or usage. */
export const EXIT = { ok: 0, findings: 1, unusable: 2 } as const
