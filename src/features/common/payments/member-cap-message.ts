import { formatCount } from '@/shared/lib/format-count';

/**
 * What to tell a member whose request was refused with MEMBER_CAP_EXCEEDED (402): the cap, what is
 * left of it this month, and who can change that. `details` is the error body's extra fields.
 */
export function memberCapMessage(details: { required?: unknown; cap?: unknown; used?: unknown; remaining?: unknown }): string {
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? formatCount(value) : '?');
  return (
    `You have reached your monthly cap on this organization’s wallet: ${count(details.used)} of your ${count(details.cap)} credits used this month, ` +
    `and this needs ${count(details.required)}. Ask an owner or admin of the organization to raise your cap, or switch to your personal wallet.`
  );
}
