/**
 * One interface in front of every payment service provider. Each adapter translates its PSP's own
 * protocol (API calls, signed notifications, the exact acknowledgement it expects) into these
 * shapes; nothing outside src/psp/<name>/ knows a PSP's wire format.
 */
export const PSP_NAMES = ["stripe", "nuvei", "trustly"] as const;
export type PspName = (typeof PSP_NAMES)[number];

export type PaymentKind = "DEPOSIT" | "PAYOUT";

/**
 * What a PSP says happened to one payment. REVERSED: money the PSP had reported as moved did not
 * (a bank deposit that never settled, a payout returned).
 */
export type PspPaymentStatus = "PENDING" | "SUCCEEDED" | "FAILED" | "REVERSED";

/** A verified notification in the platform's terms. */
export interface PspEvent {
  psp: PspName;
  /** The PSP's own id of this notification; a redelivery carries the same id. */
  notificationId: string;
  /** The PSP's id of the payment. */
  pspReference: string;
  /** Our id of the payment, as we gave it to the PSP. */
  merchantReference: string;
  kind: PaymentKind;
  status: PspPaymentStatus;
  /**
   * Exact minor units of `currency`, parsed from the PSP's own representation; undefined only when
   * the PSP's notification carries no amount (Trustly's cancel).
   */
  amountMinor: bigint | undefined;
  currency: string | undefined;
  /** The PSP's type of notification (event type, transaction type, JSON-RPC method). */
  pspType: string;
  /** Why the PSP declined, when it says. */
  reason: string | undefined;
  raw: unknown;
}

/** An HTTP answer exactly as the PSP expects it. */
export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface InboundNotification {
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
}

/**
 * The verdict on one inbound request:
 * - EVENT: authentic and about a payment; `answer` builds the PSP's acknowledgement once it is handled.
 * - IGNORED: authentic, but of a type the platform does not act on: acknowledged (so the PSP stops
 *   resending it) and logged.
 * - REJECTED: not authentic or not parseable: nothing is written, and `answer` is what the PSP gets.
 */
export type NotificationVerdict =
  | { outcome: "EVENT"; event: PspEvent; answer: (disposition: Disposition) => HttpAnswer }
  | { outcome: "IGNORED"; notificationId: string; pspType: string; raw: unknown; answer: HttpAnswer }
  | { outcome: "REJECTED"; reason: RejectionReason; detail: string; answer: HttpAnswer };

export type RejectionReason = "MISSING_SIGNATURE" | "BAD_SIGNATURE" | "OUTSIDE_TOLERANCE" | "MALFORMED";

/** ACCEPTED: handled for good (the PSP must stop resending); RETRY: not handled now, send it again. */
export type Disposition = "ACCEPTED" | "RETRY";

export interface InitiateRequest {
  kind: PaymentKind;
  /** Our payment id: the PSP echoes it in every notification. */
  merchantReference: string;
  playerId: string;
  amountMinor: bigint;
  currency: string;
  country: string | undefined;
  /** Sent as the PSP's idempotency key where it has one, so a retried request creates nothing twice. */
  idempotencyKey: string;
  /** Where the PSP sends its notifications. */
  notificationUrl: string;
}

export interface InitiateResult {
  pspReference: string;
  /** PENDING: the outcome comes by notification; FAILED: declined at once. */
  status: "PENDING" | "FAILED";
  /** What the front end needs to continue (a hosted page URL or a client secret). */
  nextAction: { type: "REDIRECT"; url: string } | { type: "CLIENT_SECRET"; value: string } | undefined;
  declineReason: string | undefined;
}

/** The PSP could not be reached, timed out or failed (5xx): the request may go to another PSP. */
export class PspUnavailableError extends Error {
  override readonly name = "PspUnavailableError";
  readonly retryable = true;
  constructor(
    readonly psp: PspName,
    message: string,
  ) {
    super(`${psp}: ${message}`);
  }
}

/** The PSP refused the request itself (bad credentials, invalid request): retrying changes nothing. */
export class PspRequestRefusedError extends Error {
  override readonly name = "PspRequestRefusedError";
  readonly retryable = false;
  constructor(
    readonly psp: PspName,
    message: string,
  ) {
    super(`${psp}: ${message}`);
  }
}

export interface PspAdapter {
  readonly name: PspName;
  /** Payment methods this PSP takes (card, bank_transfer, ...). */
  readonly methods: readonly string[];
  initiate(request: InitiateRequest): Promise<InitiateResult>;
  /** Verifies and parses one inbound notification; never throws on bad input. */
  verifyNotification(notification: InboundNotification, now: Date): NotificationVerdict;
}
