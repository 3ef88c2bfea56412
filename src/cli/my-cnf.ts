/**
 * Reads the [client] section of a my.cnf-style file (`--conf`), as the mysql client does: user,
 * password, host, port. Later sections named [oschange] override [client].
 * https://dev.mysql.com/doc/refman/9.4/en/option-files.html
 */
export interface ClientOptions {
  user?: string;
  password?: string;
  host?: string;
  port?: number;
}

export function parseMyCnf(text: string): ClientOptions {
  const out: ClientOptions = {};
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      section = (sec[1] as string).trim().toLowerCase();
      continue;
    }
    if (section !== 'client' && section !== 'oschange') continue;
    const kv = /^([A-Za-z0-9_-]+)\s*(?:=\s*(.*))?$/.exec(line);
    if (!kv) continue;
    const key = (kv[1] as string).toLowerCase().replaceAll('-', '_');
    const value = unquote((kv[2] ?? '').trim());
    if (key === 'user') out.user = value;
    else if (key === 'password') out.password = value;
    else if (key === 'host') out.host = value;
    else if (key === 'port' && /^\d+$/.test(value)) out.port = Number(value);
  }
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}
