/**
 * The FlexiSpooler estate as an installation describes it (docs/flexispooler-failover.md): its
 * locations, each with its site servers in the order a client fails over through them, the public
 * FlexiSpooler Server and the data center behind it.
 *
 * The vendor's one hard rule is checked here, before anything runs: "FlexiSpooler Spooling Server
 * expects Spooler Controller to be on the same machine". A server that runs a Spooling Server
 * without a Spooler Controller is refused, with an error naming the server.
 */
import { z } from 'zod';
import { hostNameSchema, normalNameSchema } from '../core/input-rules';

/** What a site server runs, in the vendor's words. */
export const SERVER_ROLES = ['spooler-controller', 'flexispooler-spooling-server'] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];

export const siteServerSchema = z.strictObject({
  host: hostNameSchema.describe('The site server (its host name).'),
  runs: z
    .array(z.enum(SERVER_ROLES))
    .min(1, 'a site server runs at least one of spooler-controller, flexispooler-spooling-server')
    .describe('What the server runs: a Spooler Controller, a FlexiSpooler Spooling Server, or both.'),
});
export type SiteServer = z.infer<typeof siteServerSchema>;

export const locationSchema = z.strictObject({
  name: normalNameSchema('a location name').describe('The location (an office), e.g. london.'),
  servers: z
    .array(siteServerSchema)
    .min(1, 'a location has at least one site server')
    .max(20, 'at most 20 site servers a location')
    .describe('The location\'s site servers. A client fails over through the Spooler Controllers in this order.'),
  printers: z.array(hostNameSchema).max(200, 'at most 200 printers a location').default([]).describe('The printers of the location\'s office, where users authenticate and release their jobs.'),
});
export type Location = z.infer<typeof locationSchema>;

export const publicServerSchema = z.strictObject({
  host: hostNameSchema.describe('The public FlexiSpooler Server, reachable from the internet.'),
  dataCenter: z
    .array(hostNameSchema)
    .min(1, 'the public FlexiSpooler Server forwards to at least one FlexiSpooler Server in the data center')
    .max(20, 'at most 20 data-center servers')
    .describe('The FlexiSpooler Servers in the data center the public server forwards jobs to.'),
});

export const flexiSpoolerEstateSchema = z
  .strictObject({
    locations: z.array(locationSchema).min(1, 'at least one location').max(100, 'at most 100 locations').describe('Every location with its site servers in failover order.'),
    publicServer: publicServerSchema.optional().describe('The public FlexiSpooler Server and its data center; absent: clients only use their location\'s Spooler Controllers.'),
  })
  .superRefine((estate, ctx) => {
    const seen = new Map<string, string>();
    const names = new Set<string>();
    estate.locations.forEach(({ name: location, servers }, at) => {
      if (names.has(location)) ctx.addIssue({ code: 'custom', path: ['locations', at, 'name'], message: `location ${location} is listed twice` });
      names.add(location);
      servers.forEach((server, index) => {
        const path = ['locations', at, 'servers', index];
        if (server.runs.includes('flexispooler-spooling-server') && !server.runs.includes('spooler-controller')) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'runs'],
            message: `${server.host} runs a FlexiSpooler Spooling Server without a Spooler Controller: the Spooling Server expects its Spooler Controller on the same machine (add spooler-controller to ${server.host}, or move the Spooling Server to a Spooler Controller)`,
          });
        }
        const other = seen.get(server.host);
        if (other !== undefined) {
          ctx.addIssue({ code: 'custom', path: [...path, 'host'], message: `${server.host} is listed twice (also in ${other}): a site server belongs to one location` });
        }
        seen.set(server.host, location);
      });
      if (!servers.some((s) => s.runs.includes('spooler-controller'))) {
        ctx.addIssue({ code: 'custom', path: ['locations', at, 'servers'], message: `location ${location} has no Spooler Controller: its clients could never deliver a job` });
      }
    });
  });
export type FlexiSpoolerEstate = z.infer<typeof flexiSpoolerEstateSchema>;
