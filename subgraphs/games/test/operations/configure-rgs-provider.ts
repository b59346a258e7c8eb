import { RGS_CONFIG_FIELDS, type GamesTestService, type RgsConfigView } from "./types.ts";

const CONFIGURE = `mutation($input: ConfigureRgsProviderInput!) { configureRgsProvider(input: $input) { ${RGS_CONFIG_FIELDS} } }`;

/** `input` goes as given (providerId included): tests of bad input pass anything. */
export function configureRgsProvider(svc: GamesTestService, input: Record<string, unknown>, token?: string) {
  return svc.graphql<{ configureRgsProvider: RgsConfigView }>(CONFIGURE, { input }, token);
}
