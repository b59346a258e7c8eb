export {
  startGamstopFake,
  gamstopMatchKey,
  gamstopFormProblems,
  type GamstopFake,
  type GamstopFakeExclusion,
  type GamstopFakeFailure,
  type GamstopFakeOptions,
  type GamstopFakePerson,
  type GamstopFakeRequest,
  type GamstopFakeStatus,
} from "./fake.ts";
