import { isoDate } from "../events.ts";
import type { IdentityDocumentResolvers } from "../generated/graphql.ts";

export const IdentityDocument: IdentityDocumentResolvers = {
  expiresOn: (doc) => (doc.expiresOn ? isoDate(doc.expiresOn) : null),
  createdAt: (doc) => doc.createdAt.toISOString(),
};
