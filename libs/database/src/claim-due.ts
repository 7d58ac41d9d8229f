/**
 * Claims due rows for one worker: marks up to `limit` of them with a lease (their next-attempt
 * column moved `leaseSeconds` ahead) in one statement, skipping rows another worker holds
 * (`FOR UPDATE SKIP LOCKED`), and returns their ids. A claim that is never finished (the worker
 * died) lapses with its lease, so nothing is lost and nothing is worked twice at once.
 */
export interface DueRowsClaim {
  table: string;
  /** SQL condition of a row that has work to do (besides its lease having lapsed). */
  due: string;
  /** timestamptz column holding the lease / the next attempt; NULL means due now. */
  nextAttemptColumn: string;
  orderBy: string;
  limit: number;
  leaseSeconds: number;
}

/** Runs one SQL statement and returns its rows (for UPDATE ... RETURNING). */
export type RowsQuery = (sql: string, params: unknown[]) => Promise<Array<{ id: string }>>;

export async function claimDueRows(run: RowsQuery, claim: DueRowsClaim): Promise<string[]> {
  const rows = await run(
    `UPDATE ${claim.table} SET ${claim.nextAttemptColumn} = now() + make_interval(secs => $2)
      WHERE id IN (SELECT id FROM ${claim.table}
                    WHERE (${claim.due}) AND (${claim.nextAttemptColumn} IS NULL OR ${claim.nextAttemptColumn} <= now())
                    ORDER BY ${claim.orderBy} LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id`,
    [claim.limit, claim.leaseSeconds],
  );
  return rows.map((r) => r.id);
}
