import { pino, type Logger } from "pino";

export type { Logger };

/** Structured JSON logs; secrets are redacted wherever they could appear. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    level,
    base: { service },
    redact: {
      paths: [
        "password",
        "*.password",
        "req.headers.authorization",
        "headers.authorization",
        "refreshToken",
        "*.refreshToken",
        "accessToken",
        "*.accessToken",
        "variables.password",
        "variables.input.password",
      ],
      censor: "[redacted]",
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
