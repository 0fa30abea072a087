/**
 * The rules every input shares for the text an operator types: names (hosts, SPOC groups,
 * JobScheduler clusters), service names, operator names and reasons. One place, so a host name
 * means the same in a group restart, an OS restart and a cluster definition.
 *
 * Names are checked as given (bounded, printable), then brought to their normal form
 * (`normalName`), then checked again: what the procedure runs with, names its task queues and
 * compares, is the normal form, and it must still be a name after normalising (`"."` or `" "`
 * normalise to nothing).
 */
import { z } from 'zod';
import { normalName } from './names';

/**
 * Characters an operator cannot see or that change what follows: control characters (NUL, line
 * breaks, escape), invisible formatting (zero-width space, bidirectional overrides, soft hyphen),
 * lone surrogates, line and paragraph separators. A name or reason holding one reads as something
 * it is not, in a log, a status or a terminal.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

export const PRINTABLE_RULE = 'must be printable text (no control characters, line breaks or invisible formatting characters)';

/** A string of at most `max` characters, every one printable. */
export function printableText(max: number) {
  return z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((text) => !UNPRINTABLE.test(text), PRINTABLE_RULE);
}

/** Printable text that is more than white space. */
export function nonBlankText(max: number, what: string) {
  return printableText(max).refine((text) => text.trim() !== '', `must not be blank: give ${what}`);
}

/** Longest host name DNS allows. */
export const MAX_HOST_NAME = 253;

const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A host name in its normal form: `SPOC-LON-1.` and ` spoc-lon-1` are `spoc-lon-1`. After
 * normalising it must be a DNS host name: dot-separated labels of letters, digits and hyphens,
 * each 1-63 characters, neither beginning nor ending with a hyphen.
 */
export const hostNameSchema = printableText(MAX_HOST_NAME + 8)
  .transform(normalName)
  .pipe(
    z
      .string()
      .min(1, 'a host name is required')
      .max(MAX_HOST_NAME, `must be at most ${MAX_HOST_NAME} characters`)
      .refine(
        (host) => host.split('.').every((label) => HOST_LABEL.test(label)),
        'must be a DNS host name (labels of letters, digits and hyphens, 1-63 characters each, separated by single dots, no hyphen at either end of a label)',
      ),
  );

/**
 * A group or cluster name in its normal form (`London`, `london ` and `LONDON.` are `london`):
 * printable, bounded, and not empty once normalised.
 */
export function normalNameSchema(what: string, max = 128) {
  return printableText(max)
    .transform(normalName)
    .pipe(z.string().min(1, `${what} is required (a name is more than spaces and dots)`));
}

/** A Windows service name or display name as the operator lists it. */
export const serviceNameSchema = nonBlankText(256, 'the service name or its display name');

/** Who decided: the operator's name, as the result records it (without surrounding spaces). */
export const operatorNameSchema = nonBlankText(100, 'the name of who decides').transform((text) => text.trim());

/** Why the operator decided: recorded in the path and the result. */
export function reasonSchema(minLength = 1) {
  return nonBlankText(500, 'a reason')
    .refine((text) => text.trim().length >= minLength, `must say why in at least ${minLength} characters`)
    .transform((text) => text.trim());
}

/** Refuses a host listed twice anywhere in an input (members, new member, removed member...), in any spelling of its name. */
export function refuseRepeatedHosts(hostsWithPaths: { host: string; path: (string | number)[] }[], ctx: z.RefinementCtx): void {
  const seen = new Map<string, (string | number)[]>();
  for (const { host, path } of hostsWithPaths) {
    const key = normalName(host);
    const first = seen.get(key);
    if (first) {
      ctx.addIssue({ code: 'custom', path, message: `host "${host}" is listed twice (also at ${first.join('.')}; case, surrounding spaces and a trailing dot do not make another host)` });
    } else seen.set(key, path);
  }
}

/** The hosts of a list of members, each with where it stands in the input (`members.2.host`), for {@link refuseRepeatedHosts}. */
export function hostsAt(members: { host: string }[], path: (string | number)[]): { host: string; path: (string | number)[] }[] {
  return members.map((m, i) => ({ host: m.host, path: [...path, i, 'host'] }));
}
