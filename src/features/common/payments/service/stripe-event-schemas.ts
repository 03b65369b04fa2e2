import { z } from 'zod';

/*
 * The parts of Stripe's event objects the webhook uses, checked before anything is written. A
 * correctly signed event can still be malformed (a hand-made test event, an API version that moved
 * a field): it is answered 400 and logged rather than failing with a 500 that Stripe would retry for
 * days. Fields we do not use are neither checked nor copied: Stripe adds fields with every API version,
 * and an event's objects carry dozens we never read.
 */

/** A Stripe object id (`cs_…`, `pi_…`, `ch_…`, `dp_…`, `re_…`, `evt_…`): what our columns and keys can hold. */
const stripeId = z.string().regex(/^[A-Za-z0-9_]{1,255}$/, { message: 'must be a Stripe object id' });
/** A reference to another object: its id, or the object itself when expanded. */
const reference = z.union([stripeId, z.object({ id: stripeId }).transform((object) => object.id)]);
const minorAmount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const currency = z.string().regex(/^[a-z]{3}$/, { message: 'must be a lowercase ISO 4217 code' });
/** Free text Stripe chose (a dispute's reason, a status): short and storable. */
const label = z.string().regex(/^[A-Za-z0-9_]{1,100}$/, { message: 'must be a Stripe enum value' });

export const checkoutSessionSchema = z.object({
  id: stripeId,
  /** `payment` for purchases; `setup` for a card saved for auto top-up (its SetupIntent's event does the work). */
  mode: label.nullish().transform((mode) => mode ?? 'payment'),
  payment_status: label,
  payment_intent: reference.nullish().transform((id) => id ?? null),
  amount_total: minorAmount.nullish().transform((amount) => amount ?? null),
  amount_subtotal: minorAmount.nullish().transform((amount) => amount ?? null),
  currency: currency.nullish().transform((code) => code ?? null),
  /** The invoice made for the purchase (`invoice_creation`), by id or expanded. */
  invoice: reference.nullish().transform((id) => id ?? null),
  total_details: z.object({ amount_discount: minorAmount.nullish(), amount_tax: minorAmount.nullish() }).nullish(),
});
export type CheckoutSessionEvent = z.output<typeof checkoutSessionSchema>;

export const chargeSchema = z.object({ id: stripeId, payment_intent: reference.nullish().transform((id) => id ?? null), amount_refunded: minorAmount });
export type ChargeEvent = z.output<typeof chargeSchema>;

export const disputeSchema = z.object({
  id: stripeId,
  payment_intent: reference.nullish().transform((id) => id ?? null),
  amount: minorAmount,
  reason: label,
  status: label,
});
export type DisputeEvent = z.output<typeof disputeSchema>;

export const refundSchema = z.object({
  id: stripeId,
  payment_intent: reference.nullish().transform((id) => id ?? null),
  amount: minorAmount,
  status: label.nullish(),
});
export type RefundEvent = z.output<typeof refundSchema>;

const metadata = z.record(z.string(), z.string()).nullish();

export const paymentIntentSchema = z.object({
  id: stripeId,
  status: label,
  amount: minorAmount,
  amount_received: minorAmount.nullish().transform((amount) => amount ?? 0),
  currency,
  metadata,
  last_payment_error: z
    .object({
      code: label.nullish().transform((code) => code ?? null),
      message: z
        .string()
        .max(5000)
        .nullish()
        .transform((message) => message ?? null),
    })
    .nullish()
    .transform((error) => error ?? null),
});
export type PaymentIntentEvent = z.output<typeof paymentIntentSchema>;

export const setupIntentSchema = z.object({
  id: stripeId,
  status: label,
  customer: reference.nullish().transform((id) => id ?? null),
  payment_method: reference.nullish().transform((id) => id ?? null),
  metadata,
});
export type SetupIntentEvent = z.output<typeof setupIntentSchema>;

export const paymentMethodSchema = z.object({ id: stripeId });
export type PaymentMethodEvent = z.output<typeof paymentMethodSchema>;

const isPlainObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

export const eventEnvelopeSchema = z.object({
  id: stripeId,
  type: z.string().min(1).max(100),
  /** Seconds since the epoch. */
  created: z.number().int().positive(),
  // The object is checked by the schema of its type (`eventObject`); here only that it is one, which
  // neither copies nor walks its fields (a checkout session has dozens).
  data: z.object({ object: z.custom<Record<string, unknown>>(isPlainObject, { message: 'must be an object' }) }),
});
export type EventEnvelope = z.output<typeof eventEnvelopeSchema>;

export class MalformedEventError extends Error {
  constructor(
    readonly eventId: string,
    readonly problems: string[],
  ) {
    super(`Malformed Stripe event ${eventId}: ${problems.join('; ')}`);
    this.name = 'MalformedEventError';
  }
}

/** The event's object, checked against `schema`; throws `MalformedEventError` naming what is wrong. */
export function eventObject<Schema extends z.ZodType>(event: { id: string; data: { object: unknown } }, schema: Schema): z.output<Schema> {
  const result = schema.safeParse(event.data.object);
  if (result.success) return result.data;
  throw new MalformedEventError(
    event.id,
    result.error.issues.map((issue) => `data.object.${issue.path.join('.')} ${issue.message}`),
  );
}
