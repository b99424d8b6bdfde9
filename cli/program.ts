import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { isCustosError } from '../lib/errors.js';
import { createContext, type CliContext, type CliIo, type GlobalOptions } from './context.js';
import { ExitCode } from './exit-codes.js';
import { detectLang, messages, pick, type Lang } from './i18n.js';

/**
 * A command file in `cli/commands/` exports `register`, which adds its subcommands. Files are
 * discovered at start, so adding a command touches no shared list. A command file imports
 * heavy modules (express, the Encryption SDK) inside its action, keeping `custos --help` fast.
 */
export interface CommandModule {
  register(program: Command, context: () => CliContext, lang: Lang): void;
}

const here = dirname(fileURLToPath(import.meta.url));

// Compiled code runs from dist/cli, sources (under tsx) from cli: walk up to our package.json.
const packageVersion = (): string => {
  for (let dir = here; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'custos') return pkg.version;
    } catch {
      // no package.json at this level; keep walking up
    }
  }
  return '0.0.0';
};

const commandFiles = (): string[] => {
  const dir = join(here, 'commands');
  const isCompiled = import.meta.url.endsWith('.js');
  return readdirSync(dir)
    .filter((f) => (isCompiled ? f.endsWith('.js') : f.endsWith('.ts') && !f.endsWith('.d.ts')))
    .sort()
    .map((f) => join(dir, f));
};

export const buildProgram = async (io: CliIo, argv: readonly string[]): Promise<Command> => {
  const lang = detectLang(argv, io.env);
  const program = new Command('custos');
  let context: CliContext | undefined;
  const getContext = (): CliContext => {
    context ??= createContext(program.opts<GlobalOptions>(), io, lang);
    return context;
  };
  program
    .description(pick(messages.description, lang))
    .version(packageVersion(), '-V, --version', pick(messages.optVersion, lang))
    .helpOption('-h, --help', pick(messages.optHelp, lang))
    .helpCommand('help [command]', pick(messages.helpCommand, lang))
    .option('-c, --config <file>', pick(messages.optConfig, lang))
    .option('-d, --data-dir <dir>', pick(messages.optDataDir, lang))
    .option('--json', pick(messages.optJson, lang))
    .addOption(new Option('--lang <lang>', pick(messages.optLang, lang)).choices(['zh', 'en']))
    .option('-q, --quiet', pick(messages.optQuiet, lang))
    .addHelpText('after', `\n${pick(messages.exitCodes, lang)}`)
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  for (const file of commandFiles()) {
    const mod = (await import(pathToFileURL(file).href)) as Partial<CommandModule>;
    if (typeof mod.register === 'function') mod.register(program, getContext, lang);
  }
  program.commands.forEach((c) => applyExitOverride(c, io));
  return program;
};

const applyExitOverride = (command: Command, io: CliIo): void => {
  command.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  command.commands.forEach((c) => applyExitOverride(c, io));
};

/** Runs the CLI and returns the exit code; never throws. */
export const runCli = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const lang = detectLang(argv, io.env);
  try {
    const program = await buildProgram(io, argv);
    await program.parseAsync(argv as string[], { from: 'user' });
    return Number(process.exitCode ?? ExitCode.ok);
  } catch (error) {
    return reportError(error, io, lang);
  }
};

const reportError = (error: unknown, io: CliIo, lang: Lang): number => {
  if (error instanceof CommanderError) {
    // Help and version end through exitOverride with code 0; usage mistakes with 1 from commander.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (isCustosError(error)) {
    const where = error.at ? `${error.at.file}${error.at.line ? `:${error.at.line}:${error.at.column ?? 1}` : ''}: ` : '';
    io.stderr.write(`${pick(messages.error, lang)} ${error.code}: ${where}${error.message}\n`);
    if (error.hint) io.stderr.write(`  ${pick(messages.hint, lang)}: ${error.hint}\n`);
    const exit = (error.details?.exitCode as number | undefined) ?? (isUsageCode(error.code) ? ExitCode.usage : ExitCode.failure);
    return exit;
  }
  const code = (error as { code?: string }).code ?? 'ERR_CLI_UNEXPECTED';
  io.stderr.write(`${pick(messages.error, lang)} ${code}: ${pick(messages.unexpected, lang)}\n`);
  if (io.env.CUSTOS_DEBUG) io.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  return ExitCode.failure;
};

const isUsageCode = (code: string): boolean => code === 'ERR_CLI_USAGE' || code.startsWith('ERR_CONFIG_');
