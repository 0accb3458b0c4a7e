// The import report an administrator reads after importing a Keycloak realm: what came over,
// what needs attention, and every kind of field Sundown accepted but does not use — grouped
// by kind of field (`clients[].protocolMappers`, 8 clients), once, never one line per JSON path.
// Printed as text at start-up and by `sundown import`; the admin API returns it as JSON.

export interface NotUsedGroup {
  /** Where the fields are: `realm`, `clients[]`, `users[].credentials[]`, `clients[].attributes`. */
  kind: string;
  /** How many objects of that kind had at least one of these fields. */
  objects: number;
  /** Field names, sorted, each with the number of objects that had it. */
  fields: Array<{ name: string; count: number }>;
}

/** Splits `$.clients[3].attributes["a.b"]` into its parent (`clients[3].attributes`) and field. */
function splitPath(path: string): { parent: string; field: string } {
  const p = path.replace(/^\$\.?/, '');
  const quoted = /\["((?:[^"\\]|\\.)*)"\]$/.exec(p);
  if (quoted) return { parent: p.slice(0, quoted.index), field: quoted[1]! };
  const dot = p.lastIndexOf('.');
  return dot === -1 ? { parent: '', field: p } : { parent: p.slice(0, dot), field: p.slice(dot + 1) };
}

/** Groups JSON paths of unused fields by kind of object. */
export function groupNotUsed(paths: readonly string[]): NotUsedGroup[] {
  const kinds = new Map<string, { parents: Set<string>; fields: Map<string, number> }>();
  for (const path of paths) {
    const { parent, field } = splitPath(path);
    const kind = parent === '' ? 'realm' : parent.replace(/\[\d+\]/g, '[]');
    let group = kinds.get(kind);
    if (!group) kinds.set(kind, (group = { parents: new Set(), fields: new Map() }));
    group.parents.add(parent);
    group.fields.set(field, (group.fields.get(field) ?? 0) + 1);
  }
  return [...kinds.entries()]
    .sort(([a], [b]) => (a === 'realm' ? -1 : b === 'realm' ? 1 : a.localeCompare(b)))
    .map(([kind, g]) => ({
      kind,
      objects: g.parents.size,
      fields: [...g.fields.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, count]) => ({ name, count })),
    }));
}

export interface ReportInput {
  realm: string;
  /** Where it came from (file names), when from files. */
  source?: string;
  keycloakVersion?: string | null;
  clients: number;
  users: number;
  /** Only users were imported into the stored realm (a users file of a directory export). */
  usersOnly?: boolean;
  /** Sentences that need the administrator's attention. */
  warnings: readonly string[];
  /** JSON paths of fields accepted and not used. */
  ignored: readonly string[];
}

const WIDTH = 100;

/** Joins words into lines of at most WIDTH columns, each starting with `indent`. */
function wrap(words: readonly string[], indent: string): string {
  const lines: string[] = [];
  let line = indent;
  for (const word of words) {
    if (line.length > indent.length && line.length + word.length + 1 > WIDTH) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${word} `;
  }
  lines.push(line.trimEnd());
  return lines.join('\n');
}

function kindLabel(g: NotUsedGroup): string {
  if (g.kind === 'realm') return 'realm settings';
  const noun = /(\w+)\[\]$/.exec(g.kind)?.[1] ?? (g.kind.endsWith('.attributes') ? 'attribute maps' : 'objects');
  return `${g.kind} (in ${g.objects} ${g.objects === 1 ? noun.replace(/s$/, '') : noun})`;
}

/** The report as text, for a terminal or a log file. */
export function formatImportReport(r: ReportInput): string {
  const out: string[] = [];
  const from = r.source ? ` from ${r.source}` : '';
  const version = r.keycloakVersion ? ` (exported by Keycloak ${r.keycloakVersion})` : '';
  out.push(
    r.usersOnly
      ? `${plural(r.users, 'user')} of realm "${r.realm}" imported${from}; the realm's settings and clients were left as they are.`
      : `Realm "${r.realm}" imported${from}${version}: ${plural(r.clients, 'client')}, ${plural(r.users, 'user')}.`,
  );
  if (r.warnings.length > 0) {
    out.push(`Needs attention (${r.warnings.length}):`);
    for (const w of r.warnings) out.push(wrap(w.split(' '), '    ').replace(/^ {4}/, '  - '));
  }
  const groups = groupNotUsed(r.ignored);
  if (groups.length > 0) {
    out.push("Accepted but not used by Sundown, by kind of field (Keycloak's internal ids are not kept either):");
    for (const g of groups) {
      out.push(`  ${kindLabel(g)}:`);
      out.push(
        wrap(
          g.fields.map((f, i) => f.name + (i < g.fields.length - 1 ? ',' : '')),
          '      ',
        ),
      );
    }
  }
  return out.join('\n');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
