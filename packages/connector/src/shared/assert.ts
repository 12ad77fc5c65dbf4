/**
 * Indexing an array or a record gives `T | undefined` (`noUncheckedIndexedAccess`). Where the surrounding code
 * already guarantees the element exists (a loop bound, a regular expression that matched, a length checked just
 * before), `present` states that guarantee with its reason, and fails loudly, naming the reason, if it is ever broken,
 * instead of letting `undefined` travel on as if it were a value.
 */
export function present<T>(value: T | undefined, reason: string): T {
  if (value === undefined) throw new Error(`Internal error: expected a value (${reason})`);
  return value;
}

type Strings<N extends number, A extends string[] = []> = A['length'] extends N ? A : Strings<N, [...A, string]>;

/**
 * The first `count` capture groups of a match of a pattern whose groups are all mandatory (none inside `?`, `*` or
 * an alternative), typed as strings: such a match has every one of them.
 */
export function requiredGroups<N extends number>(match: RegExpExecArray, count: N): Strings<N> {
  const groups = match.slice(1, count + 1);
  if (groups.length !== count || groups.some((g) => g === undefined)) throw new Error(`Internal error: /${match.input}/ did not capture ${count} groups`);
  return groups as Strings<N>;
}
