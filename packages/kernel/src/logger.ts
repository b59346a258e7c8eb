import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

/** Structured JSON logs; secrets are redacted wherever they could appear. `destination`: stdout unless given. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? "info", destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
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
        // RGS provider credentials (configureRgsProvider's input; rows of rgs_provider_config).
        "variables.input.credentials",
        "credentials",
        "*.credentials",
      ],
      censor: "[redacted]",
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
