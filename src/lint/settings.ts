import { SEVERITIES, type Severity } from './finding.js';

/** Per-team choices for oschange lint: rules turned off, and severities changed. */
export interface LintSettings {
  readonly disabled: ReadonlySet<string>;
  readonly severity: ReadonlyMap<string, Severity>;
}

export const NO_SETTINGS: LintSettings = { disabled: new Set(), severity: new Map() };

/** The file oschange lint reads from the current directory when --config is not given. */
export const DEFAULT_CONFIG_FILE = '.oschange-lint.json';

/**
 * Reads a lint config file: JSON, `{ "disable": ["timestamp-2038"], "severity": { "float-for-money":
 * "error" } }`. Every problem is reported at once; unknown keys and unknown rule ids are problems
 * (a typo must not silently leave a rule on).
 */
export function parseLintConfig(text: string, file: string, ids: readonly string[]): { settings: LintSettings } | { errors: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { errors: [`${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { errors: [`${file}: expected an object like {"disable": […], "severity": {…}}`] };
  const errors: string[] = [];
  const known = new Set(ids);
  const unknownRule = (id: string, where: string): void => void errors.push(`${file}: ${where} names "${id}", which is not a rule (${ids.join(', ')})`);
  for (const key of Object.keys(raw)) if (key !== 'disable' && key !== 'severity') errors.push(`${file}: unknown key "${key}" (expected "disable" and "severity")`);
  const disabled = new Set<string>();
  const disable: unknown = (raw as Record<string, unknown>)['disable'];
  if (disable !== undefined) {
    if (!Array.isArray(disable) || disable.some((d) => typeof d !== 'string')) errors.push(`${file}: "disable" must be a list of rule ids`);
    else for (const id of disable as string[]) (known.has(id) ? disabled.add(id) : unknownRule(id, '"disable"'));
  }
  const severity = new Map<string, Severity>();
  const sev: unknown = (raw as Record<string, unknown>)['severity'];
  if (sev !== undefined) {
    if (typeof sev !== 'object' || sev === null || Array.isArray(sev)) errors.push(`${file}: "severity" must map rule ids to ${SEVERITIES.join(', ')}`);
    else {
      for (const [id, value] of Object.entries(sev)) {
        const s = SEVERITIES.find((x) => x === value);
        if (!known.has(id)) unknownRule(id, '"severity"');
        else if (s === undefined) errors.push(`${file}: "severity" of ${id} must be ${SEVERITIES.join(', ')} (got ${JSON.stringify(value)})`);
        else severity.set(id, s);
      }
    }
  }
  return errors.length > 0 ? { errors } : { settings: { disabled, severity } };
}

/** `--disable a,b` on top of the file's settings; unknown ids are reported. */
export function withDisabled(settings: LintSettings, spec: string | undefined, ids: readonly string[]): { settings: LintSettings } | { errors: string[] } {
  if (spec === undefined) return { settings };
  const known = new Set(ids);
  const errors: string[] = [];
  const disabled = new Set(settings.disabled);
  for (const id of spec.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (known.has(id)) disabled.add(id);
    else errors.push(`--disable: "${id}" is not a rule (${ids.join(', ')})`);
  }
  return errors.length > 0 ? { errors } : { settings: { ...settings, disabled } };
}
