/**
 * The input of one print job's delivery: the client that holds it, the job, how the client was
 * installed (where it is, how it finds its Spooler Controllers) and the estate it prints to.
 */
import { z } from 'zod';
import { hostNameSchema, nonBlankText, normalNameSchema } from '../core/input-rules';
import { locationNamed, locationNames } from './estate-locations';
import { flexiSpoolerEstateSchema } from './flexispooler-estate';

/** How a client finds its location's Spooler Controllers. */
export const DISCOVERY_MODES = ['dhcp-option-9', 'locations-map'] as const;
export type DiscoveryMode = (typeof DISCOVERY_MODES)[number];

/**
 * A job id: the servers dedupe on it (a job delivered twice is held, and printed, once), so it must
 * be the same on every attempt: the client gives it when the user prints.
 */
export const jobIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.-]+$/, 'must be a job id (letters, digits, "_", "." and "-")');

export const jobDeliveryInputSchema = z
  .strictObject({
    client: hostNameSchema.describe('The FlexiSpooler Client\'s computer: its agent sends the job from where the computer is now.'),
    user: nonBlankText(100, 'the user who prints').describe('The user who printed; the job is released where this user authenticates.'),
    job: z.strictObject({
      id: jobIdSchema.describe('The job id the servers dedupe on: delivering it twice holds and prints it once.'),
      document: nonBlankText(200, 'the document name').describe('The document\'s name, as the user sees it.'),
    }),
    installation: z
      .strictObject({
        location: normalNameSchema('the location set at installation').describe('The location the client was installed for (its locations map).'),
        discovery: z.enum(DISCOVERY_MODES).describe('dhcp-option-9: Spooler Controller discovery through DHCP option 9, the installation\'s location when it never came; locations-map: the locations map set at installation, never changed by the network.'),
      })
      .describe('How the client was installed.'),
    lastLocation: normalNameSchema('the last location')
      .optional()
      .describe('The location the client knew last (from its last DHCP option 9); absent: the installation\'s.'),
    estate: flexiSpoolerEstateSchema,
    waits: z
      .strictObject({
        retrySeconds: z.number().int().min(1).max(3600).default(60).describe('How long a queued job waits before the client tries again.'),
        releaseWatchSeconds: z.number().int().min(1).max(3600).default(300).describe('How long one watch for the release runs before it reports (keeps the history small).'),
      })
      .prefault({}),
  })
  .superRefine((input, ctx) => {
    for (const [field, location] of [
      ['installation', input.installation.location],
      ['lastLocation', input.lastLocation],
    ] as const) {
      if (location !== undefined && !locationNamed(input.estate, location)) {
        const path = field === 'installation' ? ['installation', 'location'] : ['lastLocation'];
        ctx.addIssue({ code: 'custom', path, message: `"${location}" is not a location of the estate (${locationNames(input.estate).join(', ')})` });
      }
    }
  });
export type JobDeliveryInput = z.infer<typeof jobDeliveryInputSchema>;
