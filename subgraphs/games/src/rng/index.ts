export { CryptoRandomSource, CryptoRng, MAX_RANGE, draws, fillDraws, randomInt, uniformInt, type RawSource, type Rng } from "./rng.ts";
export { RecordingRng, verifyRecordedDraw, type RecordedDraw } from "./recording-rng.ts";
