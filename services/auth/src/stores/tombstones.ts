/**
 * How long an "ended session" or "closed to new families" mark lives. It only has to outlast the
 * requests that were in flight when the session ended (seconds), so an hour is ample.
 */
export const TOMBSTONE_MS = 3_600_000;
