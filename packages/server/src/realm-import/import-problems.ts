// Every problem of a realm file, collected so that one run reports them all (an administrator
// fixing a Keycloak export should not meet its problems one per run). Each names the JSON path
// of the field; the import stops only after the whole file was read.

export interface ImportProblem {
  path: string;
  message: string;
}

export class RealmImportError extends Error {
  /** The first problem's path (the only one when there is one). */
  readonly path: string;
  readonly problems: readonly ImportProblem[];
  constructor(path: string, message: string, more: readonly ImportProblem[] = []) {
    const problems = [{ path, message }, ...more];
    super(
      problems.length === 1
        ? `${path}: ${message}`
        : `${problems.length} problems:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
    );
    this.path = path;
    this.problems = problems;
  }
}

/** A sink for problems; `within` turns a thrown RealmImportError into collected problems. */
export class ImportProblems {
  readonly #list: ImportProblem[] = [];

  add(path: string, message: string): void {
    // Two rules may refuse the same value for the same reason (the logout attributes' own check
    // and the outbound URL rule of every channel both refuse a non-http URL): say it once.
    if (this.#list.some((p) => p.path === path && p.message === message)) return;
    this.#list.push({ path, message });
  }

  /** Runs one check; its RealmImportError is recorded and reading goes on. */
  within<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (err) {
      if (!(err instanceof RealmImportError)) throw err;
      for (const p of err.problems) this.add(p.path, p.message);
      return undefined;
    }
  }

  get count(): number {
    return this.#list.length;
  }

  /** Stops the import with every problem found. */
  throwIfAny(): void {
    const [first, ...more] = this.#list;
    if (first) throw new RealmImportError(first.path, first.message, more);
  }
}

/** What every part of one file's parse shares: its problems, unused fields and warnings. */
export interface ParseState {
  problems: ImportProblems;
  /** JSON paths of fields accepted and not used. */
  ignored: string[];
  /** Sentences for the import report's "needs attention". */
  warnings: string[];
}
