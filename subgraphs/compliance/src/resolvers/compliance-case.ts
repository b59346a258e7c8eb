import type { CaseNoteResolvers, ComplianceCaseResolvers } from "../generated/graphql.ts";

export const ComplianceCase: ComplianceCaseResolvers = {
  openedAt: (c) => c.openedAt.toISOString(),
  updatedAt: (c) => c.updatedAt.toISOString(),
  resolvedAt: (c) => c.resolvedAt?.toISOString() ?? null,
  windowStart: (c) => c.windowStart.toISOString(),
  facts: (c) => JSON.stringify(c.facts),
  notes: (c, _args, ctx) => ctx.loaders.notesByCase.load(c.id),
};

export const CaseNote: CaseNoteResolvers = {
  createdAt: (n) => n.createdAt.toISOString(),
};
