import { createHash, randomUUID } from "node:crypto";
import { appError, badInput, notFound } from "@casino/kernel/errors";
import { outboxRow } from "@casino/kernel/events/outbox";
import { Prisma, type PrismaClient, type ReconciliationMismatch, type ReconciliationRun } from "../generated/prisma/client.ts";
import { PSP_NAMES, type PspName } from "../psp/types.ts";
import { reconcile, type InternalPayment, type Mismatch } from "./match.ts";
import { SettlementFileError, parseSettlementFile } from "./settlement-files.ts";

/**
 * The `payments.reconciliation_mismatch` payload (compliance opens one case per mismatch from it):
 * amounts as minor-unit strings with their currency, null where a side has none.
 */
export function reconciliationMismatchPayload(m: Mismatch & { id: string; runId: string; psp: string; playerId: string | null }) {
  const money = (minor: bigint | null, currency: string | null) => (minor === null || currency === null ? null : { minor: minor.toString(), currency });
  return {
    mismatchId: m.id,
    runId: m.runId,
    psp: m.psp,
    kind: m.kind,
    pspReference: m.pspReference,
    paymentId: m.paymentId,
    playerId: m.playerId,
    lineNumber: m.lineNumber,
    expected: money(m.expectedMinor, m.expectedCurrency),
    actual: money(m.actualMinor, m.actualCurrency),
    detail: m.detail,
  };
}

export interface ImportSettlementFileInput {
  psp: string;
  fileName: string;
  content: string;
  staffId: string;
}

const MAX_FILE_BYTES = 5 * 1024 * 1024;
const DAY_MS = 86_400_000;
const startOfDay = (d: Date) => new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);

/**
 * Imports a PSP's settlement file: every line matched against our payments and every payment we
 * settled in the file's period looked for in the file; each difference becomes an open mismatch
 * (a case for finance) and a `payments.reconciliation_mismatch` event. The same file imported
 * again returns the first run and changes nothing.
 */
export class ReconciliationService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly publishOutbox: () => void,
  ) {}

  async importFile(input: ImportSettlementFileInput): Promise<ReconciliationRun> {
    if (!(PSP_NAMES as readonly string[]).includes(input.psp)) throw badInput(`Unknown PSP "${input.psp}"`, "psp");
    const psp = input.psp as PspName;
    if (!/^[\w.\- ]{1,200}$/.test(input.fileName)) throw badInput("fileName must be 1 to 200 letters, digits, spaces, dots, dashes or underscores", "fileName");
    if (Buffer.byteLength(input.content, "utf8") > MAX_FILE_BYTES) throw badInput("The file is larger than 5 MB", "content");
    const fileSha256 = createHash("sha256").update(input.content, "utf8").digest("hex");
    const earlier = await this.prisma.reconciliationRun.findUnique({ where: { psp_fileSha256: { psp, fileSha256 } } });
    if (earlier) return earlier;

    let lines;
    try {
      lines = parseSettlementFile(psp, input.content);
    } catch (err) {
      if (err instanceof SettlementFileError) throw badInput(`The ${psp} settlement file is not valid: ${err.message}`, "content");
      throw err;
    }
    const times = lines.map((l) => l.occurredAt.getTime());
    const periodStart = startOfDay(new Date(Math.min(...times)));
    const periodEnd = new Date(startOfDay(new Date(Math.max(...times))).getTime() + DAY_MS);
    const period = { gte: periodStart, lt: periodEnd };
    const rows = await this.prisma.payment.findMany({
      where: {
        psp,
        OR: [
          { pspReference: { in: [...new Set(lines.map((l) => l.pspReference))] } },
          { status: { in: ["SUCCEEDED", "PAID"] }, OR: [{ creditedAt: period }, { creditedAt: null, updatedAt: period }] },
        ],
      },
    });
    const payments: InternalPayment[] = rows.map((p) => ({ ...p, settledAt: p.creditedAt ?? p.updatedAt }));
    const { matched, mismatches } = reconcile(lines, payments, (p) => p.settledAt >= periodStart && p.settledAt < periodEnd);

    try {
      const run = await this.prisma.$transaction(async (tx) => {
        const created = await tx.reconciliationRun.create({
          data: {
            id: randomUUID(),
            psp,
            fileName: input.fileName,
            fileSha256,
            periodStart,
            periodEnd,
            lineCount: lines.length,
            matchedCount: matched,
            mismatchCount: mismatches.length,
            importedBy: input.staffId,
          },
        });
        const records = mismatches.map((m) => ({ id: randomUUID(), runId: created.id, ...m }));
        if (records.length > 0) {
          await tx.reconciliationMismatch.createMany({ data: records });
          const playerOf = new Map(rows.map((p) => [p.id, p.playerId]));
          await tx.outboxEvent.createMany({
            data: records.map((m) => {
              const playerId = m.paymentId ? (playerOf.get(m.paymentId) ?? null) : null;
              return outboxRow({
                type: "payments.reconciliation_mismatch",
                aggregateId: m.id,
                playerId,
                payload: reconciliationMismatchPayload({ ...m, runId: created.id, psp, playerId }),
              });
            }),
          });
        }
        return created;
      });
      this.publishOutbox();
      return run;
    } catch (err) {
      // The same file imported twice at once: the other import made the run.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
        return this.prisma.reconciliationRun.findUniqueOrThrow({ where: { psp_fileSha256: { psp, fileSha256 } } });
      }
      throw err;
    }
  }

  /** Closes a mismatch's case, once, with what finance found. */
  /**
   * Closes a mismatch, once, with what finance found, and tells compliance in the same transaction
   * (`payments.reconciliation_mismatch_resolved`): the resolution becomes evidence on the mismatch's
   * compliance case, which compliance staff then resolve themselves.
   */
  async resolve(id: string, staffId: string, resolution: string): Promise<ReconciliationMismatch> {
    const text = resolution.trim();
    if (text.length < 3 || text.length > 1000) throw badInput("resolution must be 3 to 1000 characters", "resolution");
    const resolvedAt = new Date();
    const outcome = await this.prisma.$transaction(async (tx) => {
      const closed = await tx.reconciliationMismatch.updateMany({ where: { id, resolvedAt: null }, data: { resolvedAt, resolvedBy: staffId, resolution: text } });
      const mismatch = await tx.reconciliationMismatch.findUnique({ where: { id } });
      if (!mismatch) throw notFound("Reconciliation mismatch");
      if (closed.count === 0) throw appError("CONFLICT", "This mismatch is already resolved");
      const payment = mismatch.paymentId ? await tx.payment.findUnique({ where: { id: mismatch.paymentId }, select: { playerId: true } }) : null;
      await tx.outboxEvent.create({
        data: outboxRow({
          type: "payments.reconciliation_mismatch_resolved",
          aggregateId: mismatch.id,
          playerId: payment?.playerId ?? null,
          payload: { mismatchId: mismatch.id, resolvedBy: staffId, resolvedAt: resolvedAt.toISOString(), resolution: text },
        }),
      });
      return mismatch;
    });
    this.publishOutbox();
    return outcome;
  }
}
