/** Which server we talk to, parsed from `SELECT VERSION()`. */
export type Flavor = 'mysql' | 'mariadb';

export interface ServerVersion {
  readonly flavor: Flavor;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The text the server reported, e.g. `10.11.14-MariaDB-0+deb12u2` or `9.7.4`. */
  readonly raw: string;
}

export function parseServerVersion(raw: string): ServerVersion {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(raw);
  if (!m) throw new Error(`cannot parse server version ${JSON.stringify(raw)}`);
  return {
    flavor: /mariadb/i.test(raw) ? 'mariadb' : 'mysql',
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    raw,
  };
}

/** True when the server's version is at least major.minor.patch. */
export function atLeast(v: ServerVersion, major: number, minor = 0, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export function describeVersion(v: ServerVersion): string {
  return `${v.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${v.major}.${v.minor}.${v.patch}`;
}
