/**
 * Queries compiled once. Kysely rebuilds and recompiles a query on every call; for the
 * statements on every request's path (session lookup, user by id) that costs more than
 * running them. A compiled query is a plain object — SQL text with placeholders plus its
 * parameters — so it is compiled once with placeholder values and run with the real ones,
 * still fully parameterised. `bind` checks the count, so a drifting query fails loudly.
 */
import type { CompiledQuery, Kysely, QueryResult } from 'kysely';

export interface PreparedQuery<Row> {
  run(...parameters: unknown[]): Promise<QueryResult<Row>>;
}

export function prepareQuery<Row>(db: Kysely<any>, compiled: CompiledQuery<Row>): PreparedQuery<Row> {
  const expected = compiled.parameters.length;
  return {
    run(...parameters) {
      if (parameters.length !== expected) throw new Error(`prepared query takes ${expected} parameters, got ${parameters.length}`);
      return db.executeQuery<Row>({ ...compiled, parameters });
    },
  };
}
