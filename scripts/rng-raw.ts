/**
 * npm run rng:raw [-- --bytes N] — the games RNG's raw output on stdout, for external batteries:
 *
 *   npm run -s rng:raw | dieharder -g 200 -a
 *   npm run -s rng:raw -- --bytes 100000000 > rng.bin && ent rng.bin
 *
 * The bytes are the 32-bit words the range scaling consumes (CryptoRandomSource, native byte
 * order), so the suites see exactly what games draw from. Without --bytes it writes until killed
 * or until the reader closes the pipe.
 */
import { CryptoRandomSource } from "../subgraphs/games/src/rng/rng.ts";

const CHUNK_BYTES = 1 << 16;

function parseByteLimit(args: string[]): number | undefined {
  const index = args.indexOf("--bytes");
  if (index === -1) return undefined;
  const value = Number(args[index + 1]);
  if (!Number.isSafeInteger(value) || value < 0) {
    process.stderr.write("rng:raw: --bytes needs a non-negative integer\n");
    process.exit(2);
  }
  return value;
}

/** Writes `limit` raw bytes (or forever) to `out`, honouring backpressure; resolves when done or when the reader goes away. */
export async function writeRawOutput(out: NodeJS.WritableStream, limit: number | undefined): Promise<void> {
  const source = new CryptoRandomSource();
  let closed = false;
  out.on("error", () => {
    closed = true; // EPIPE: the reader (dieharder, head) has all it wants.
  });
  let remaining = limit ?? Infinity;
  while (remaining > 0 && !closed) {
    const words = new Uint32Array(CHUNK_BYTES / 4);
    for (let i = 0; i < words.length; i++) words[i] = source.uint32();
    const size = Math.min(CHUNK_BYTES, remaining);
    remaining -= size;
    if (!out.write(Buffer.from(words.buffer, 0, size))) await writable(out);
  }
}

function writable(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off("drain", done);
      out.off("error", done);
      out.off("close", done);
      resolve();
    };
    out.on("drain", done);
    out.on("error", done);
    out.on("close", done);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeRawOutput(process.stdout, parseByteLimit(process.argv.slice(2)));
}
