/** A query the user can fix (bad interval, statistic not available from the roll-ups…). */
export class QueryError extends Error {
  override name = 'QueryError';
}
