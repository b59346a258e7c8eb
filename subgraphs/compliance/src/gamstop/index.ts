/**
 * GAMSTOP self-exclusion check (not wired into the service here).
 *
 *   const gamstop = new GamstopClient({ baseUrl, apiKey, timeoutMs: 2000, logger });
 *   try {
 *     const check = await gamstop.check({ firstName, lastName, dateOfBirth, email, postcode, traceId });
 *     // keep check.uniqueId / checkedAt / traceId as evidence; refuse when isBlocking(check.outcome)
 *   } catch (err) {
 *     // GamstopUnavailableError (incl. GamstopConfigurationError): cannot verify -> no registration or play
 *     // GamstopRequestError: the player's details are invalid -> ask for them again; nothing was sent
 *   }
 */
export {
  DEFAULT_GAMSTOP_TIMEOUT_MS,
  GamstopClient,
  GamstopConfigurationError,
  GamstopUnavailableError,
  type GamstopCheck,
  type GamstopClientOptions,
  type GamstopLogger,
  type GamstopUnavailableReason,
} from "./client.ts";
export {
  GamstopRequestError,
  gamstopForm,
  isBlocking,
  isCalendarDate,
  normaliseGamstopRequest,
  normalisePostcode,
  outcomeFromExclusionHeader,
  type GamstopCheckRequest,
  type GamstopOutcome,
  type GamstopRequestField,
  type NormalisedGamstopRequest,
} from "./request.ts";
