import { parseEnv } from 'node:util';
import { parse } from 'yaml';

/** The parts of a compose service these checks read; the schema check covers the rest. */
export interface ComposeService {
  image?: string;
  build?: { context?: string; target?: string };
  command?: string[];
  env_file?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | Record<string, unknown>)[];
  expose?: (string | number)[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  volumes?: (string | Record<string, unknown>)[];
  networks?: string[] | Record<string, unknown>;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { internal?: boolean } | null>;
}

export function parseCompose(text: string): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

/** An env file the way compose reads it (KEY=value lines, # comments, quotes). */
export function parseEnvFile(text: string): Record<string, string> {
  return parseEnv(text) as Record<string, string>;
}

const REFERENCE = /\$\$|\$\{(\w+)(?:(:?)([-?+])((?:[^{}$]|\$\$)*))?\}|\$(\w+)/g;

/**
 * Compose interpolation: `${VAR}`, `$VAR`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
 * `${VAR?error}`, `${VAR:+other}`, `${VAR+other}`, `$$` for a literal dollar (no nesting: this project's files do not need it).
 */
export function interpolate(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(
    REFERENCE,
    (
      match: string,
      braced: string | undefined,
      colon: string | undefined,
      op: string | undefined,
      word: string | undefined,
      bare: string | undefined,
    ) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare)!;
      const value = vars[name];
      const unset = value === undefined || (colon === ':' && value === '');
      if (op === '-') return unset ? (word ?? '') : value;
      if (op === '+') return unset ? '' : (word ?? '');
      if (op === '?' && unset) throw new Error(`required variable ${name} is missing a value: ${word}`);
      return value ?? '';
    },
  );
}

/** Every variable a compose text interpolates, with or without a default. */
export function interpolatedNames(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((match) => (match[1] ?? match[5])!).filter(Boolean);
}

function environmentOf(service: ComposeService): Record<string, string> {
  const { environment = {} } = service;
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)]),
    );
  }
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, value === null ? '' : String(value)]),
  );
}

/**
 * The environment a container of `service` starts with: the image's ENV, then its env files, then
 * its `environment:` (interpolated from `vars`, the project's .env), as compose layers them.
 */
export function containerEnv(
  service: ComposeService,
  imageEnv: Readonly<Record<string, string>>,
  envFiles: Readonly<Record<string, string>>,
  vars: Readonly<Record<string, string>>,
): Record<string, string> {
  const files = service.env_file === undefined ? [] : [service.env_file].flat();
  const fromFiles = files.map((file) => {
    const text = envFiles[file];
    if (text === undefined) throw new Error(`env_file ${file} was not provided`);
    return parseEnvFile(text);
  });
  const environment = Object.fromEntries(
    Object.entries(environmentOf(service)).map(([name, value]) => [name, interpolate(value, vars)]),
  );
  return Object.assign({}, imageEnv, ...fromFiles, environment) as Record<string, string>;
}

export function dependencies(service: ComposeService): Record<string, { condition: string }> {
  const { depends_on: dependsOn = {} } = service;
  if (Array.isArray(dependsOn))
    return Object.fromEntries(dependsOn.map((name) => [name, { condition: 'service_started' }]));
  return dependsOn;
}
