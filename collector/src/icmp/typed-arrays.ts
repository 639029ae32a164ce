// Growing and joining the typed-array columns targets are kept in (no JavaScript object per target).

type Column = Uint8Array | Uint32Array | Float64Array;

/** A copy of `column` with room for `capacity` values (the old values first). */
export function grown<T extends Column>(column: T, capacity: number): T {
  const next = new (column.constructor as new (length: number) => T)(capacity);
  next.set(column);
  return next;
}

/** `a` then `b`, in one new column of their type. */
export function joined<T extends Column>(a: T, b: T): T {
  const out = new (a.constructor as new (length: number) => T)(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
