import { RGS_CONFIG_FIELDS, type GamesTestService, type RgsConfigView } from "./types.ts";

const ONE = `query($id: ID!) { rgsProviderConfig(providerId: $id) { ${RGS_CONFIG_FIELDS} } }`;
const ALL = `{ rgsProviderConfigs { ${RGS_CONFIG_FIELDS} } }`;

export function queryRgsProviderConfig(svc: GamesTestService, providerId: string, token?: string) {
  return svc.graphql<{ rgsProviderConfig: RgsConfigView | null }>(ONE, { id: providerId }, token);
}

export function queryRgsProviderConfigs(svc: GamesTestService, token?: string) {
  return svc.graphql<{ rgsProviderConfigs: RgsConfigView[] }>(ALL, {}, token);
}
