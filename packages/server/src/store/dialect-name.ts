// The two SQL dialects the store speaks; code that writes dialect-specific SQL branches on it.
export type DialectName = 'sqlite' | 'postgres';
