const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * Parses `15m`, `7d`, `10s`, `500ms` or a bare number of seconds into whole seconds (rounded up,
 * so a positive duration never becomes 0). Returns undefined for anything else.
 */
export function parseDurationSeconds(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = UNIT_SECONDS[match[2] ?? 's'] ?? 1;
  const seconds = amount * unit;
  return Number.isFinite(seconds) ? Math.ceil(seconds) : undefined;
}

/** Like parseDurationSeconds but in milliseconds, for timeouts; a bare number is still seconds. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (match === null) return undefined;
  const ms = Number(match[1]) * (UNIT_SECONDS[match[2] ?? 's'] ?? 1) * 1000;
  return Number.isFinite(ms) ? Math.ceil(ms) : undefined;
}
