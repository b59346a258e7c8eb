import type { GamesTestService, ProviderView } from "./types.ts";

const UPSERT_PROVIDER = `mutation($input: ProviderInput!) {
  upsertProvider(input: $input) { id code name integration protocol enabled }
}`;

export function upsertProvider(svc: GamesTestService, input: Record<string, unknown>, token?: string) {
  return svc.graphql<{ upsertProvider: ProviderView }>(
    UPSERT_PROVIDER,
    { input: { name: "Test Studio", integration: "AGGREGATOR", protocol: "hub88", ...input } },
    token,
  );
}
