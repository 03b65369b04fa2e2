/** A positive integer cursor from a search param (`?cursor=123`), or `undefined` for anything else. */
export function parseCursor(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || !/^[1-9]\d*$/.test(value)) return undefined;
  const cursor = Number(value);
  return Number.isSafeInteger(cursor) ? cursor : undefined;
}

/** A search param's single value, trimmed; `undefined` when absent, blank or repeated. */
export function singleParam(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}
