/** A server to watch, as the operator names it (host name or address, and port). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * The one parser of replica lists, for `--throttle-control-replicas` and the socket's
 * `throttle-control-replicas=`: `host`, `host:port`, `[v6]` or `[v6]:port`, comma-separated, 3306
 * by default. Returns the list, or the problem (': …', or '' when the form is simply wrong).
 */
export function parseHostPortList(raw: string): readonly HostPort[] | { readonly problem: string } {
  if (raw.trim() === '') return [];
  const out: HostPort[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    const m = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(item) ?? /^([A-Za-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(item);
    const host = m?.[1];
    if (m === null || host === undefined) return { problem: '' };
    const port = m[2] === undefined ? 3306 : Number(m[2]);
    if (port < 1 || port > 65535) return { problem: `: port ${m[2] ?? ''} is out of range` };
    if (out.some((r) => sameHostPort(r, { host, port }))) return { problem: `: ${formatHostPort({ host, port })} appears twice` };
    out.push({ host, port });
  }
  return out;
}

/** `h:3306`, `[::1]:3306`: the form parseHostPortList reads back. */
export function formatHostPort(r: HostPort): string {
  return r.host.includes(':') ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`;
}

/** Host names are case-insensitive; addresses compare as written. */
export function sameHostPort(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.host.toLowerCase() === b.host.toLowerCase();
}

/** The form both the flag and the socket accept (their error messages quote it). */
export const HOST_PORT_FORM = 'host[:port][,host[:port]...] with ports from 1 to 65535';
