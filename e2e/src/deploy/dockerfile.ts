/**
 * Reads the subset of the Dockerfile syntax this project uses, so that tests can run an image's
 * build steps without a Docker engine (image-build.ts). Anything outside the subset is an error,
 * never silently skipped: a step the tests cannot run must not pass as if it had run.
 */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  keyword: string;
  /** `--name=value` flags in front of the arguments (COPY --from, HEALTHCHECK --interval, ...). */
  flags: Readonly<Record<string, string>>;
  /** The arguments after the flags, as written (continuation lines joined). */
  text: string;
  /** The arguments as a JSON array when written in exec form (`["node", "main.js"]`). */
  exec: readonly string[] | undefined;
  line: number;
}

export interface Stage {
  name: string;
  /** An image reference, or the name of an earlier stage. */
  from: string;
  instructions: readonly Instruction[];
}

export interface Dockerfile {
  stages: readonly Stage[];
  stage(name: string): Stage;
}

/** Joins continuation lines (a trailing backslash) and drops comments, keeping line numbers. */
function logicalLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let pending: { line: number; text: string } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && pending === undefined)) return;
    const continued = trimmed.endsWith('\\');
    const part = continued ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending
      ? { line: pending.line, text: `${pending.text} ${part}` }
      : { line: index + 1, text: part };
    if (!continued) {
      lines.push(pending);
      pending = undefined;
    }
  });
  if (pending) lines.push(pending);
  return lines;
}

function execForm(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function parseInstruction(line: number, text: string): Instruction {
  const [keyword = '', ...rest] = text.split(/\s+/);
  const flags: Record<string, string> = {};
  let args = text.slice(keyword.length).trim();
  for (const word of rest) {
    const flag = /^--([a-z-]+)(?:=(.*))?$/.exec(word);
    if (flag === null) break;
    flags[flag[1]!] = flag[2] ?? 'true';
    args = args.slice(word.length).trim();
  }
  return { keyword: keyword.toUpperCase(), flags, text: args, exec: execForm(args), line };
}

/** `${NAME}` and `$NAME` from the global ARGs, as Docker expands them in FROM. */
function expandArgs(text: string, args: ReadonlyMap<string, string>, line: number): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced?: string, bare?: string) => {
    const value = args.get((braced ?? bare)!);
    if (value === undefined) throw new Error(`Dockerfile line ${line}: no ARG default for ${braced ?? bare}`);
    return value;
  });
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs = new Map<string, string>();
  const stages: { name: string; from: string; instructions: Instruction[] }[] = [];
  for (const { line, text: source } of logicalLines(text)) {
    const instruction = parseInstruction(line, source);
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.text);
      if (match === null) throw new Error(`Dockerfile line ${line}: cannot read FROM ${instruction.text}`);
      const from = expandArgs(match[1]!, globalArgs, line);
      stages.push({ name: match[2] ?? String(stages.length), from, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG')
        throw new Error(`Dockerfile line ${line}: only ARG may precede FROM`);
      const [name = '', value = ''] = instruction.text.split('=', 2);
      globalArgs.set(name, value);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return {
    stages,
    stage(name) {
      const found = stages.find((stage) => stage.name === name);
      if (found === undefined) throw new Error(`Dockerfile has no stage named ${name}`);
      return found;
    },
  };
}

/** What a target image runs: its command, health check, user and ports (last one wins). */
export interface ImageConfig {
  cmd: readonly string[] | undefined;
  /** The HEALTHCHECK command in exec form, without its leading CMD. */
  healthcheck: readonly string[] | undefined;
  user: string | undefined;
  exposed: readonly number[];
}

/** The stages an image is made of, base first. */
function lineage(file: Dockerfile, target: string): Stage[] {
  const chain: Stage[] = [];
  let stage: Stage | undefined = file.stage(target);
  while (stage !== undefined) {
    chain.unshift(stage);
    const base: string = stage.from;
    stage = file.stages.find((candidate) => candidate.name === base);
  }
  return chain;
}

function healthcheckCommand(text: string): string[] | undefined {
  if (text === 'NONE') return undefined;
  const command = text.replace(/^CMD\s+/, '');
  return execForm(command) ?? ['/bin/sh', '-c', command];
}

export function imageConfig(file: Dockerfile, target: string): ImageConfig {
  let cmd: string[] | undefined;
  let healthcheck: string[] | undefined;
  let user: string | undefined;
  const exposed: number[] = [];
  for (const { keyword, text, exec } of lineage(file, target).flatMap((stage) => stage.instructions)) {
    if (keyword === 'CMD') cmd = exec ? [...exec] : ['/bin/sh', '-c', text];
    if (keyword === 'HEALTHCHECK') healthcheck = healthcheckCommand(text);
    if (keyword === 'USER') user = text;
    if (keyword === 'EXPOSE') exposed.push(...text.split(/\s+/).map((port) => Number.parseInt(port, 10)));
  }
  return { cmd, healthcheck, user, exposed };
}
