import { badInput } from "@casino/kernel/errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isUuid = (value: string) => UUID.test(value);

/** An id argument: a UUID, or bad input naming `field` (the database would reject it less clearly). */
export function parseId(raw: string, field: string): string {
  const id = raw.trim().toLowerCase();
  if (!isUuid(id)) throw badInput(`${field} is not a valid id`, field);
  return id;
}
