const countFormat = new Intl.NumberFormat('en-US');

/** A whole number for people, with thousands separators: `formatCount(1234)` → `1,234`. */
export function formatCount(value: number): string {
  return countFormat.format(value);
}
